/**
 * Changes an order's own timers make are in the operation log (issue 21, "wrong today"): Closed at 120 h unsubmitted,
 * Payment Failure when the 24 h review window passes, final 120 h later, an online draft closed, an online invoice
 * expired, and the gateway's payment; each with no user (the console says "system"), with the policy's duration, in
 * the time-skipping server with the real workflows and activities, read through the API.
 */
import request from 'supertest';
import { bearer, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const api = useTestApi();

const http = () => request(api.app);
const HOUR = 3_600_000;

interface LogItem {
  action: string;
  actor: { username: string } | null;
  details: Record<string, unknown>;
}

/** The order's log, oldest first, once it has `action`. */
async function logOf(account: TestAccount, n: string, action: string): Promise<LogItem[]> {
  const read = async () => ((await http().get(`/v1/operation-log?orderNumber=${n}`).set(bearer(account.ownerToken))).body.items as LogItem[]).reverse();
  return eventually(read, (items) => items.some((i) => i.action === action));
}

const summary = (items: LogItem[]) => items.map((i) => [i.action, i.actor?.username ?? null, i.details.status]);

test('When a bank-transfer order is never submitted, then its closing at 120 h is logged with no user', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const n = String((await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 100_000 })).body.orderNumber);
  await api.env.sleep(120 * HOUR + 60_000);
  const log = await logOf(account, n, 'order.close');
  expect(summary(log)).toEqual([
    ['order.create', account.ownerUsername, 'unpaid'],
    ['order.close', null, 'closed'],
  ]);
  expect(log[1]!.details).toMatchObject({ after: '120h' });
});

test('When finance does not decide within 24 h, then Payment Failure is logged with no user, and so is the order becoming final 120 h later', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const n = String((await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 100_000 })).body.orderNumber);
  expect((await http().post(`/v1/orders/${n}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' })).status).toBe(201);
  await api.env.sleep(24 * HOUR + 60_000);
  await logOf(account, n, 'order.review_window_expired');
  await api.env.sleep(120 * HOUR + 60_000);
  const log = await logOf(account, n, 'order.final');
  expect(summary(log).slice(-3)).toEqual([
    ['order.submit_slip', account.ownerUsername, 'dealing'],
    ['order.review_window_expired', null, 'payment_failure'],
    ['order.final', null, 'payment_failure'],
  ]);
  expect(log.at(-2)!.details).toMatchObject({ window: '24h' });
});

test("When an online draft is never confirmed, or its invoice expires, then the closing is logged with no user; the gateway's payment too", async () => {
  const account = await createTestAccount(api.t.db.pool);
  const draft = String((await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 100_000 }] })).body.orderNumber);
  const expiring = String((await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 100_000 }] })).body.orderNumber);
  const paid = String((await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 100_000 }] })).body.orderNumber);
  for (const n of [expiring, paid]) expect((await http().post(`/v1/online-orders/${n}/confirm`).set(bearer(account.ownerToken)).send({ paymentMethod: 'virtual_account' })).status).toBe(200);
  await api.t.gateway.pay(api.t.gateway.invoices().find((i) => i.merchantRef === paid)!.providerRef);
  expect(summary(await logOf(account, paid, 'online_order.paid')).at(-1)).toEqual(['online_order.paid', null, 'paid']);
  await api.env.sleep(120 * HOUR + 60_000);
  expect(summary(await logOf(account, expiring, 'online_order.invoice_expired')).at(-1)).toEqual(['online_order.invoice_expired', null, 'closed']);
  expect(summary(await logOf(account, draft, 'online_order.close')).at(-1)).toEqual(['online_order.close', null, 'closed']);
});
