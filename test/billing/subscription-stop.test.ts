/**
 * An owner stops a subscription at the end of the period paid (issue 21, seed 002: a service "dihentikan"), in the
 * time-skipping server with the real billing workflow and activities, through the API: stopped before its renewal
 * (none is issued), while its renewal is unpaid (voided, never payable), and after the renewal was paid from the
 * deposit (the service runs through the period paid, then stops). Each with the dates a customer reads.
 */
import request from 'supertest';
import { billingPeriod } from '../../workflows/billing/periods';
import { billingWorkflowId } from '../../workflows/definitions';
import { recordHistory } from '../helpers/histories';
import { bearer, useStaffUsers, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createPicUser, createTestAccount, type TestAccount } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const TZ = 'Asia/Jakarta';
const PRICE = 50_000;

const api = useTestApi();
const { finance, service } = useStaffUsers(api, 'finance', 'service');

const http = () => request(api.app);

interface Subscription {
  id: string;
  status: string;
  stop: { requestedAt: string; requestedBy: string; endsOn: string } | null;
  stoppedAt: string | null;
}

async function subscribe(account: TestAccount, startDate: string): Promise<Subscription> {
  const created = await http().post('/v1/subscriptions').set(bearer(service.token)).send({ accountId: account.accountId, product: 'Cloud VPS S', price: PRICE, cycleMonths: 1, startDate });
  expect(created.status).toBe(201);
  return created.body as Subscription;
}

const subscription = async (account: TestAccount, id: string) => ((await http().get('/v1/subscriptions').set(bearer(account.ownerToken))).body.items as Subscription[]).find((s) => s.id === id)!;
const invoices = async (account: TestAccount) => (await http().get('/v1/invoices').set(bearer(account.ownerToken))).body.items as { id: string; status: string; periodStart: string }[];
const stop = (account: TestAccount, id: string, token = account.ownerToken) => http().post(`/v1/subscriptions/${id}/stop`).set(bearer(token)).send({});

async function skipTo(instant: number): Promise<void> {
  const now = await api.env.currentTimeMs();
  if (instant > now) await api.env.sleep(instant - now);
}

test('When the owner stops a subscription before its renewal, then it runs to the end of the period, no renewal is issued, and it is stopped then; a PIC may not stop it, another account cannot see it', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const pic = await createPicUser(api.t.db.pool, account);
  const stranger = await createTestAccount(api.t.db.pool);
  const start = '2027-02-10';
  const sub = await subscribe(account, start);
  const period = billingPeriod(start, 1, 0, TZ);

  expect((await stop(account, sub.id, pic.token)).status).toBe(403);
  expect((await stop(stranger, sub.id)).status).toBe(404);
  const stopped = await stop(account, sub.id);
  expect(stopped.status).toBe(200);
  expect(stopped.body).toMatchObject({ id: sub.id, status: 'active', stop: { requestedBy: account.ownerUsername, endsOn: '2027-03-10' }, stoppedAt: null });
  // Asking again answers the same stop.
  expect((await stop(account, sub.id)).body.stop).toEqual(stopped.body.stop);
  const log = await http().get('/v1/operation-log?action=subscription').set(bearer(account.ownerToken));
  expect(log.body.items.map((i: { action: string; details: Record<string, unknown> }) => [i.action, i.details])).toEqual([
    ['subscription.stop', { subscriptionId: sub.id, endsOn: '2027-03-10' }],
    ['subscription.create', expect.objectContaining({ subscriptionId: sub.id })],
  ]);

  // Past the day the renewal would have been issued: none is, and the service still runs.
  await skipTo(period.invoiceAt + 3_600_000);
  expect(await invoices(account)).toEqual([]);
  expect((await subscription(account, sub.id)).status).toBe('active');
  // The period ends: stopped.
  await skipTo(period.dueAt + 60_000);
  const ended = await eventually(() => subscription(account, sub.id), (s) => s.status === 'stopped');
  expect(ended).toMatchObject({ status: 'stopped', stoppedAt: expect.any(String) });
  expect(Date.parse(ended.stoppedAt!)).toBeGreaterThanOrEqual(period.dueAt);
  expect(await invoices(account)).toEqual([]);
  const again = await stop(account, sub.id);
  expect({ status: again.status, message: again.body.error.message }).toEqual({ status: 409, message: `subscription ${sub.id} is stopped already; there is nothing to stop` });
  // With its only service stopped, the account may not top up its deposit.
  const deposit = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'deposit', amount: 100_000 });
  expect(deposit.body.error).toMatchObject({ code: 'deposit_not_allowed', message: 'a deposit top-up needs an active subscription' });
});

test('When the owner stops a subscription whose renewal is unpaid, then the invoice is void and can no longer be paid, and the service stops at the end of the period', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const start = '2027-04-10';
  const sub = await subscribe(account, start);
  const period = billingPeriod(start, 1, 0, TZ);
  await skipTo(period.invoiceAt + 60_000);
  const [renewal] = await eventually(() => invoices(account), (l) => l.length === 1);
  expect(renewal).toMatchObject({ status: 'unpaid', periodStart: '2027-05-10' });

  const stopped = await stop(account, sub.id);
  expect(stopped.body.stop).toMatchObject({ endsOn: '2027-05-10' });
  expect(await eventually(async () => (await invoices(account))[0]!.status, (s) => s === 'void')).toBe('void');
  const pay = await http().post(`/v1/invoices/${renewal!.id}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'bank_transfer' });
  expect({ status: pay.status, message: pay.body.error.message }).toEqual({ status: 409, message: `invoice ${renewal!.id} is void: its service was stopped` });
  // A void invoice no longer blocks anything: no invoice is unpaid.
  expect((await http().get('/v1/invoices?status=unpaid').set(bearer(account.ownerToken))).body.items).toEqual([]);
  expect((await subscription(account, sub.id)).status).toBe('active');

  await skipTo(period.dueAt + 60_000);
  expect((await eventually(() => subscription(account, sub.id), (s) => s.status === 'stopped')).status).toBe('stopped');
  // It was never suspended: the unpaid renewal was for a period the owner did not want.
  const statuses = await api.t.db.pool.query<{ action: string }>(`SELECT action FROM operation_log WHERE account_id = $1 ORDER BY id`, [account.accountId]);
  expect(statuses.rows.map((r) => r.action)).toEqual(['subscription.create', 'subscription.stop']);
  await recordHistory('subscription-stopped-unpaid-renewal-voided', api.env.client.workflow.getHandle(billingWorkflowId(sub.id)));
});

test('When the owner stops a subscription after its renewal was paid from the deposit, then the service runs through the period paid and stops at its end, with no further renewal', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const start = '2027-06-10';
  const sub = await subscribe(account, start);
  // A deposit of 50,000 pays one renewal.
  const order = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'deposit', amount: 50_000 });
  const n = String(order.body.orderNumber);
  await http().post(`/v1/orders/${n}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect((await http().post(`/v1/orders/${n}/approve`).set(bearer(finance.token)).send({ checkResult: 'ok' })).body.status).toBe('paid');

  const first = billingPeriod(start, 1, 0, TZ);
  const second = billingPeriod(start, 1, 1, TZ);
  await skipTo(first.invoiceAt + 60_000);
  expect(await eventually(async () => (await invoices(account))[0]?.status, (s) => s === 'paid')).toBe('paid');

  const stopped = await stop(account, sub.id);
  expect(stopped.status).toBe(200);
  // The renewal paid for the second period: the service ends with it.
  expect(await eventually(async () => (await subscription(account, sub.id)).stop?.endsOn, (d) => d === '2027-08-10')).toBe('2027-08-10');

  await skipTo(first.dueAt + 3_600_000);
  expect((await subscription(account, sub.id)).status).toBe('active');
  await skipTo(second.invoiceAt + 3_600_000);
  expect((await invoices(account)).length).toBe(1);
  await skipTo(second.dueAt + 60_000);
  expect((await eventually(() => subscription(account, sub.id), (s) => s.status === 'stopped')).status).toBe('stopped');
  expect((await invoices(account)).map((i) => i.status)).toEqual(['paid']);
});
