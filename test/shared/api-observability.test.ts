/**
 * Operations at the HTTP edge: `GET /metrics` shows the order counts move as an order goes from Unpaid to
 * Paid, times finance's decision and every request by its route pattern; the request log is JSON with the
 * request and workflow ids and never a bearer token, a callback signature or a slip's bytes.
 */
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../../config/logger';
import { startTestApi, type TestApi } from '../helpers/api';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { sampleValue } from '../helpers/prometheus';
import { pngWithText, SLIP_PNG } from '../helpers/slips';

let api: TestApi;
let account: TestAccount;
let finance: TestUser;
const logLines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  api = await startTestApi({ logger: createLogger({ level: 'info', service: 'api' }, sink) });
  [account, finance] = await Promise.all([createTestAccount(api.t.db.pool), createStaffUser(api.t.db.pool, 'finance')]);
});

afterAll(async () => {
  await api?.close();
});

const http = () => request(api.app);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const SLIP_MARKER = 'slip-bytes-that-must-never-be-logged-7f3a';
const PNG = pngWithText(SLIP_PNG, 'Comment', SLIP_MARKER);

async function scrape(): Promise<string> {
  const res = await http().get('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain/);
  return res.text;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function createOrder(headers: Record<string, string> = {}): Promise<string> {
  const res = await http().post('/v1/orders').set(bearer(account.ownerToken)).set(headers).send({ wallet: 'credit', amount: 250_000 });
  expect(res.status).toBe(201);
  return String(res.body.orderNumber);
}

test('When an order goes from Unpaid to Dealing to Paid, then the order counts on /metrics move and the decision is timed', async () => {
  const before = await scrape();
  const count = (text: string, status: string) => sampleValue(text, 'topup_orders', { status });
  const approvals = (text: string) => sampleValue(text, 'topup_order_decision_seconds_count', { decision: 'approved' });

  const orderNumber = await createOrder();
  const created = await scrape();
  expect(count(created, 'unpaid')).toBe(count(before, 'unpaid') + 1);

  const slip = await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect(slip.status).toBe(201);
  await eventually(async () => count(await scrape(), 'dealing') === count(before, 'dealing') + 1);
  expect(sampleValue(await scrape(), 'topup_orders_dealing_oldest_seconds')).toBeGreaterThanOrEqual(0);

  const approved = await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(finance.token)).send({ checkResult: 'Matches the slip' });
  expect(approved.body).toMatchObject({ status: 'paid' });
  await eventually(async () => count(await scrape(), 'paid') === count(before, 'paid') + 1);
  const after = await scrape();
  expect(count(after, 'dealing')).toBe(count(before, 'dealing'));
  expect(approvals(after)).toBe(approvals(before) + 1);

  // A repeated approval changes nothing, so it is not timed again.
  expect((await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(finance.token)).send({})).status).toBe(200);
  expect(approvals(await scrape())).toBe(approvals(after));
});

test('When requests reach order routes, then their latency is labelled with the route pattern and never an order number or account id', async () => {
  const orderNumber = await createOrder();
  expect((await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).status).toBe(200);
  expect((await http().get('/v1/orders/1999999999999').set(bearer(account.ownerToken))).status).toBe(404);
  expect((await http().get(`/v1/orders/${orderNumber}`)).status).toBe(401);

  const text = await scrape();
  const requests = (labels: Record<string, string>) => sampleValue(text, 'http_request_duration_seconds_count', labels);
  expect(requests({ method: 'POST', route: '/v1/orders', status_code: '201' })).toBeGreaterThanOrEqual(1);
  expect(requests({ method: 'GET', route: '/v1/orders/:orderNumber', status_code: '200' })).toBeGreaterThanOrEqual(1);
  // Refused inside the route (a thrown 404): still the route's pattern, not the path.
  expect(requests({ method: 'GET', route: '/v1/orders/:orderNumber', status_code: '404' })).toBe(1);
  // Refused before any route matched (no token): one shared label.
  expect(requests({ method: 'GET', route: 'unmatched', status_code: '401' })).toBeGreaterThanOrEqual(1);
  expect(text).not.toContain(orderNumber);
  expect(text).not.toContain('1999999999999');
  expect(text).not.toContain(account.accountId);
});

test('When a request carries a bearer token and a slip, and a callback a signature, then the JSON log names the request and workflow but holds none of them', async () => {
  const orderNumber = await createOrder();
  const slip = await http()
    .post(`/v1/orders/${orderNumber}/slip`)
    .set(bearer(account.ownerToken))
    .set('X-Request-Id', 'obs-slip-upload-1')
    .attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect(slip.status).toBe(201);
  const signature = `v1=${'ab12'.repeat(16)}`;
  const callback = await http()
    .post('/v1/payments/callback')
    .set({ 'content-type': 'application/json', 'x-sandbox-timestamp': String(Math.floor(Date.now() / 1000)), 'x-sandbox-signature': signature })
    .send(JSON.stringify({ id: 'evt_forged', data: { merchantRef: orderNumber } }));
  expect(callback.status).toBe(401);

  const entries = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const upload = entries.find((e) => (e.req as { id?: string } | undefined)?.id === 'obs-slip-upload-1');
  expect(upload).toMatchObject({
    level: 'info',
    service: 'api',
    route: '/v1/orders/:orderNumber/slip',
    workflowId: `topup-${orderNumber}`,
    req: { method: 'POST', url: `/v1/orders/${orderNumber}/slip` },
    res: { statusCode: 201 },
  });
  expect(entries.some((e) => e.msg === 'payment callback refused')).toBe(true);

  const log = logLines.join('\n');
  for (const secret of [account.ownerToken, finance.token, signature, 'ab12ab12ab12', SLIP_MARKER, PNG.toString('base64').slice(12, 40), PNG.toString('hex').slice(20, 60)]) {
    expect(log).not.toContain(secret);
  }
  expect(log).not.toMatch(/authorization|x-sandbox-signature/i);
});
