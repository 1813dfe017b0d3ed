/**
 * An approval under way holds the order's timers (issue 22): an Unpaid order paid in full by a payment exception's
 * money, and a Payment Failure order likewise, whose 120 h deadline passes while the approval's credit is still
 * running, end Paid, credited once, and are never closed (or made final) underneath it. The real API, worker,
 * activities, time-skipping Temporal and PostgreSQL; the credit is held by a lock on the wallet's row that the test
 * keeps in an open transaction, as a slow ledger would. The server does not skip time while the credit activity
 * runs (an `env.sleep` of 121 h then waits on the activity's retries), so the two deadlines are 30 s here and pass in
 * real time, the activity heartbeating meanwhile.
 */
import type { PoolClient } from 'pg';
import request from 'supertest';
import { getOrderQuery, orderWorkflowId, type OrderView } from '../../workflows/definitions';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { bearer, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const DEADLINE = '30s';
const api = useTestApi({ policy: { ...DEFAULT_POLICY, unsubmittedCloseAfter: DEADLINE, paymentFailureFinalAfter: DEADLINE } });
let finance: TestUser;
const http = () => request(api.app);

beforeAll(async () => {
  finance = await createStaffUser(api.t.db.pool, 'finance');
});

/** A bank-transfer order of the credit wallet, Unpaid. */
async function unpaidOrder(account: TestAccount, amount: number): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount });
  expect(created.status).toBe(201);
  return String(created.body.orderNumber);
}

/** A payment naming no order of ours, open as an unknown_reference exception: its payment id. */
async function strayPayment(amount: number, merchantRef: string): Promise<string> {
  const { event } = await api.t.gateway.payStray({ merchantRef, amount });
  const paymentId = `gw_${event.id}`;
  const res = await eventually(
    () => http().get(`/v1/finance/exceptions/${paymentId}`).set(bearer(finance.token)),
    (r) => r.status === 200 && r.body.status === 'open',
  );
  expect(res.body).toMatchObject({ status: 'open', reason: 'unknown_reference' });
  return paymentId;
}

/** Holds the wallet's row (ledger_post locks it first) in an open transaction: every credit of it waits. */
async function lockWallet(account: TestAccount): Promise<PoolClient> {
  await api.t.db.pool.query(`INSERT INTO wallets (account_id, wallet) VALUES ($1, 'credit') ON CONFLICT DO NOTHING`, [account.accountId]);
  const client = await api.t.db.pool.connect();
  await client.query('BEGIN');
  await client.query(`SELECT 1 FROM wallets WHERE account_id = $1 AND wallet = 'credit' FOR UPDATE`, [account.accountId]);
  return client;
}

/** Waits until a ledger_post is blocked on a lock (the approval's credit has started and waits for the wallet). */
async function creditWaiting(): Promise<void> {
  const waiting = await eventually(
    async () => (await api.t.db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%ledger_post%'`)).rows[0].n as number,
    (n) => n > 0,
  );
  expect(waiting).toBeGreaterThan(0);
}

function view(orderNumber: string): Promise<OrderView> {
  return api.env.client.workflow.getHandle(orderWorkflowId(orderNumber)).query(getOrderQuery);
}

async function storedRow(orderNumber: string) {
  const res = await api.t.db.pool.query<{ status: string; revision: number }>('SELECT status, revision FROM orders WHERE order_number = $1', [orderNumber]);
  return res.rows[0];
}

async function orderActions(orderNumber: string): Promise<string[]> {
  const res = await api.t.db.pool.query<{ action: string }>('SELECT action FROM operation_log WHERE order_number = $1 ORDER BY id', [orderNumber]);
  return res.rows.map((r) => r.action);
}

async function ledgerEntries(account: TestAccount): Promise<Array<{ key: string; amount: number }>> {
  const res = await api.t.db.pool.query<{ key: string; amount: number }>('SELECT idempotency_key AS key, amount FROM journal_entries WHERE account_id = $1 ORDER BY id', [account.accountId]);
  return res.rows;
}

/**
 * Attaches the exception's money (all that is due) to the order while the wallet is locked, waits with the credit held
 * until the order's deadline has passed (and its timer had time to act), then releases it; answers the attach's response.
 */
async function attachWhileCreditHeld(account: TestAccount, paymentId: string, orderNumber: string): Promise<request.Response> {
  const lock = await lockWallet(account);
  let attaching: Promise<request.Response>;
  try {
    attaching = http().post(`/v1/finance/exceptions/${paymentId}/attach`).set(bearer(finance.token)).send({ orderNumber, note: 'the customer paid with the wrong reference' }).then((r) => r);
    await creditWaiting();
    const deadline = Date.parse((await view(orderNumber)).deadline!);
    expect(deadline).toBeGreaterThan(await api.env.currentTimeMs());
    // Past the order's deadline while the credit is still running, and 5 s more for its timer to act.
    while ((await api.env.currentTimeMs()) < deadline + 5_000) await new Promise((r) => setTimeout(r, 500));
    await creditWaiting(); // still held
  } finally {
    await lock.query('ROLLBACK');
    lock.release();
  }
  return attaching;
}

test('When an Unpaid order is paid in full by a payment exception and its close deadline (120 h, here 30 s) passes while the credit runs, then it ends Paid, credited once, and is never closed', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await unpaidOrder(account, 210_000);
  const paymentId = await strayPayment(210_000, 'TRF-UNPAID-0001');

  const attached = await attachWhileCreditHeld(account, paymentId, orderNumber);
  expect(attached.status).toBe(200);

  const handle = api.env.client.workflow.getHandle(orderWorkflowId(orderNumber));
  expect((await handle.result()).status).toBe('paid');
  expect((await view(orderNumber)).status).toBe('paid');
  const finalView = await view(orderNumber);
  expect(await eventually(() => storedRow(orderNumber), (r) => r?.status === 'paid')).toEqual({ status: 'paid', revision: finalView.revision });
  expect(await ledgerEntries(account)).toEqual([{ key: `topup:${orderNumber}:paid`, amount: 210_000 }]);
  expect(await orderActions(orderNumber)).not.toContain('order.close');
});

test('When a Payment Failure order is paid in full by a payment exception and its final deadline (120 h, here 30 s) passes while the credit runs, then it ends Paid, credited once, and is never made final', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await unpaidOrder(account, 230_000);
  const slip = await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect(slip.status).toBe(201);
  const rejected = await http().post(`/v1/orders/${orderNumber}/reject`).set(bearer(finance.token)).send({ reason: 'no transfer seen with this reference' });
  expect(rejected.status).toBe(200);
  expect((await view(orderNumber)).status).toBe('payment_failure');
  const paymentId = await strayPayment(230_000, 'TRF-FAILED-0001');

  const attached = await attachWhileCreditHeld(account, paymentId, orderNumber);
  expect(attached.status).toBe(200);

  const handle = api.env.client.workflow.getHandle(orderWorkflowId(orderNumber));
  expect(await handle.result()).toMatchObject({ status: 'paid', final: false });
  const finalView = await view(orderNumber);
  expect(finalView).toMatchObject({ status: 'paid', final: false });
  expect(await eventually(() => storedRow(orderNumber), (r) => r?.status === 'paid')).toEqual({ status: 'paid', revision: finalView.revision });
  expect(await ledgerEntries(account)).toEqual([{ key: `topup:${orderNumber}:paid`, amount: 230_000 }]);
  expect(await orderActions(orderNumber)).not.toContain('order.final');
});
