/**
 * Editing an online order cannot add a deposit line the rules refuse (issue 21, "wrong today"; seed 002): without an
 * active service, while an invoice is unpaid, or outside 35,000–250,000, through the API and through the workflow
 * itself (an update sent to it directly is refused too). The API in-process against the real workflows
 * (time-skipping), worker and PostgreSQL.
 */
import request from 'supertest';
import { editLinesUpdate, orderWorkflowId } from '../../workflows/definitions';
import { billingPeriod } from '../../workflows/billing/periods';
import { bearer, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';

const api = useTestApi();
let service: TestUser;

beforeAll(async () => {
  service = await createStaffUser(api.t.db.pool, 'service');
});

const http = () => request(api.app);

async function creditOrder(account: TestAccount): Promise<string> {
  const created = await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 150_000 }] });
  expect(created.status).toBe(201);
  return String(created.body.orderNumber);
}

const withDeposit = (amount: number) => ({ lines: [{ wallet: 'credit', amount: 150_000 }, { wallet: 'deposit', amount }] });
const linesOf = async (account: TestAccount, n: string) => ((await http().get(`/v1/orders/${n}`).set(bearer(account.ownerToken))).body.lines as { wallet: string }[]).map((l) => l.wallet);

/** Sends the edit straight to the order's workflow, as a client that skipped the API's checks would. */
function editInWorkflow(n: string, amount: number, by: string) {
  return api.env.client.workflow.getHandle(orderWorkflowId(n)).executeUpdate(editLinesUpdate, { args: [{ ...withDeposit(amount), by }] });
}

test('When an account without an active service edits an online order to add a deposit line, then the API and the workflow refuse it naming the rule, and the order is unchanged', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const n = await creditOrder(account);
  const edited = await http().patch(`/v1/online-orders/${n}`).set(bearer(account.ownerToken)).send(withDeposit(100_000));
  expect({ status: edited.status, code: edited.body.error.code, fields: edited.body.error.fields }).toEqual({
    status: 409,
    code: 'deposit_not_allowed',
    fields: [{ path: 'wallet', rule: 'a deposit top-up needs an active subscription' }],
  });
  await expect(editInWorkflow(n, 100_000, account.ownerId)).rejects.toMatchObject({ cause: { type: 'DepositNotAllowed', message: 'a deposit top-up needs an active subscription' } });
  const range = await http().patch(`/v1/online-orders/${n}`).set(bearer(account.ownerToken)).send(withDeposit(30_000));
  expect(range.body.error.fields).toEqual([{ path: 'lines.1.amount', rule: 'must be between IDR 35,000 and IDR 250,000 for a deposit' }]);
  expect(await linesOf(account, n)).toEqual(['credit']);
});

test('When an account with an active service has an unpaid invoice, then adding a deposit line is refused naming the invoice; before it was issued, the same edit was accepted', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const start = '2027-02-05';
  const sub = await http().post('/v1/subscriptions').set(bearer(service.token)).send({ accountId: account.accountId, product: 'VPS S', price: 50_000, cycleMonths: 1, startDate: start });
  expect(sub.status).toBe(201);
  const n = await creditOrder(account);
  // With an active service and nothing unpaid, a deposit line is a deposit top-up like any other.
  const accepted = await http().patch(`/v1/online-orders/${n}`).set(bearer(account.ownerToken)).send(withDeposit(100_000));
  expect(accepted.status).toBe(200);
  expect(await linesOf(account, n)).toEqual(['credit', 'deposit']);

  await api.env.sleep(billingPeriod(start, 1, 0, 'Asia/Jakarta').invoiceAt + 60_000 - (await api.env.currentTimeMs()));
  const [unpaid] = await eventually(async () => (await http().get('/v1/invoices?status=unpaid').set(bearer(account.ownerToken))).body.items as { id: string }[], (l) => l.length === 1);
  const other = await creditOrder(account);
  const rule = `a deposit top-up is refused while an invoice is unpaid (${unpaid!.id}); pay the invoice first: POST /v1/invoices/{id}/pay`;
  const refused = await http().patch(`/v1/online-orders/${other}`).set(bearer(account.ownerToken)).send(withDeposit(100_000));
  expect({ status: refused.status, fields: refused.body.error.fields }).toEqual({ status: 409, fields: [{ path: 'wallet', rule }] });
  await expect(editInWorkflow(other, 100_000, account.ownerId)).rejects.toMatchObject({ cause: { type: 'DepositNotAllowed', message: rule } });
  expect(await linesOf(account, other)).toEqual(['credit']);
});
