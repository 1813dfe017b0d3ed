/**
 * Issue 19: a payment exception's decision is taken once even when a retry and its first attempt reach the
 * workflow together. Both updates are sent while no worker polls, so the restarted worker gets them in one workflow
 * task; workflows are not cached (no sticky queue) so the task waits on the task queue itself. Real time-skipping
 * Temporal, worker, PostgreSQL, SMTP sink and sandbox gateway.
 */
import request from 'supertest';
import { checkInvariants } from '../../db/ledger/invariants';
import type { PaymentExceptionView } from '../../workflows/definitions';
import { startTestApi, type TestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';

let api: TestApi;
let finance: TestUser;

const http = () => request(api.app);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const paymentIdOf = (event: { id: string }) => `gw_${event.id}`;

beforeAll(async () => {
  api = await startTestApi({ workerTuning: { maxCachedWorkflows: 0 } });
  finance = await createStaffUser(api.t.db.pool, 'finance');
});

afterAll(async () => {
  await api?.close();
});

function decide(exceptionId: string, action: 'credit', body: Record<string, unknown>) {
  return http().post(`/v1/finance/exceptions/${exceptionId}/${action}`).set(bearer(finance.token)).send(body);
}

async function theException(paymentId: string, status = 'open'): Promise<PaymentExceptionView> {
  const read = async () => (await http().get(`/v1/finance/exceptions/${paymentId}`).set(bearer(finance.token))).body as PaymentExceptionView;
  return eventually(read, (e) => e.status === status);
}

async function ledgerEntries(account: TestAccount): Promise<Array<{ key: string; amount: number }>> {
  const res = await api.t.db.pool.query<{ key: string; amount: number }>('SELECT idempotency_key AS key, amount FROM journal_entries WHERE account_id = $1 ORDER BY id', [account.accountId]);
  return res.rows;
}

async function expectMoneyAccountedFor(): Promise<void> {
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
}

test('When the same credit is sent twice at once and both reach the workflow in one task (a retry racing the first attempt), then one order credits the money once', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { event } = await api.t.gateway.payStray({ merchantRef: 'RACE-0001', amount: 420_000 });
  const paymentId = paymentIdOf(event);
  await theException(paymentId);
  // With no worker polling, both updates wait for the same workflow task (no sticky queue: it is on the task queue).
  await api.stopWorker();
  const body = { accountId: account.accountId, wallet: 'credit', note: 'confirmed by phone' };
  const both = Promise.all([decide(paymentId, 'credit', body), decide(paymentId, 'credit', body)]);
  await new Promise((r) => setTimeout(r, 1_000));
  await api.startWorker();
  const answers = await both;
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  expect(answers[0]!.body.resolution.creditOrders).toHaveLength(1);
  expect(answers[1]!.body.resolution.creditOrders).toEqual(answers[0]!.body.resolution.creditOrders);
  const resolved = await theException(paymentId, 'resolved');
  expect(resolved.allocations).toEqual({ credited: 420_000, refunded: 0, dismissed: 0, held: 0 });
  expect(await ledgerEntries(account)).toEqual([{ key: `topup:${answers[0]!.body.resolution.creditOrders[0]}:paid`, amount: 420_000 }]);
  await expectMoneyAccountedFor();
});
