/**
 * Hostile slip uploads (issue 8): each refused with the documented code and nothing stored, or, where the
 * bytes really are a JPEG, PNG or PDF, accepted and made harmless. The choice for polyglots: a slip is judged by
 * its leading bytes only, so a PNG header followed by a script is a PNG and a PDF with JavaScript is a PDF;
 * neither is ever run or rendered by us: a slip is served back as an attachment with its detected type,
 * `nosniff` and a `sandbox` Content-Security-Policy, and the client's file name is kept only, cleaned, for the
 * record. A slow body is cut by the server's request timeout (api/server-timeouts.ts).
 */
import http from 'node:http';
import net from 'node:net';
import request, { type Test } from 'supertest';
import { applyServerTimeouts } from '../api/server-timeouts';
import { startTestApi, type TestApi } from './helpers/api';
import { appVariant } from './helpers/app-variant';
import { createTestAccount, type TestAccount } from './helpers/fixtures';

let api: TestApi;
let account: TestAccount;

beforeAll(async () => {
  api = await startTestApi();
  account = await createTestAccount(api.t.db.pool);
});

afterAll(async () => {
  await api?.close();
});

const PNG_HEADER = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function unpaidOrder(): Promise<string> {
  const res = await request(api.app).post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 100_000 });
  return String(res.body.orderNumber);
}

function upload(orderNumber: string, content: Buffer, filename: string, contentType = 'image/png'): Test {
  return request(api.app).post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', content, { filename, contentType });
}

async function slipsOf(orderNumber: string): Promise<Array<{ file_name: string; content_type: string }>> {
  const res = await api.t.db.pool.query<{ file_name: string; content_type: string }>('SELECT file_name, content_type FROM slips WHERE order_number = $1', [orderNumber]);
  return res.rows;
}

describe.each([
  ['an executable named slip.png', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(64, 0x90)]), 'slip.png', 415, 'unsupported_media_type'],
  ['an HTML page claiming image/png', Buffer.from('<html><script>alert(1)</script></html>'), 'slip.png', 415, 'unsupported_media_type'],
  ['a script with a double extension', Buffer.from('#!/bin/sh\nrm -rf /\n'), 'slip.png.sh', 415, 'unsupported_media_type'],
  ['a truncated PNG signature', PNG_HEADER.subarray(0, 4), 'slip.png', 415, 'unsupported_media_type'],
  ['a 0-byte file', Buffer.alloc(0), 'slip.png', 400, 'invalid_input'],
  ['a file of 10 MB and one byte', Buffer.concat([PNG_HEADER, Buffer.alloc(10 * 1024 * 1024 + 1 - PNG_HEADER.length)]), 'slip.png', 413, 'payload_too_large'],
])('When the slip is %s', (_label, content, filename, status, code) => {
  test(`then ${status} ${code} and nothing is stored`, async () => {
    const orderNumber = await unpaidOrder();
    const res = await upload(orderNumber, content, filename);
    expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
    expect(await slipsOf(orderNumber)).toEqual([]);
    expect((await request(api.app).get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).body.status).toBe('Unpaid');
  });
});

test('When the multipart body has too many parts, then 400 and nothing is stored', async () => {
  const orderNumber = await unpaidOrder();
  let test = upload(orderNumber, Buffer.concat([PNG_HEADER, Buffer.from('IHDR')]), 'slip.png');
  for (let i = 0; i < 10; i += 1) test = test.field(`f${i}`, 'x');
  const res = await test;
  expect(res.status).toBe(400);
  expect(await slipsOf(orderNumber)).toEqual([]);
});

test('When a PNG header is followed by a script, or a PDF carries JavaScript, then it is stored as what its bytes are and served back only as an inert attachment', async () => {
  const polyglots: Array<[Buffer, string, string]> = [
    [Buffer.concat([PNG_HEADER, Buffer.from('<script>alert(document.cookie)</script>')]), 'slip.png', 'image/png'],
    [Buffer.from('%PDF-1.4\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF'), 'slip.pdf', 'application/pdf'],
  ];
  for (const [content, filename, type] of polyglots) {
    const orderNumber = await unpaidOrder();
    const res = await upload(orderNumber, content, filename, 'text/html');
    expect(res.status).toBe(201);
    expect(res.body.slip.contentType).toBe(type);
    const served = await request(api.app).get(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken));
    expect(served.headers['content-type']).toContain(type);
    expect(served.headers['content-disposition']).toMatch(/^attachment; filename="slip-\d{13}\.(png|pdf)"$/);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toContain('sandbox');
  }
});

test('When the file name tries path traversal or a double extension, then only a cleaned name is kept and the download name is ours', async () => {
  const orderNumber = await unpaidOrder();
  const res = await upload(orderNumber, Buffer.concat([PNG_HEADER, Buffer.from('IHDR')]), '../../etc/passwd.png.exe');
  expect(res.status).toBe(201);
  const [stored] = await slipsOf(orderNumber);
  expect(stored!.file_name).not.toMatch(/[/\\]/);
  expect(stored!.content_type).toBe('image/png');
  const served = await request(api.app).get(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken));
  expect(served.headers['content-disposition']).toBe(`attachment; filename="slip-${orderNumber}.png"`);
});

test('When a client trickles a slip body and never finishes, then the server cuts the request (408) instead of waiting for ever, and nothing is stored', async () => {
  const orderNumber = await unpaidOrder();
  const server = applyServerTimeouts(http.createServer({ connectionsCheckingInterval: 100 }, api.app), { requestTimeoutMs: 800, headersTimeoutMs: 500, keepAliveTimeoutMs: 500 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const started = Date.now();
  const answer = await new Promise<string>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        [
          `POST /v1/orders/${orderNumber}/slip HTTP/1.1`,
          'Host: localhost',
          `Authorization: Bearer ${account.ownerToken}`,
          'Content-Type: multipart/form-data; boundary=x',
          'Content-Length: 1000000',
          '',
          '--x\r\nContent-Disposition: form-data; name="slip"; filename="s.png"\r\nContent-Type: image/png\r\n\r\n',
        ].join('\r\n'),
      );
    });
    const drip = setInterval(() => socket.write('a'), 100);
    let received = '';
    socket.on('data', (c: Buffer) => (received += c.toString('utf8')));
    socket.on('close', () => {
      clearInterval(drip);
      resolve(received);
    });
    socket.on('error', () => undefined);
  });
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(await slipsOf(orderNumber)).toEqual([]);
});

test('When one user keeps uploading slips, then past the upload limit 429 with Retry-After, nothing more is stored, and other users and other requests go on', async () => {
  const limited = appVariant(api, { uploadRateLimit: { limit: 2, windowMs: 60_000 } });
  const slip = Buffer.concat([PNG_HEADER, Buffer.from('IHDR')]);
  const send = (token: string, orderNumber: string) =>
    request(limited).post(`/v1/orders/${orderNumber}/slip`).set(bearer(token)).attach('slip', slip, { filename: 'slip.png', contentType: 'image/png' });
  // Two uploads (the second refused by the order's state, 409, but counted: an attempt reads a body all the same).
  const first = await unpaidOrder();
  expect((await send(account.ownerToken, first)).status).toBe(201);
  expect((await send(account.ownerToken, first)).status).toBe(409);
  const second = await unpaidOrder();
  const refused = await send(account.ownerToken, second);
  expect({ status: refused.status, code: refused.body.error?.code }).toEqual({ status: 429, code: 'too_many_requests' });
  expect(refused.body.error.message).toMatch(/at most 2 slip uploads per 60 s/);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  expect(await slipsOf(second)).toEqual([]);
  // Reading is not uploading; another user of the account has a budget of its own.
  expect((await request(limited).get(`/v1/orders/${second}`).set(bearer(account.ownerToken))).status).toBe(200);
  const other = await createTestAccount(api.t.db.pool);
  const theirs = String((await request(api.app).post('/v1/orders').set(bearer(other.ownerToken)).send({ wallet: 'credit', amount: 100_000 })).body.orderNumber);
  expect((await send(other.ownerToken, theirs)).status).toBe(201);
});
