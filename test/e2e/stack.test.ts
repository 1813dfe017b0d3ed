/**
 * End to end against the `npm start` stack: the Temporal dev server, embedded PostgreSQL, the SMTP sink, the
 * worker and the API as real processes, driven over HTTP. Short policy durations stand in for 120 h.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDevStack } from '../../scripts/dev-stack';
import { isolatedStackEnv } from '../../scripts/stack-env';
import { eventually } from '../helpers/eventually';

const OWNER = { authorization: 'Bearer demo-acme-owner-token' };
const OTHER_ACCOUNT = { authorization: 'Bearer demo-nusa-owner-token' };

let stop: (() => Promise<void>) | undefined;
let api: string;

beforeAll(async () => {
  const dataDir = path.join(process.env.TOPUP_TEST_RUN_DIR!, 'stack');
  fs.mkdirSync(dataDir, { recursive: true });
  const policyFile = path.join(dataDir, 'policy.json');
  fs.writeFileSync(policyFile, JSON.stringify({ unsubmittedCloseAfter: '4s' }));
  const stack = await isolatedStackEnv(dataDir, policyFile);
  api = stack.apiUrl;
  stop = await startDevStack(stack.env);
}, 170_000);

afterAll(async () => {
  await stop?.();
}, 60_000);

async function call(method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${api}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

test('When the stack is up, then /healthz answers 200 and /readyz sees PostgreSQL and Temporal', async () => {
  expect((await fetch(`${api}/healthz`)).status).toBe(200);
  const ready = await call('GET', '/readyz', {});
  expect(ready).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } } });
});

test('When a customer creates an order over HTTP, then it is Unpaid, invisible to another account, and Closed by its workflow timer', async () => {
  const created = await call('POST', '/v1/orders', OWNER, { wallet: 'credit', amount: 250_000 });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'unpaid', wallet: 'credit', amount: 250_000, currency: 'IDR' });
  const orderNumber = String(created.body.orderNumber);
  expect(orderNumber).toMatch(/^\d{13}$/);

  expect((await call('GET', `/v1/orders/${orderNumber}`, OTHER_ACCOUNT)).status).toBe(404);

  const closed = await eventually(
    () => call('GET', `/v1/orders/${orderNumber}`, OWNER),
    (r) => r.body.status === 'closed',
  );
  expect(closed).toMatchObject({ status: 200, body: { orderNumber, status: 'closed' } });
});

test('When the amount breaks a rule, then the answer is 400 naming the field and nothing is created', async () => {
  const refused = await call('POST', '/v1/orders', OWNER, { wallet: 'credit', amount: 2.5 });
  expect(refused.status).toBe(400);
  expect(refused.body).toMatchObject({ error: { code: 'invalid_input', fields: [{ path: 'amount' }] } });
  const tooSmall = await call('POST', '/v1/orders', OWNER, { wallet: 'credit', amount: 9_999 });
  expect(tooSmall).toMatchObject({ status: 400, body: { error: { fields: [{ path: 'amount', rule: 'must be at least IDR 10,000 for the credit wallet' }] } } });
});
