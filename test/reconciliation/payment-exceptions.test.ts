/**
 * Issue 19, through the sandbox gateway's signed callbacks into the API (a real time-skipping Temporal, worker,
 * PostgreSQL and SMTP sink): an underpayment, an overpayment, a double payment, a payment after the late-payment
 * watch and a payment with an unknown reference each open exactly one payment exception and credit nothing by
 * themselves; finance's decision moves the money once (credit, attach, refund, dismiss), a decision sent twice
 * changes nothing the second time, and an open exception reminds finance every 24 hours.
 */
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { getBalances } from '../../db/ledger/ledger';
import { checkInvariants } from '../../db/ledger/invariants';
import { proveReceivedMoney } from '../../db/reconciliation/money-proof';
import { signCallbackPayload, type AnySandboxEvent } from '../../scripts/sandbox-gateway';
import { orderWorkflowId, type OnlineOrderView, type OrderView, type PaymentExceptionView } from '../../workflows/definitions';
import { bearer, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { TEST_GATEWAY } from '../helpers/activity-deps';
import { SLIP_PNG } from '../helpers/slips';
import { sampleValue } from '../helpers/prometheus';

const api = useTestApi();
let finance: TestUser;

const http = () => request(api.app);

beforeAll(async () => {
  finance = await createStaffUser(api.t.db.pool, 'finance');
});

/** An online top-up of the credit wallet, confirmed for a virtual account: its invoice's provider reference. */
async function invoicedOrder(account: TestAccount, amount: number): Promise<{ orderNumber: string; providerRef: string }> {
  const created = await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount }] });
  expect(created.status).toBe(201);
  const orderNumber = String(created.body.orderNumber);
  const confirmed = await http().post(`/v1/online-orders/${orderNumber}/confirm`).set(bearer(account.ownerToken)).send({ paymentMethod: 'virtual_account' });
  expect(confirmed.status).toBe(200);
  return { orderNumber, providerRef: (confirmed.body as OnlineOrderView).invoice!.providerRef };
}

/** A bank-transfer order of the credit wallet, Dealing with its slip when asked, else Unpaid. */
async function bankTransferOrder(account: TestAccount, amount: number, dealing: boolean): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount });
  expect(created.status).toBe(201);
  const orderNumber = String(created.body.orderNumber);
  if (dealing) {
    const slip = await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
    expect(slip.status).toBe(201);
  }
  return orderNumber;
}

async function readOrder<V>(orderNumber: string): Promise<V> {
  const res = await http().get(`/v1/orders/${orderNumber}`).set(bearer(finance.token));
  expect(res.status).toBe(200);
  return res.body as V;
}

/** The exceptions of a payment, as finance's queue lists them (every status). */
async function exceptionsOf(paymentId: string): Promise<PaymentExceptionView[]> {
  const res = await http().get('/v1/finance/exceptions?status=all&pageSize=100').set(bearer(finance.token));
  expect(res.status).toBe(200);
  return (res.body.items as PaymentExceptionView[]).filter((e) => e.payment.paymentId === paymentId);
}

/** Waits for the one exception of a payment, in `status`. */
async function theException(paymentId: string, status = 'open'): Promise<PaymentExceptionView> {
  const found = await eventually(() => exceptionsOf(paymentId), (list) => list.length === 1 && list[0]!.status === status);
  expect(found.map((e) => ({ paymentId: e.payment.paymentId, status: e.status }))).toEqual([{ paymentId, status }]);
  return found[0]!;
}

async function creditBalance(account: TestAccount): Promise<number> {
  return (await getBalances(api.t.db.pool, account.accountId)).find((b) => b.wallet === 'credit')!.current;
}

async function ledgerEntries(account: TestAccount): Promise<Array<{ key: string; amount: number }>> {
  const res = await api.t.db.pool.query<{ key: string; amount: number }>('SELECT idempotency_key AS key, amount FROM journal_entries WHERE account_id = $1 ORDER BY id', [account.accountId]);
  return res.rows;
}

function decide(exceptionId: string, action: 'credit' | 'attach' | 'refund' | 'dismiss', body: Record<string, unknown>) {
  return http().post(`/v1/finance/exceptions/${exceptionId}/${action}`).set(bearer(finance.token)).send(body);
}

/** Sends a callback again, exactly as the gateway signs one (a gateway that delivers twice). */
async function deliverAgain(event: AnySandboxEvent): Promise<number> {
  const raw = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await http()
    .post('/v1/payments/callback')
    .set('content-type', 'application/json')
    .set('x-sandbox-timestamp', String(timestamp))
    .set('x-sandbox-signature', signCallbackPayload(TEST_GATEWAY.callbackSecret, timestamp, raw))
    .send(raw);
  return res.status;
}

const paymentIdOf = (event: { id: string }) => `gw_${event.id}`;

/** The money proof holds, and the ledger with the read model. */
async function expectMoneyAccountedFor(): Promise<void> {
  const proof = await proveReceivedMoney(api.t.db.pool);
  expect(proof.violations).toEqual([]);
  expect(proof.totals.received).toBe(proof.totals.credited + proof.totals.refunded + proof.totals.open + proof.totals.dismissed);
  // The paid emails go out after the answers; the invariants hold once they are sent.
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
}

// First, while no other exception is open: the watch is 90 days of time skipped, and open exceptions remind daily.
test('When money arrives after the late-payment watch ended, then it opens one after_expiry_watch exception; attached to an open order it is held, and credited once when that order is paid', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { orderNumber, providerRef } = await invoicedOrder(account, 130_000);
  // Past the invoice's expiry (23:59:59 of the next day) and the 90-day watch: the order's workflow has ended.
  await api.env.sleep('2 days');
  expect(await eventually(() => readOrder<OnlineOrderView>(orderNumber), (o) => o.status === 'closed')).toMatchObject({ status: 'closed' });
  await api.env.sleep('91 days');
  await eventually(
    () => api.env.client.workflow.getHandle(`topup-${orderNumber}`).describe().then((d) => d.status.name),
    (s) => s === 'COMPLETED',
  );

  const { event } = await api.t.gateway.pay(providerRef);
  const paymentId = paymentIdOf(event);
  const exception = await theException(paymentId);
  expect(exception).toMatchObject({ reason: 'after_expiry_watch', payment: { amount: 130_000, orderNumber }, suggestion: { orderNumber, accountId: account.accountId, wallet: 'credit' } });
  expect(await deliverAgain(event)).toBe(200);
  expect(await exceptionsOf(paymentId)).toHaveLength(1);
  expect(await readOrder<OnlineOrderView>(orderNumber)).toMatchObject({ status: 'closed', payment: null });
  expect(await ledgerEntries(account)).toEqual([]);

  // Attached to an Unpaid bank-transfer order of 200,000: the order holds it and shows 70,000 still due.
  const target = await bankTransferOrder(account, 200_000, false);
  const attached = await decide(paymentId, 'attach', { orderNumber: target, note: 'the customer paid the old invoice; it goes to the new order' });
  expect(attached.status).toBe(200);
  expect(attached.body).toMatchObject({ status: 'attached', allocations: { held: 130_000, credited: 0 }, openAmount: 0 });
  const holding = await readOrder<OrderView>(target);
  expect(holding).toMatchObject({ status: 'unpaid', payments: [{ paymentId, amount: 130_000, exceptionId: paymentId }] });
  expect(await ledgerEntries(account)).toEqual([]);
  // Sent again: the same answer, nothing more held.
  const again = await decide(paymentId, 'attach', { orderNumber: target, note: 'again' });
  expect(again.body).toMatchObject({ status: 'attached', allocations: { held: 130_000 } });
  expect((await readOrder<OrderView>(target)).payments).toHaveLength(1);

  // The customer transfers the rest and uploads the slip; finance approves: credited once, the exception resolved.
  await http().post(`/v1/orders/${target}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  const approved = await http().post(`/v1/orders/${target}/approve`).set(bearer(finance.token)).send({ checkResult: 'the rest of 70,000 arrived' });
  expect(approved.status).toBe(200);
  const resolved = await theException(paymentId, 'resolved');
  expect(resolved.allocations).toEqual({ credited: 130_000, refunded: 0, dismissed: 0, held: 0 });
  expect(await ledgerEntries(account)).toEqual([{ key: `topup:${target}:paid`, amount: 200_000 }]);
  expect(await creditBalance(account)).toBe(200_000);
  await expectMoneyAccountedFor();
});

test('When a virtual account is underpaid, then one amount_mismatch exception opens and nothing is credited; credited to the wallet, a Paid order with its receipt and email credits it once, and a repeat changes nothing', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { orderNumber, providerRef } = await invoicedOrder(account, 250_000);
  const { event } = await api.t.gateway.pay(providerRef, { amount: 200_000 });
  const paymentId = paymentIdOf(event);

  const exception = await theException(paymentId);
  expect(exception).toMatchObject({ reason: 'amount_mismatch', difference: -50_000, payment: { amount: 200_000, orderNumber, source: 'gateway' } });
  expect(await deliverAgain(event)).toBe(200);
  expect(await exceptionsOf(paymentId)).toHaveLength(1);
  expect(await readOrder<OnlineOrderView>(orderNumber)).toMatchObject({ status: 'awaiting_payment', payment: null });
  expect(await ledgerEntries(account)).toEqual([]);

  const credited = await decide(paymentId, 'credit', { accountId: account.accountId, wallet: 'credit', note: 'customer asked to keep it as balance' });
  expect(credited.status).toBe(200);
  expect(credited.body).toMatchObject({ status: 'resolved', allocations: { credited: 200_000, refunded: 0, dismissed: 0, held: 0 }, resolution: { action: 'credit', creditOrders: [expect.stringMatching(/^\d{13}$/)] } });
  const newOrder = credited.body.resolution.creditOrders[0] as string;
  expect(await readOrder<OrderView>(newOrder)).toMatchObject({ status: 'paid', amount: 200_000, accountId: account.accountId, createdBy: account.ownerId, payments: [{ paymentId, amount: 200_000 }], checkResult: expect.stringContaining(paymentId) });
  const receipt = await http().get(`/v1/orders/${newOrder}/receipt.pdf`).set(bearer(account.ownerToken));
  expect(receipt.status).toBe(200);
  const paidMail = await eventually(
    () => Promise.all(api.t.sink.messages.filter((m) => m.to.includes(account.ownerEmail)).map((m) => simpleParser(m.raw))),
    (mails) => mails.some((m) => m.subject?.includes(newOrder) && m.attachments.length === 1),
  );
  expect(paidMail.filter((m) => m.subject?.includes(newOrder) && m.attachments.length === 1)).toHaveLength(1);

  const again = await decide(paymentId, 'credit', { accountId: account.accountId, wallet: 'credit', note: 'double click' });
  expect(again.status).toBe(200);
  expect(again.body.resolution.creditOrders).toEqual([newOrder]);
  const otherDecision = await decide(paymentId, 'dismiss', { note: 'no, dismiss it' });
  expect({ status: otherDecision.status, code: otherDecision.body.error.code }).toEqual({ status: 409, code: 'invalid_transition' });
  expect(await ledgerEntries(account)).toEqual([{ key: `topup:${newOrder}:paid`, amount: 200_000 }]);
  expect(await creditBalance(account)).toBe(200_000);

  const detail = await http().get(`/v1/finance/exceptions/${paymentId}`).set(bearer(finance.token));
  expect(detail.body.log).toEqual([expect.objectContaining({ action: 'exception.credit', actor: finance.username, details: expect.objectContaining({ note: 'customer asked to keep it as balance' }) })]);
  await expectMoneyAccountedFor();
});

test('When a virtual account is overpaid, then one amount_mismatch exception opens; refunded through the gateway, its signed refund callback resolves it, once', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { providerRef } = await invoicedOrder(account, 100_000);
  const { event } = await api.t.gateway.pay(providerRef, { amount: 150_000 });
  const paymentId = paymentIdOf(event);
  const exception = await theException(paymentId);
  expect(exception).toMatchObject({ reason: 'amount_mismatch', difference: 50_000 });
  expect(await ledgerEntries(account)).toEqual([]);

  const refunding = await decide(paymentId, 'refund', { note: 'the customer wants the money back' });
  expect(refunding.status).toBe(200);
  expect(refunding.body).toMatchObject({ allocations: { refunded: 150_000 }, resolution: { action: 'refund', refundReference: `rf-${paymentId}` } });
  const resolved = await theException(paymentId, 'resolved');
  expect(resolved.history.map((h) => h.action)).toEqual(['opened', 'refund', 'refund_settled']);
  const again = await decide(paymentId, 'refund', { note: 'again' });
  expect(again.body).toMatchObject({ status: 'resolved', allocations: { refunded: 150_000 } });
  expect(api.t.gateway.refunds().filter((r) => r.reference === `rf-${paymentId}`)).toEqual([expect.objectContaining({ amount: 150_000, providerRef, status: 'succeeded' })]);
  const row = await api.t.db.pool.query('SELECT status, amount FROM refunds WHERE payment_id = $1', [paymentId]);
  expect(row.rows).toEqual([{ status: 'succeeded', amount: 150_000 }]);
  expect(await ledgerEntries(account)).toEqual([]);
  await expectMoneyAccountedFor();
});

test('When a Paid order is paid a second time, then one duplicate_payment exception opens and the order is credited once; dismissed with a reason, a repeat changes nothing', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { orderNumber, providerRef } = await invoicedOrder(account, 120_000);
  await api.t.gateway.pay(providerRef);
  expect(await eventually(() => readOrder<OnlineOrderView>(orderNumber), (o) => o.status === 'paid')).toMatchObject({ status: 'paid' });
  const { event } = await api.t.gateway.pay(providerRef, { again: true });
  const paymentId = paymentIdOf(event);
  expect(await theException(paymentId)).toMatchObject({ reason: 'duplicate_payment', payment: { amount: 120_000, orderNumber } });
  expect(await creditBalance(account)).toBe(120_000);

  const refused = await decide(paymentId, 'dismiss', { note: '  ' });
  expect(refused.status).toBe(400);
  expect(refused.body.error.fields).toEqual([{ path: 'note', rule: 'is required (say why)' }]);
  const dismissed = await decide(paymentId, 'dismiss', { note: 'paid twice by mistake; refunded by the bank directly' });
  expect(dismissed.body).toMatchObject({ status: 'resolved', allocations: { dismissed: 120_000 } });
  const again = await decide(paymentId, 'dismiss', { note: 'again' });
  expect(again.body).toMatchObject({ status: 'resolved', allocations: { dismissed: 120_000 }, revision: dismissed.body.revision });
  expect(await ledgerEntries(account)).toEqual([{ key: `topup:${orderNumber}:credit:paid`, amount: 120_000 }]);
  await expectMoneyAccountedFor();
});

test('When the gateway sends a payment again after its order took it and ended (the API stopped before marking the callback applied), then it is the same payment: no exception, credited once', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { orderNumber, providerRef } = await invoicedOrder(account, 140_000);
  const { event } = await api.t.gateway.pay(providerRef);
  expect(await eventually(() => readOrder<OnlineOrderView>(orderNumber), (o) => o.status === 'paid')).toMatchObject({ status: 'paid' });
  await api.env.client.workflow.getHandle(orderWorkflowId(orderNumber)).result();
  // The API was killed after signalling the order and before recording the callback as applied.
  await api.t.db.pool.query('UPDATE payment_events SET applied_at = NULL, disposition = NULL WHERE id = $1', [event.id]);

  expect(await deliverAgain(event)).toBe(200);
  expect(await exceptionsOf(paymentIdOf(event))).toEqual([]);
  expect(await ledgerEntries(account)).toEqual([{ key: `topup:${orderNumber}:credit:paid`, amount: 140_000 }]);
  const applied = await api.t.db.pool.query<{ applied: boolean }>('SELECT applied_at IS NOT NULL AS applied FROM payment_events WHERE id = $1', [event.id]);
  expect(applied.rows).toEqual([{ applied: true }]);
  await expectMoneyAccountedFor();
});

test('When a payment names no order of ours, then one unknown_reference exception opens; attached to a Dealing order it pays it, the rest credited to the wallet, and a repeat changes nothing', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { event } = await api.t.gateway.payStray({ merchantRef: 'INV-2026-0412', amount: 300_000 });
  const paymentId = paymentIdOf(event);
  expect(await theException(paymentId)).toMatchObject({ reason: 'unknown_reference', payment: { orderNumber: null, reference: 'INV-2026-0412' }, suggestion: { orderNumber: null } });
  expect(await deliverAgain(event)).toBe(200);
  expect(await exceptionsOf(paymentId)).toHaveLength(1);

  const target = await bankTransferOrder(account, 250_000, true);
  const missingRest = await decide(paymentId, 'attach', { orderNumber: target, note: 'the customer confirmed by phone' });
  expect(missingRest.status).toBe(400);
  expect(missingRest.body.error.fields[0]).toMatchObject({ path: 'rest' });
  const attached = await decide(paymentId, 'attach', { orderNumber: target, rest: 'credit', note: 'the customer confirmed by phone' });
  expect(attached.status).toBe(200);
  expect(attached.body).toMatchObject({ status: 'resolved', allocations: { credited: 300_000, held: 0 }, resolution: { action: 'attach', orderNumber: target, rest: 'credit' } });
  expect(await readOrder<OrderView>(target)).toMatchObject({ status: 'paid', payments: [{ paymentId, amount: 250_000 }] });
  const restOrder = attached.body.resolution.creditOrders[0] as string;
  expect(await readOrder<OrderView>(restOrder)).toMatchObject({ status: 'paid', amount: 50_000, payments: [{ paymentId, amount: 50_000 }] });

  const again = await decide(paymentId, 'attach', { orderNumber: target, rest: 'credit', note: 'again' });
  expect(again.body).toMatchObject({ status: 'resolved', resolution: { creditOrders: [restOrder] } });
  expect(await ledgerEntries(account)).toEqual([
    { key: `topup:${target}:paid`, amount: 250_000 },
    { key: `topup:${restOrder}:paid`, amount: 50_000 },
  ]);
  expect(await creditBalance(account)).toBe(300_000);
  await expectMoneyAccountedFor();
});

test('When an exception stays open, then finance is reminded every 24 hours until someone decides, and not after', async () => {
  const { event } = await api.t.gateway.payStray({ merchantRef: 'TYPO-1234', amount: 75_000 });
  const paymentId = paymentIdOf(event);
  await theException(paymentId);
  // /metrics counts it by reason while it waits, with the age of the oldest one waiting.
  const metrics = async () => (await http().get('/metrics')).text;
  expect(sampleValue(await metrics(), 'topup_payment_exceptions', { reason: 'unknown_reference' })).toBe(1);
  expect(sampleValue(await metrics(), 'topup_payment_exceptions', { reason: 'amount_mismatch' })).toBe(0);
  expect(sampleValue(await metrics(), 'topup_payment_exceptions_open_oldest_seconds')).toBeGreaterThanOrEqual(0);
  const reminders = async () => {
    const mails = await Promise.all(api.t.sink.messages.filter((m) => m.to.includes(finance.email)).map((m) => simpleParser(m.raw)));
    return mails.filter((m) => m.text?.includes(paymentId));
  };
  await api.env.sleep('23h');
  expect(await reminders()).toHaveLength(0);
  await api.env.sleep('1h');
  expect(await eventually(reminders, (m) => m.length === 1)).toHaveLength(1);
  await api.env.sleep('24h');
  expect(await eventually(reminders, (m) => m.length === 2)).toHaveLength(2);
  expect((await reminders())[0]!.subject).toBe('Payment exception still open: IDR 75,000 (unknown_reference)');
  await decide(paymentId, 'dismiss', { note: 'a test transfer of the bank' });
  expect(sampleValue(await metrics(), 'topup_payment_exceptions', { reason: 'unknown_reference' })).toBe(0);
  expect(sampleValue(await metrics(), 'topup_payment_exceptions_open_oldest_seconds')).toBe(0);
  await api.env.sleep('48h');
  expect(await reminders()).toHaveLength(2);
  await expectMoneyAccountedFor();
});
