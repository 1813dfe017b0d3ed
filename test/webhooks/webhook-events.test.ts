/**
 * Every webhook event type (issue 20) reaches a real HTTP receiver, signed, and verifies with the code of
 * docs/webhooks.md, loaded from the document; a tampered body or a stale timestamp does not. The events are made the
 * way customers make them, through the API with the real workflows in the time-skipping server: an order's
 * statuses, a low balance after usage, and a subscription's renewal invoice issued, unpaid, then paid. The automatic
 * top-up events are checked the same way in test/auto-topup/.
 */
import request from 'supertest';
import { billingPeriod } from '../../workflows/billing/periods';
import { bearer, useStaffUsers, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';
import { loadDocumentedVerifier, useWebhookReceiver, type ReceivedWebhook } from '../helpers/webhook-receiver';

const api = useTestApi();
const { finance, service } = useStaffUsers(api, 'finance', 'service');
const receiver = useWebhookReceiver();
const verify = loadDocumentedVerifier();

const http = () => request(api.app);
const ALL_TYPES = ['order.status_changed', 'balance.low', 'balance.auto_topup_succeeded', 'balance.auto_topup_failed', 'invoice.issued', 'invoice.paid', 'invoice.unpaid'];

async function paidBankTransfer(account: TestAccount, body: object): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send(body);
  expect(created.status).toBe(201);
  const orderNumber = String(created.body.orderNumber);
  expect((await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' })).status).toBe(201);
  expect((await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(finance.token)).send({ checkResult: 'ok' })).body.status).toBe('paid');
  return orderNumber;
}

function eventsOfType(path: string, type: string, n = 1): Promise<ReceivedWebhook[]> {
  return eventually(async () => receiver.at(path).filter((r) => r.event.type === type), (r) => r.length >= n);
}

test('When orders, balances and invoices change, then each event type arrives signed and verifies with the documented code; a tampered body or a stale timestamp does not', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const endpoint = await http().post('/v1/webhook-endpoints').set(bearer(account.ownerToken)).send({ url: receiver.url('/all'), eventTypes: ALL_TYPES });
  expect(endpoint.status).toBe(201);
  const secret = endpoint.body.secret as string;

  // order.status_changed: unpaid, dealing, paid, with the order as GET /v1/orders/{n} shows it.
  const orderNumber = await paidBankTransfer(account, { wallet: 'credit', amount: 200_000 });
  const statuses = await eventsOfType('/all', 'order.status_changed', 3);
  expect(statuses.map((r) => [r.event.data.status, r.event.data.previousStatus])).toEqual([
    ['unpaid', null],
    ['dealing', 'unpaid'],
    ['paid', 'dealing'],
  ]);
  const shown = await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken));
  expect(statuses[2]!.event.data.order).toEqual(shown.body);

  // balance.low: usage takes the wallet below 40 % of the 200,000 paid.
  const usage = await http().post('/v1/usage').set(bearer(service.token)).set('Idempotency-Key', `low-${account.accountId}`).send({ accountId: account.accountId, wallet: 'credit', amount: 150_000 });
  expect(usage.status).toBe(201);
  const [low] = await eventsOfType('/all', 'balance.low');
  expect(low!.event.data).toEqual({ wallet: 'credit', current: 50_000, reference: 200_000, percent: 40 });

  // invoice.issued and invoice.unpaid: a monthly subscription from today, no deposit; then invoice.paid once paid.
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta' }).format(await api.env.currentTimeMs());
  const subscription = await http().post('/v1/subscriptions').set(bearer(service.token)).send({ accountId: account.accountId, product: 'Cloud VPS S', price: 50_000, cycleMonths: 1, startDate: today });
  expect(subscription.status).toBe(201);
  const invoiceAt = billingPeriod(today, 1, 0, 'Asia/Jakarta').invoiceAt;
  await api.env.sleep(invoiceAt + 60_000 - (await api.env.currentTimeMs()));
  const [issued] = await eventsOfType('/all', 'invoice.issued');
  const [unpaid] = await eventsOfType('/all', 'invoice.unpaid');
  const invoiceId = issued!.event.data.invoice.id as string;
  expect(issued!.event.data.invoice).toMatchObject({ id: invoiceId, accountId: account.accountId, amount: 50_000 });
  expect(unpaid!.event.data.invoice).toMatchObject({ id: invoiceId, status: 'unpaid' });
  const pay = await http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'bank_transfer' });
  expect(pay.status).toBe(201);
  const payOrder = String(pay.body.orderNumber);
  expect((await http().post(`/v1/orders/${payOrder}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' })).status).toBe(201);
  expect((await http().post(`/v1/orders/${payOrder}/approve`).set(bearer(finance.token)).send({})).status).toBe(200);
  const [paid] = await eventsOfType('/all', 'invoice.paid');
  expect(paid!.event.data.invoice).toMatchObject({ id: invoiceId, status: 'paid' });

  const received = receiver.at('/all');
  expect(new Set(received.map((r) => r.event.type))).toEqual(new Set(['order.status_changed', 'balance.low', 'invoice.issued', 'invoice.unpaid', 'invoice.paid']));
  for (const r of received) {
    const header = r.headers['topup-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(r.rawBody, header, secret)).toEqual(r.event);
    expect(r.headers['idempotency-key']).toBe(r.event.id);
    expect(r.event.accountId).toBe(account.accountId);
  }

  // What a receiver must refuse: a changed body, another secret, a replay after the tolerance, a missing header.
  const sample = received[0]!;
  const header = sample.headers['topup-signature'] as string;
  const signedAt = Number(/t=(\d+)/.exec(header)![1]);
  const tampered = Buffer.from(sample.rawBody.toString('utf8').replace('"unpaid"', '"paid"'));
  expect(tampered.equals(sample.rawBody)).toBe(false);
  expect(() => verify(tampered, header, secret)).toThrow(/no signature matches/);
  expect(() => verify(sample.rawBody, header, 'whsec_not-the-secret')).toThrow(/no signature matches/);
  expect(() => verify(sample.rawBody, header, secret, signedAt + 301)).toThrow(/too old/);
  expect(verify(sample.rawBody, header, secret, signedAt + 299).id).toBe(sample.event.id);
  expect(() => verify(sample.rawBody, undefined, secret)).toThrow(/malformed/);
});

test('When money for one of its orders cannot be credited as it came, then the account receives one payment.exception_opened event, signed; another account hears nothing', async () => {
  const [account, other] = await Promise.all([createTestAccount(api.t.db.pool), createTestAccount(api.t.db.pool)]);
  const endpoint = await http().post('/v1/webhook-endpoints').set(bearer(account.ownerToken)).send({ url: receiver.url('/exceptions'), eventTypes: ['payment.exception_opened'] });
  const otherEndpoint = await http().post('/v1/webhook-endpoints').set(bearer(other.ownerToken)).send({ url: receiver.url('/other'), eventTypes: ALL_TYPES });
  expect([endpoint.status, otherEndpoint.status]).toEqual([201, 201]);

  // A virtual account of 250,000 paid 200,000: an underpayment, which finance decides on.
  const created = await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 250_000 }] });
  expect(created.status).toBe(201);
  const orderNumber = String(created.body.orderNumber);
  const confirmed = await http().post(`/v1/online-orders/${orderNumber}/confirm`).set(bearer(account.ownerToken)).send({ paymentMethod: 'virtual_account' });
  expect(confirmed.status).toBe(200);
  const { event: payment } = await api.t.gateway.pay(confirmed.body.invoice.providerRef as string, { amount: 200_000 });

  const [opened] = await eventsOfType('/exceptions', 'payment.exception_opened');
  expect(opened!.event).toMatchObject({ type: 'payment.exception_opened', accountId: account.accountId });
  expect(opened!.event.data).toEqual({
    exception: { exceptionId: `gw_${payment.id}`, reason: 'amount_mismatch', difference: -50_000, amount: 200_000, currency: 'IDR', receivedAt: expect.any(String), orderNumber, openedAt: expect.any(String) },
  });
  expect(verify(opened!.rawBody, opened!.headers['topup-signature'] as string, endpoint.body.secret as string)).toEqual(opened!.event);

  // The exception's later writes (finance's decision) publish nothing more: one event for the exception, ever.
  const dismissed = await http().post(`/v1/finance/exceptions/gw_${payment.id}/dismiss`).set(bearer(finance.token)).send({ note: 'paid to the wrong account; the customer pays again' });
  expect(dismissed.status).toBe(200);
  await eventually(async () => (await http().get(`/v1/finance/exceptions/gw_${payment.id}`).set(bearer(finance.token))).body.status as string, (status) => status === 'resolved');
  const published = await api.t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_events WHERE type = 'payment.exception_opened' AND account_id = ANY($1)`, [[account.accountId, other.accountId]]);
  expect(published.rows[0]!.n).toBe(1);
  expect(receiver.at('/exceptions').filter((r) => r.event.type === 'payment.exception_opened')).toHaveLength(1);
  expect(receiver.at('/other').filter((r) => r.event.type === 'payment.exception_opened')).toEqual([]);
});
