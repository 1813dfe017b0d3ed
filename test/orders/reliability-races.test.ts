/**
 * Races over HTTP (issue 8): the same decision sent many times at once, decisions racing each other, a
 * customer's edit racing the review-window timer, a payment racing invoice expiry, and hundreds of usage
 * charges racing top-ups on one wallet. Each has one outcome, and the ledger and read model agree with it
 * (db/ledger/invariants.ts, the checks `npm run check:ledger` prints).
 */
import request, { type Test } from 'supertest';
import { WorkflowNotFoundError } from '@temporalio/common';
import { HttpError } from '../../api/shared/errors';
import { answerUpdateNotFound } from '../../api/orders/order-updates';
import { checkInvariants } from '../../db/ledger/invariants';
import { creditTopup, getBalances } from '../../db/ledger/ledger';
import { orderWorkflowId, type OnlineOrderView, type OrderView } from '../../workflows/definitions';
import { startTestApi, type TestApi } from '../helpers/api';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { eventually } from '../helpers/eventually';
import { SLIP_PNG } from '../helpers/slips';

let api: TestApi;
let finance: TestUser;
let service: TestUser;

/** Orders whose read-model writes wait until released: the workflow has moved on, the record has not yet. */
const heldRecords = new Map<string, Promise<void>>();

beforeAll(async () => {
  api = await startTestApi({
    wrapActivities: (activities) => ({
      ...activities,
      async recordOrder(view, change) {
        await heldRecords.get(view.orderNumber);
        return activities.recordOrder(view, change);
      },
    }),
  });
  [finance, service] = await Promise.all([createStaffUser(api.t.db.pool, 'finance'), createStaffUser(api.t.db.pool, 'service')]);
});

afterAll(async () => {
  await api?.close();
});

const PNG = SLIP_PNG;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const http = () => request(api.app);

async function dealingOrder(account: TestAccount, amount = 250_000): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount });
  expect(created.status).toBe(201);
  const orderNumber = String(created.body.orderNumber);
  const slip = await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect(slip.status).toBe(201);
  return orderNumber;
}

const approve = (orderNumber: string): Test => http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(finance.token)).send({ checkResult: 'Matches the slip' });
const reject = (orderNumber: string): Test => http().post(`/v1/orders/${orderNumber}/reject`).set(bearer(finance.token)).send({ reason: 'Amount differs from the slip' });

async function credits(orderNumber: string): Promise<number> {
  const res = await api.t.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM journal_entries WHERE order_number = $1 AND kind = 'topup'", [orderNumber]);
  return res.rows[0]!.n;
}

async function storedStatus(orderNumber: string): Promise<string> {
  const res = await api.t.db.pool.query<{ status: string }>('SELECT status FROM orders WHERE order_number = $1', [orderNumber]);
  return res.rows[0]!.status;
}

async function credit(accountId: string): Promise<number> {
  return (await getBalances(api.t.db.pool, accountId)).find((b) => b.wallet === 'credit')?.current ?? 0;
}

test('When finance sends the same approve 20 times at once, then every answer is the one approval, one credit, one paid email', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await dealingOrder(account);
  const answers = await Promise.all(Array.from({ length: 20 }, () => approve(orderNumber)));
  expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  const paid = new Set(answers.map((a) => JSON.stringify((a.body as OrderView).paid)));
  expect(paid.size).toBe(1);
  expect(await credits(orderNumber)).toBe(1);
  expect(await credit(account.accountId)).toBe(250_000);
  await eventually(() => storedStatus(orderNumber), (s) => s === 'paid');
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
});

test('When approve races reject on the same order, then exactly one wins, the other is refused with 409, and the ledger follows the winner', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orders = await Promise.all([1, 2, 3, 4].map(() => dealingOrder(account, 100_000)));
  let paidCount = 0;
  for (const orderNumber of orders) {
    const [a, r] = await Promise.all([approve(orderNumber), reject(orderNumber)]);
    expect([a.status, r.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? 'paid' : 'payment_failure';
    expect(await eventually(() => storedStatus(orderNumber), (s) => s === winner)).toBe(winner);
    expect(await credits(orderNumber)).toBe(winner === 'paid' ? 1 : 0);
    if (winner === 'paid') paidCount += 1;
  }
  expect(await credit(account.accountId)).toBe(paidCount * 100_000);
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
});

test('When the customer edits the amount just as the 24 h review window runs out, then the edit is refused while Dealing or applied after Payment Failure, never both', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await dealingOrder(account, 300_000);
  const [edit] = await Promise.all([
    (async () => {
      await new Promise((r) => setTimeout(r, 50));
      return http().patch(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken)).send({ amount: 350_000 });
    })(),
    api.env.sleep('24h'),
  ]);
  expect([200, 409]).toContain(edit.status);
  const view = await eventually(
    async () => (await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).body as OrderView,
    (v) => (edit.status === 200 ? v.status === 'dealing' : v.status === 'payment_failure'),
  );
  if (edit.status === 200) expect(view).toMatchObject({ status: 'dealing', amount: 350_000 });
  else expect(view).toMatchObject({ status: 'payment_failure', amount: 300_000 });
  expect(await credits(orderNumber)).toBe(0);
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
});

test('When the payment callback races invoice expiry, then the order is Paid and credited once, or Closed with the money kept as Paid late and not credited', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const created = await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 120_000 }] });
  expect(created.status).toBe(201);
  const confirmed = await http().post(`/v1/online-orders/${created.body.orderNumber}/confirm`).set(bearer(account.ownerToken)).send({ paymentMethod: 'virtual_account' });
  const order = confirmed.body as OnlineOrderView;
  const expiresAt = Date.parse(order.invoice!.expiresAt);
  const now = await api.env.currentTimeMs();
  await api.env.sleep(expiresAt - now - 500);
  await Promise.all([api.t.gateway.pay(order.invoice!.providerRef), api.env.sleep(1_000)]);
  const status = await eventually(() => storedStatus(order.orderNumber), (s) => s === 'paid' || s === 'paid_late');
  expect(['paid', 'paid_late']).toContain(status);
  expect(await credits(order.orderNumber)).toBe(status === 'paid' ? 1 : 0);
  expect(await credit(account.accountId)).toBe(status === 'paid' ? 120_000 : 0);
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
});

test('When 300 usage charges and 10 approvals hit one wallet at once, then none fails or deadlocks and the balance is exactly the sum of its postings', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orders = await Promise.all(Array.from({ length: 10 }, () => dealingOrder(account, 50_000)));
  const usage = Array.from({ length: 300 }, (_, i) =>
    http()
      .post('/v1/usage')
      .set(bearer(service.token))
      .set('Idempotency-Key', `race-${account.accountId}-${i}`)
      .send({ accountId: account.accountId, wallet: 'credit', amount: 1_000 + (i % 7) }),
  );
  const answers = await Promise.all([...usage, ...orders.map((n) => approve(n))]);
  expect(answers.filter((a) => a.status !== 200 && a.status !== 201).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
  const charged = Array.from({ length: 300 }, (_, i) => 1_000 + (i % 7)).reduce((a, b) => a + b, 0);
  expect(await credit(account.accountId)).toBe(10 * 50_000 - charged);
  const postings = await api.t.db.pool.query<{ total: number }>(
    "SELECT coalesce(sum(amount), 0)::bigint AS total FROM postings WHERE account_id = $1 AND wallet = 'credit'",
    [account.accountId],
  );
  expect(postings.rows[0]!.total).toBe(10 * 50_000 - charged);
  await Promise.all(orders.map((n) => eventually(() => storedStatus(n), (s) => s === 'paid')));
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
});

test('When a top-up is credited for an order that is not Paid, or a Paid order loses its email, then the invariant checker names each', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const orderNumber = await dealingOrder(account, 75_000);
  await creditTopup(api.t.db.pool, { orderNumber, accountId: account.accountId, wallet: 'credit', amount: 75_000 });
  const violations = await checkInvariants(api.t.db.pool);
  expect(violations).toEqual([`order ${orderNumber} (dealing) has 1 top-up credit(s) of 75000 to credit but is not Paid`]);
  // Approving makes it consistent again: the workflow's credit is the same ledger key, so it is not doubled.
  expect((await approve(orderNumber)).status).toBe(200);
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
  await api.t.db.pool.query('DELETE FROM email_outbox WHERE idempotency_key = $1', [`topup:${orderNumber}:paid`]);
  expect(await checkInvariants(api.t.db.pool)).toEqual([`order ${orderNumber} is Paid but its "paid" email is missing`]);
});

test('When an edit is accepted by the workflow but not yet recorded, then reading the order shows the recorded amount, and the new one once the edit is answered', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 250_000 });
  const orderNumber = String(created.body.orderNumber);
  let release!: () => void;
  heldRecords.set(orderNumber, new Promise<void>((r) => (release = r)));
  const edit = http().patch(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken)).send({ amount: 300_000 }).then((res) => res);
  // The workflow has taken the edit (its own state says 300,000) while its record waits.
  const handle = api.env.client.workflow.getHandle(orderWorkflowId(orderNumber));
  expect(await eventually(async () => (await handle.query<OrderView>('getOrder')).amount, (a) => a === 300_000)).toBe(300_000);
  const before = await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken));
  expect(before.status).toBe(200);
  expect(before.body.amount).toBe(250_000);
  release();
  heldRecords.delete(orderNumber);
  const edited = await edit;
  expect(edited.status).toBe(200);
  expect(edited.body.amount).toBe(300_000);
  const after = await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken));
  expect(after.body.amount).toBe(300_000);
});

test('When the workflow service answers NOT_FOUND for an update of an order still open, then the API asks for the update again (503), and refuses it (409) only once the order has finished', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 250_000 });
  const orderNumber = String(created.body.orderNumber);
  const deps = { pool: api.t.db.pool, temporal: api.env.client };
  // A restarted server that lost an update answers a wait for its outcome like this: NOT_FOUND, the workflow running.
  const lost = api.env.client.workflow.getHandle(orderWorkflowId(orderNumber)).getUpdateHandle('an-update-the-server-lost');
  await expect(lost.result()).rejects.toBeInstanceOf(WorkflowNotFoundError);
  const whileOpen = await answerUpdateNotFound(deps, orderNumber).catch((err: unknown) => err);
  expect(whileOpen).toBeInstanceOf(HttpError);
  expect(whileOpen).toMatchObject({ status: 503, code: 'update_not_confirmed' });

  expect((await http().delete(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken))).status).toBe(200);
  const finished = async () => (await api.env.client.workflow.getHandle(orderWorkflowId(orderNumber)).describe()).status.name;
  expect(await eventually(finished, (s) => s === 'COMPLETED')).toBe('COMPLETED');
  expect(await answerUpdateNotFound(deps, orderNumber, { repeatOf: 'deleted' })).toMatchObject({ orderNumber, status: 'deleted' });
  await expect(answerUpdateNotFound(deps, orderNumber)).rejects.toMatchObject({ status: 409, code: 'invalid_transition' });
});
