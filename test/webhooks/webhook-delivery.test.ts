/**
 * Webhook delivery (issue 20) with a real HTTP receiver, through the API, the real delivery workflow in the
 * time-skipping server with its real default durations (30 s first backoff doubling to 1 h, 3 days of retries, 24 h
 * of secret overlap), the real activities, PostgreSQL and the SMTP sink. Each request is checked as a customer's
 * receiver checks it: with the verification code of docs/webhooks.md.
 */
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { webhookDeliveryWorkflowId } from '../../workflows/definitions';
import { startTestApi, type TestApi } from '../helpers/api';
import { recordHistory } from '../helpers/histories';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';
import { loadDocumentedVerifier, startWebhookReceiver, type ReceivedWebhook, type VerifyWebhook, type WebhookReceiver } from '../helpers/webhook-receiver';

let api: TestApi;
let receiver: WebhookReceiver;
let verify: VerifyWebhook;

beforeAll(async () => {
  [api, receiver] = await Promise.all([startTestApi(), startWebhookReceiver()]);
  verify = loadDocumentedVerifier();
});

afterAll(async () => {
  await receiver?.close();
  await api?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const http = () => request(api.app);

interface Endpoint {
  id: string;
  secret: string;
}

async function newEndpoint(account: TestAccount, path: string, eventTypes = ['order.status_changed']): Promise<Endpoint> {
  const res = await http().post('/v1/webhook-endpoints').set(bearer(account.ownerToken)).send({ url: receiver.url(path), eventTypes, description: path });
  expect(res.status).toBe(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  return { id: res.body.id as string, secret: res.body.secret as string };
}

async function newOrder(account: TestAccount): Promise<string> {
  const res = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 100_000 });
  expect(res.status).toBe(201);
  return String(res.body.orderNumber);
}

async function submitSlip(account: TestAccount, orderNumber: string): Promise<void> {
  const res = await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect(res.status).toBe(201);
}

async function endpointOf(account: TestAccount, id: string) {
  const res = await http().get(`/v1/webhook-endpoints/${id}`).set(bearer(account.ownerToken));
  expect(res.status).toBe(200);
  return res.body as { status: string; pendingEvents: number; failingReason: string | null };
}

/** The queue of an endpoint in order (seq ascending). */
async function queueOf(account: TestAccount, id: string): Promise<Array<{ seq: number; eventId: string; state: string; attempts: number }>> {
  const res = await http().get(`/v1/webhook-endpoints/${id}/deliveries`).query({ pageSize: 100 }).set(bearer(account.ownerToken));
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ seq: number; eventId: string; state: string; attempts: number }>).reverse();
}

/** Waits until `path` has `n` requests; answers them. */
function requestsAt(path: string, n: number, timeoutMs = 20_000): Promise<ReceivedWebhook[]> {
  return eventually(async () => receiver.at(path), (r) => r.length >= n, timeoutMs);
}

/** Skips workflow time to `seconds` after `from` (the skipped seconds so far), then lets in-flight attempts land. */
async function skipTo(from: { skipped: number }, seconds: number): Promise<void> {
  if (seconds > from.skipped) await api.env.sleep((seconds - from.skipped) * 1000);
  from.skipped = Math.max(from.skipped, seconds);
  await new Promise((r) => setTimeout(r, 400));
}

test('When an endpoint answers 500 five times, then the event comes back with exponential backoff and is delivered on the sixth attempt', async () => {
  const account = await createTestAccount(api.t.db.pool);
  receiver.answer('/flaky', (n) => ({ status: n <= 5 ? 500 : 200, body: n <= 5 ? 'receiver is down' : 'ok' }));
  const endpoint = await newEndpoint(account, '/flaky');
  const orderNumber = await newOrder(account);
  const [first] = await requestsAt('/flaky', 1);
  expect(first!.event).toMatchObject({ type: 'order.status_changed', data: { orderNumber, status: 'unpaid', previousStatus: null } });

  // The backoff of the policy's defaults: 30 s, 1 min, 2 min, 4 min, then 8 min: attempts 2..6 at 30, 90, 210, 450, 930 s.
  const clock = { skipped: 0 };
  for (const [before, after, attempts] of [
    [25, 35, 2],
    [85, 95, 3],
    [205, 215, 4],
    [445, 455, 5],
    [925, 935, 6],
  ] as const) {
    await skipTo(clock, before);
    expect({ at: before, attempts: receiver.at('/flaky').length }).toEqual({ at: before, attempts: attempts - 1 });
    await skipTo(clock, after);
    expect({ at: after, attempts: (await requestsAt('/flaky', attempts)).length }).toEqual({ at: after, attempts });
  }

  const all = receiver.at('/flaky');
  expect(all.map((r) => r.event.id)).toEqual(Array(6).fill(first!.event.id));
  expect(all.map((r) => r.headers['idempotency-key'])).toEqual(Array(6).fill(first!.event.id));
  expect(all.map((r) => r.headers['topup-delivery-attempt'])).toEqual(['1', '2', '3', '4', '5', '6']);
  for (const r of all) expect(verify(r.rawBody, r.headers['topup-signature'] as string, endpoint.secret).id).toBe(first!.event.id);

  const log = await http().get(`/v1/webhook-endpoints/${endpoint.id}/attempts`).set(bearer(account.ownerToken));
  expect(log.body.items.reverse().map((a: { statusCode: number; delivered: boolean; responseExcerpt: string }) => [a.statusCode, a.delivered, a.responseExcerpt])).toEqual([
    ...Array(5).fill([500, false, 'receiver is down']),
    [200, true, 'ok'],
  ]);
  expect(await queueOf(account, endpoint.id)).toEqual([{ seq: 1, eventId: first!.event.id, state: 'delivered', attempts: 6, ...{} }].map((d) => expect.objectContaining(d)));
  // Nothing more is sent once it is delivered.
  await skipTo(clock, 4_000);
  expect(receiver.at('/flaky')).toHaveLength(6);
  await recordHistory('webhook-retried-then-delivered', api.env.client.workflow.getHandle(webhookDeliveryWorkflowId(endpoint.id)));
});

test('When events of one account come one after another, then each endpoint gets them in order, one request at a time, and a slow endpoint delays only itself', async () => {
  const account = await createTestAccount(api.t.db.pool);
  receiver.answer('/slow', () => ({ status: 204, delayMs: 1_500 }));
  const [fast, slow] = [await newEndpoint(account, '/in-order'), await newEndpoint(account, '/slow')];
  const orders: string[] = [];
  for (let i = 0; i < 4; i += 1) {
    const orderNumber = await newOrder(account);
    orders.push(orderNumber);
    await submitSlip(account, orderNumber);
  }
  const expected = (await eventually(() => queueOf(account, fast.id), (q) => q.length === 8)).map((d) => d.eventId);
  // A test event asked for while the slow endpoint's queue drains waits for the request in flight.
  const tested = await http().post(`/v1/webhook-endpoints/${slow.id}/test`).set(bearer(account.ownerToken));
  expect(tested.body.outcome).toMatchObject({ delivered: true });
  const got = await requestsAt('/in-order', 8);
  // The fast one has all 8 while the slow one (1.5 s an answer) is still on its first few.
  expect(receiver.at('/slow').length).toBeLessThan(8);
  expect(got.map((r) => r.event.id)).toEqual(expected);
  // Each order's statuses in their order, and the events in their order of creation.
  for (const orderNumber of orders) {
    expect(got.filter((r) => r.event.data.orderNumber === orderNumber).map((r) => r.event.data.status)).toEqual(['unpaid', 'dealing']);
  }
  const created = got.map((r) => Date.parse(r.event.created));
  expect(created).toEqual([...created].sort((a, b) => a - b));
  const slowOnes = (await requestsAt('/slow', 9, 60_000)).filter((r) => r.event.type !== 'webhook.test');
  expect(slowOnes.map((r) => r.event.id)).toEqual((await queueOf(account, slow.id)).map((d) => d.eventId));
  expect({ fast: receiver.maxInFlight('/in-order'), slow: receiver.maxInFlight('/slow') }).toEqual({ fast: 1, slow: 1 });
  for (const r of [...got, ...slowOnes]) verify(r.rawBody, r.headers['topup-signature'] as string, r.path === '/slow' ? slow.secret : fast.secret);
});

test('When an event is redelivered, then the endpoint receives the same event id and body again; a test event arrives signed too', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const endpoint = await newEndpoint(account, '/redeliver');
  await newOrder(account);
  const [original] = await requestsAt('/redeliver', 1);
  await eventually(() => queueOf(account, endpoint.id), (q) => q[0]?.state === 'delivered');

  const redelivered = await http().post(`/v1/webhook-endpoints/${endpoint.id}/events/${original!.event.id}/redeliver`).set(bearer(account.ownerToken));
  expect(redelivered.status).toBe(200);
  expect(redelivered.body).toMatchObject({ eventId: original!.event.id, kind: 'redeliver', outcome: { delivered: true, statusCode: 204 } });
  const [, again] = await requestsAt('/redeliver', 2);
  expect(again!.rawBody.equals(original!.rawBody)).toBe(true);
  expect(again!.headers['idempotency-key']).toBe(original!.event.id);
  expect(verify(again!.rawBody, again!.headers['topup-signature'] as string, endpoint.secret).id).toBe(original!.event.id);

  const tested = await http().post(`/v1/webhook-endpoints/${endpoint.id}/test`).set(bearer(account.ownerToken));
  expect(tested.status).toBe(200);
  expect(tested.body.outcome).toMatchObject({ delivered: true, statusCode: 204 });
  const [, , test] = await requestsAt('/redeliver', 3);
  expect(verify(test!.rawBody, test!.headers['topup-signature'] as string, endpoint.secret)).toMatchObject({ id: tested.body.eventId, type: 'webhook.test', accountId: account.accountId });

  const log = await http().get(`/v1/webhook-endpoints/${endpoint.id}/attempts`).set(bearer(account.ownerToken));
  expect(log.body.items.map((a: { kind: string; eventId: string }) => [a.kind, a.eventId])).toEqual([
    ['test', tested.body.eventId],
    ['redeliver', original!.event.id],
    ['automatic', original!.event.id],
  ]);
  // Only events of its queue can be redelivered to an endpoint.
  const other = await http().post(`/v1/webhook-endpoints/${endpoint.id}/events/${tested.body.eventId}/redeliver`).set(bearer(account.ownerToken));
  expect(other.status).toBe(404);
});

test('When the secret is rotated, then for 24 hours each request verifies with the old secret and with the new one, then with the new one only', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const endpoint = await newEndpoint(account, '/rotating');
  const rotated = await http().post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).set(bearer(account.ownerToken));
  expect(rotated.status).toBe(200);
  const fresh = rotated.body.secret as string;
  expect(fresh).not.toBe(endpoint.secret);
  await newOrder(account);
  const [during] = await requestsAt('/rotating', 1);
  expect(verify(during!.rawBody, during!.headers['topup-signature'] as string, endpoint.secret).id).toBe(during!.event.id);
  expect(verify(during!.rawBody, during!.headers['topup-signature'] as string, fresh).id).toBe(during!.event.id);

  await api.env.sleep('24h');
  await newOrder(account);
  const [, after] = await requestsAt('/rotating', 2);
  expect(verify(after!.rawBody, after!.headers['topup-signature'] as string, fresh).id).toBe(after!.event.id);
  expect(() => verify(after!.rawBody, after!.headers['topup-signature'] as string, endpoint.secret)).toThrow(/no signature matches/);
});

test('When an endpoint stays down for 3 days, then it is marked failing and its owner emailed; its events wait in order and are delivered once it is resumed', async () => {
  const account = await createTestAccount(api.t.db.pool);
  let up = false;
  receiver.answer('/dead', () => (up ? { status: 204 } : { status: 503, body: 'maintenance' }));
  const endpoint = await newEndpoint(account, '/dead');
  const firstOrder = await newOrder(account);
  await requestsAt('/dead', 1);
  const secondOrder = await newOrder(account);

  const clock = { skipped: 0 };
  for (let hour = 6; hour <= 71; hour += 5) {
    await skipTo(clock, hour * 3600);
    expect({ hour, status: (await endpointOf(account, endpoint.id)).status }).toEqual({ hour, status: 'active' });
  }
  await skipTo(clock, 72 * 3600 + 60);
  const failing = await eventually(() => endpointOf(account, endpoint.id), (e) => e.status === 'failing');
  expect(failing).toMatchObject({ status: 'failing', pendingEvents: 2 });
  expect(failing.failingReason).toMatch(/over 3 days/);
  const attempts = receiver.at('/dead');
  // Only the event in front was tried, never the one behind it: 30 s doubling to 1 h, then hourly for 3 days (about 79 attempts).
  expect(new Set(attempts.map((r) => r.event.data.orderNumber))).toEqual(new Set([firstOrder]));
  expect(attempts.length).toBeGreaterThanOrEqual(70);
  const mails = await eventually(
    () => Promise.all(api.t.sink.messages.map((m) => simpleParser(m.raw))),
    (all) => all.some((m) => m.subject === `Webhook endpoint failing: ${receiver.url('/dead')}`),
  );
  const mail = mails.find((m) => m.subject === `Webhook endpoint failing: ${receiver.url('/dead')}`)!;
  expect([mail.to].flat().map((a) => a?.text)).toEqual([account.ownerEmail]);
  expect(mail.text).toContain(attempts[0]!.event.id);

  // Waiting: a day later nothing more was tried.
  await skipTo(clock, 96 * 3600);
  expect(receiver.at('/dead')).toHaveLength(attempts.length);

  up = true;
  const resumed = await http().post(`/v1/webhook-endpoints/${endpoint.id}/resume`).set(bearer(account.ownerToken));
  expect(resumed.body.status).toBe('active');
  const all = await requestsAt('/dead', attempts.length + 2);
  expect(all.slice(attempts.length).map((r) => r.event.data.orderNumber)).toEqual([firstOrder, secondOrder]);
  expect((await queueOf(account, endpoint.id)).map((d) => d.state)).toEqual(['delivered', 'delivered']);
  await recordHistory('webhook-failing-resumed', api.env.client.workflow.getHandle(webhookDeliveryWorkflowId(endpoint.id)));
});
