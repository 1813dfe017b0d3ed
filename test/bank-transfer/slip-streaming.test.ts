/**
 * Slip uploads read as they stream in (api/bank-transfer/slip-upload.ts): a file that is not a JPEG, PNG or PDF is
 * refused from its first bytes while the client is still sending the rest; a slip sent without a length (chunked)
 * is received whole; the original's SHA-256 recorded is that of the bytes sent.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { useTestApi } from '../helpers/api';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { slipPng } from '../helpers/slips';

const api = useTestApi();
let account: TestAccount;

beforeAll(async () => {
  account = await createTestAccount(api.t.db.pool);
});

const BOUNDARY = 'slip-streaming-test-boundary';

async function newOrder(): Promise<string> {
  const res = await fetch(`${api.baseUrl}/v1/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.ownerToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ wallet: 'credit', amount: 100_000 }),
  });
  return String(((await res.json()) as { orderNumber: string }).orderNumber);
}

/** Starts a multipart upload of the field `slip`; the caller writes the file's bytes and may end it or not. */
function startUpload(orderNumber: string, headers: Record<string, string> = {}): { req: http.ClientRequest; answer: Promise<{ status: number; body: Record<string, unknown> }> } {
  const req = http.request(`${api.baseUrl}/v1/orders/${orderNumber}/slip`, {
    method: 'POST',
    headers: { authorization: `Bearer ${account.ownerToken}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, ...headers },
  });
  const answer = new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown> }));
    });
    req.once('error', reject);
  });
  req.write(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="slip"; filename="slip.png"\r\nContent-Type: image/png\r\n\r\n`);
  return { req, answer };
}

const closing = `\r\n--${BOUNDARY}--\r\n`;

test('When a file of another kind starts streaming in, then 415 is answered from its first bytes while the rest is still being sent', async () => {
  const orderNumber = await newOrder();
  // A GIF: declared 8 MB long, of which only the first 64 KB are ever sent.
  const { req, answer } = startUpload(orderNumber, { 'content-length': String(8 * 1024 * 1024) });
  req.write(Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(64 * 1024 - 6, 1)]));
  let timer: NodeJS.Timeout | undefined;
  const refused = await Promise.race([answer, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 10_000)))]);
  clearTimeout(timer);
  req.destroy();
  expect(refused).toEqual({
    status: 415,
    body: { error: { code: 'unsupported_media_type', message: 'slip: must be a JPEG, PNG or PDF file', fields: [{ path: 'slip', rule: 'must be a JPEG, PNG or PDF file (judged by its content)' }] } },
  });
  expect((await api.t.db.pool.query('SELECT 1 FROM slips WHERE order_number = $1', [orderNumber])).rowCount).toBe(0);
});

test('When a slip is sent without a length (chunked), in small pieces, then it is received whole and its original SHA-256 is the one sent', async () => {
  const orderNumber = await newOrder();
  const png = await slipPng(600, 400);
  const { req, answer } = startUpload(orderNumber);
  for (let at = 0; at < png.length; at += 1000) req.write(png.subarray(at, at + 1000));
  req.end(closing);
  const { status, body } = await answer;
  expect(status).toBe(201);
  expect(body).toMatchObject({ status: 'dealing', slip: { contentType: 'image/png', original: { sha256: createHash('sha256').update(png).digest('hex'), size: png.length } } });
});
