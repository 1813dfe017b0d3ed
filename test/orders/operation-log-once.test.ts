/**
 * The operation log and the decision metric record what happened, once, with who made it happen (issue 15):
 * twenty racing approvals credit once and leave one `order.approve` entry naming the finance user whose approval
 * won, and one timed decision; the same for racing rejects, deletes and edits; a refused message leaves nothing.
 * Over HTTP against the real API, workflow, PostgreSQL and the API's own `/metrics`.
 */
import request from 'supertest';
import { bearer, useTestApi } from '../helpers/api';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { sampleValue } from '../helpers/prometheus';
import { SLIP_PNG } from '../helpers/slips';

const api = useTestApi();
let deciders: TestUser[];

beforeAll(async () => {
  deciders = await Promise.all(Array.from({ length: 4 }, () => createStaffUser(api.t.db.pool, 'finance')));
});

const http = () => request(api.app);
const TWENTY = Array.from({ length: 20 }, (_, i) => i);

interface LogItem {
  action: string;
  actor: { id: string; role: string };
  details: Record<string, unknown>;
}

/** The order's operation log as finance reads it (`GET /v1/operation-log`), oldest first. */
async function logOf(orderNumber: string): Promise<LogItem[]> {
  const res = await http().get('/v1/operation-log').query({ orderNumber, pageSize: 100 }).set(bearer(deciders[0]!.token));
  expect(res.status).toBe(200);
  return (res.body.items as LogItem[]).reverse();
}

const entries = async (orderNumber: string, action: string) => (await logOf(orderNumber)).filter((e) => e.action === action);

async function decisionsTimed(decision: 'approved' | 'rejected'): Promise<number> {
  const res = await http().get('/metrics');
  return sampleValue(res.text, 'topup_order_decision_seconds_count', { decision });
}

async function unpaidOrder(account: TestAccount): Promise<string> {
  const res = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 250_000 });
  expect(res.status).toBe(201);
  return String(res.body.orderNumber);
}

async function dealingOrder(account: TestAccount): Promise<string> {
  const orderNumber = await unpaidOrder(account);
  const slip = await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect(slip.status).toBe(201);
  return orderNumber;
}

test('When four finance users send 20 approvals of one Dealing order at once, then it is credited once, the log has one order.approve naming the approver who won, and one decision is timed', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await dealingOrder(account);
  const timedBefore = await decisionsTimed('approved');

  const answers = await Promise.all(TWENTY.map((i) => http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(deciders[i % 4]!.token)).send({ checkResult: `checked by ${i % 4}` })));

  expect(answers.map((a) => a.status)).toEqual(TWENTY.map(() => 200));
  const approvedBy = answers[0]!.body.paid.approvedBy as string;
  expect(new Set(answers.map((a) => `${a.body.status} by ${a.body.paid?.approvedBy}`))).toEqual(new Set([`paid by ${approvedBy}`]));
  const approvals = await entries(orderNumber, 'order.approve');
  expect(approvals).toHaveLength(1);
  expect(approvals[0]).toMatchObject({ actor: { id: approvedBy, role: 'finance' }, details: { status: 'paid', checkResult: answers[0]!.body.checkResult } });
  expect(await decisionsTimed('approved')).toBe(timedBefore + 1);
  const credits = await api.t.db.pool.query('SELECT 1 FROM journal_entries WHERE idempotency_key = $1', [`topup:${orderNumber}:paid`]);
  expect(credits.rowCount).toBe(1);

  // Asked again later, the answer is the same order and nothing more is logged or timed.
  expect((await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(deciders[3]!.token)).send({})).status).toBe(200);
  expect(await entries(orderNumber, 'order.approve')).toHaveLength(1);
  expect(await decisionsTimed('approved')).toBe(timedBefore + 1);
});

test('When finance sends the same reject 20 times at once, then the log has one order.reject by its sender and one rejection is timed', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await dealingOrder(account);
  const timedBefore = await decisionsTimed('rejected');

  const answers = await Promise.all(TWENTY.map(() => http().post(`/v1/orders/${orderNumber}/reject`).set(bearer(deciders[1]!.token)).send({ reason: 'amount differs from the slip' })));

  expect(answers.map((a) => a.body.status)).toEqual(TWENTY.map(() => 'payment_failure'));
  const rejections = await entries(orderNumber, 'order.reject');
  expect(rejections).toHaveLength(1);
  expect(rejections[0]).toMatchObject({ actor: { id: deciders[1]!.userId }, details: { status: 'payment_failure', reason: 'amount differs from the slip' } });
  expect(await decisionsTimed('rejected')).toBe(timedBefore + 1);
});

test('When the owner deletes an Unpaid order 20 times at once, then it is Deleted and the log has one order.delete by the owner', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await unpaidOrder(account);

  const answers = await Promise.all(TWENTY.map(() => http().delete(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))));

  expect(answers.map((a) => a.status)).toEqual(TWENTY.map(() => 200));
  expect(answers.map((a) => a.body.status)).toEqual(TWENTY.map(() => 'deleted'));
  const deletions = await entries(orderNumber, 'order.delete');
  expect(deletions).toHaveLength(1);
  expect(deletions[0]).toMatchObject({ actor: { id: account.ownerId, role: 'owner' }, details: { status: 'deleted' } });
});

test('When the owner sends the same new amount 20 times at once, then the amount changes once and the log has one order.edit', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await unpaidOrder(account);

  const answers = await Promise.all(TWENTY.map(() => http().patch(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken)).send({ amount: 300_000 })));

  expect(answers.map((a) => a.body.amount)).toEqual(TWENTY.map(() => 300_000));
  const edits = await entries(orderNumber, 'order.edit');
  expect(edits).toHaveLength(1);
  expect(edits[0]).toMatchObject({ actor: { id: account.ownerId }, details: { amount: 300_000, status: 'unpaid' } });
});

test('When finance approves an order that is not Dealing (Unpaid, then rejected), then 409 each time, nothing is logged as an approval and nothing is timed', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await unpaidOrder(account);
  const timedBefore = await decisionsTimed('approved');

  const early = await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(deciders[0]!.token)).send({});
  expect({ status: early.status, code: early.body.error?.code }).toEqual({ status: 409, code: 'invalid_transition' });

  await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect((await http().post(`/v1/orders/${orderNumber}/reject`).set(bearer(deciders[0]!.token)).send({ reason: 'no transfer found' })).status).toBe(200);
  const late = await Promise.all(TWENTY.map(() => http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(deciders[2]!.token)).send({})));
  expect(late.map((a) => a.status)).toEqual(TWENTY.map(() => 409));

  expect((await logOf(orderNumber)).map((e) => [e.action, e.actor.id])).toEqual([
    ['order.create', account.ownerId],
    ['order.submit_slip', account.ownerId],
    ['order.reject', deciders[0]!.userId],
  ]);
  expect(await decisionsTimed('approved')).toBe(timedBefore);
});
