/**
 * Paying a subscription invoice (issue 21, seed 002), in the time-skipping server with the real workflows and
 * activities, the sandbox gateway's signed callbacks and PostgreSQL, through the API: online (virtual account, credit
 * card or e-wallet on the order's confirmation page) as well as by bank transfer; and the money of a payment the
 * invoice can no longer take (its service was stopped meanwhile) never pushed into the deposit beyond its limit: it
 * stays there only as a top-up the deposit's rules allow, otherwise it is held for finance and said so.
 */
import request from 'supertest';
import { getBalances } from '../../db/ledger/ledger';
import { checkInvariants } from '../../db/ledger/invariants';
import { proveReceivedMoney } from '../../db/reconciliation/money-proof';
import { billingPeriod } from '../../workflows/billing/periods';
import { bearer, useStaffUsers, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const TZ = 'Asia/Jakarta';

const api = useTestApi(
  {},
  {
    beforeClose: async (started) => {
      // The last "paid" email may still be on its way when the last test ends.
      expect(await eventually(() => checkInvariants(started.t.db.pool), (v) => v.length === 0)).toEqual([]);
    },
  },
);
const { finance, service } = useStaffUsers(api, 'finance', 'service');

const http = () => request(api.app);

async function skipTo(instant: number): Promise<void> {
  const now = await api.env.currentTimeMs();
  if (instant > now) await api.env.sleep(instant - now);
}

/** A monthly subscription at `price` from `start`, and its first renewal invoice once issued (unpaid: no deposit). */
async function unpaidRenewal(account: TestAccount, start: string, price: number): Promise<{ subscriptionId: string; invoiceId: string }> {
  const created = await http().post('/v1/subscriptions').set(bearer(service.token)).send({ accountId: account.accountId, product: 'Dedicated Server M', price, cycleMonths: 1, startDate: start });
  expect(created.status).toBe(201);
  await skipTo(billingPeriod(start, 1, 0, TZ).invoiceAt + 60_000);
  const [invoice] = await eventually(
    async () => (await http().get('/v1/invoices?status=unpaid').set(bearer(account.ownerToken))).body.items as { id: string; amount: number }[],
    (l) => l.length === 1,
  );
  expect(invoice!.amount).toBe(price);
  return { subscriptionId: String(created.body.id), invoiceId: invoice!.id };
}

const deposit = async (account: TestAccount) => (await getBalances(api.t.db.pool, account.accountId)).find((b) => b.wallet === 'deposit')!.current;
const invoiceStatus = async (account: TestAccount, id: string) =>
  ((await http().get('/v1/invoices').set(bearer(account.ownerToken))).body.items as { id: string; status: string }[]).find((i) => i.id === id)!.status;

/** Confirms an online order with `method` and pays its invoice at the sandbox gateway (a signed callback follows). */
async function confirmAndPay(account: TestAccount, orderNumber: string, method: string, beforePaying?: () => Promise<void>): Promise<{ total: number }> {
  const confirmed = await http().post(`/v1/online-orders/${orderNumber}/confirm`).set(bearer(account.ownerToken)).send({ paymentMethod: method });
  expect(confirmed.status).toBe(200);
  await beforePaying?.();
  const invoice = api.t.gateway.invoices().find((i) => i.merchantRef === orderNumber)!;
  await api.t.gateway.pay(invoice.providerRef);
  return { total: confirmed.body.invoice.total as number };
}

const order = (account: TestAccount, n: string) => http().get(`/v1/orders/${n}`).set(bearer(account.ownerToken));

test('When the owner pays an unpaid invoice of 400,000 online by credit card, then the order is one deposit line of its amount that cannot be edited, the card fee is added, and once the gateway calls back the invoice is paid and the deposit is as it was', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { invoiceId } = await unpaidRenewal(account, '2027-03-10', 400_000);

  const paying = await http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'online' });
  expect(paying.status).toBe(201);
  expect(paying.body).toMatchObject({
    kind: 'online',
    status: 'unpaid',
    settles: { invoiceId },
    lines: [{ wallet: 'deposit', requested: 400_000, credit: 400_000, price: 400_000, adjustment: `pays subscription invoice ${invoiceId}` }],
    subtotal: 400_000,
  });
  const n = String(paying.body.orderNumber);
  // The invoice has its order: a second one is refused; the order's amount is the invoice's.
  expect((await http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'bank_transfer' })).body.error.message).toBe(
    `invoice ${invoiceId} already has order ${n}; continue with it`,
  );
  const edit = await http().patch(`/v1/online-orders/${n}`).set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'deposit', amount: 100_000 }] });
  expect({ status: edit.status, fields: edit.body.error.fields }).toEqual({ status: 400, fields: [{ path: 'lines', rule: `are the amount of invoice ${invoiceId} and cannot change` }] });
  const wrongMethod = await http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'cash' });
  expect(wrongMethod.body.error.fields).toEqual([{ path: 'paymentMethod', rule: 'must be bank_transfer or online (then virtual account, credit card or e-wallet on the confirmation page)' }]);

  const { total } = await confirmAndPay(account, n, 'credit_card');
  expect(total).toBe(414_000);
  const paid = await eventually(async () => (await order(account, n)).body, (o) => o.status === 'paid');
  expect(paid.invoicePayment).toEqual({ invoiceId, paidInvoice: 400_000, deposited: 0, held: 0, heldReason: null });
  expect(await invoiceStatus(account, invoiceId)).toBe('paid');
  expect(await deposit(account)).toBe(0);
  // The deposit's statement shows the money passing through to the invoice.
  const statement = await http().get('/v1/wallets/deposit/statement').set(bearer(account.ownerToken));
  expect(statement.body.lines.map((l: { kind: string; change: number; balanceAfter: number }) => [l.kind, l.change, l.balanceAfter])).toEqual([
    ['topup', 400_000, 400_000],
    ['invoice_payment', -400_000, 0],
  ]);
  expect((await http().get('/v1/held-payments').set(bearer(finance.token))).body.items.filter((h: { accountId: string }) => h.accountId === account.accountId)).toEqual([]);
});

test('When finance approves a bank transfer of 400,000 for an invoice voided meanwhile (its service was stopped), then nothing goes to the deposit above its 250,000 limit: the money is held for finance, logged and shown on the order', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const { subscriptionId, invoiceId } = await unpaidRenewal(account, '2027-05-10', 400_000);
  const paying = await http().post(`/v1/invoices/${invoiceId}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'bank_transfer' });
  const n = String(paying.body.orderNumber);
  expect((await http().post(`/v1/orders/${n}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' })).status).toBe(201);
  // The owner stops the service before finance has looked at the slip: the renewal is voided.
  expect((await http().post(`/v1/subscriptions/${subscriptionId}/stop`).set(bearer(account.ownerToken)).send({})).status).toBe(200);
  expect(await eventually(() => invoiceStatus(account, invoiceId), (s) => s === 'void')).toBe('void');

  const approved = await http().post(`/v1/orders/${n}/approve`).set(bearer(finance.token)).send({ checkResult: 'matches the slip' });
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('paid');
  expect(await deposit(account)).toBe(0);
  const reason = `invoice ${invoiceId} is void (its service was stopped), and a deposit top-up must be between 35000 and 250000: held for finance`;
  expect(approved.body.paid.invoicePayment).toEqual({ invoiceId, paidInvoice: 0, deposited: 0, held: 400_000, heldReason: reason });
  const held = await http().get(`/v1/held-payments?accountId=${account.accountId}`).set(bearer(finance.token));
  expect(held.body.items).toEqual([expect.objectContaining({ orderNumber: n, invoiceId, amount: 400_000, held: 400_000, reason, companyName: account.companyName })]);
  expect((await http().get('/v1/held-payments').set(bearer(account.ownerToken))).body.items).toHaveLength(1);
  const log = await http().get(`/v1/operation-log?orderNumber=${n}`).set(bearer(finance.token));
  expect(log.body.items.map((i: { action: string }) => i.action)).toContain('order.payment_held');
});

test("When the gateway's callback pays an online order for an invoice voided meanwhile, then 400,000 is held for finance, never put in the deposit; a rest the deposit's rules allow (100,000) stays there as a top-up", async () => {
  const big = await createTestAccount(api.t.db.pool);
  const small = await createTestAccount(api.t.db.pool);
  const [bigRenewal, smallRenewal] = [await unpaidRenewal(big, '2027-07-10', 400_000), await unpaidRenewal(small, '2027-07-10', 100_000)];
  for (const [account, renewal, expected] of [
    [big, bigRenewal, { deposited: 0, held: 400_000, deposit: 0 }],
    [small, smallRenewal, { deposited: 100_000, held: 0, deposit: 100_000 }],
  ] as const) {
    const n = String((await http().post(`/v1/invoices/${renewal.invoiceId}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'online' })).body.orderNumber);
    await confirmAndPay(account, n, 'virtual_account', async () => {
      expect((await http().post(`/v1/subscriptions/${renewal.subscriptionId}/stop`).set(bearer(account.ownerToken)).send({})).status).toBe(200);
      expect(await eventually(() => invoiceStatus(account, renewal.invoiceId), (s) => s === 'void')).toBe('void');
    });
    const paid = await eventually(async () => (await order(account, n)).body, (o) => o.status === 'paid');
    expect(paid.invoicePayment).toMatchObject({ invoiceId: renewal.invoiceId, paidInvoice: 0, deposited: expected.deposited, held: expected.held });
    expect(await deposit(account)).toBe(expected.deposit);
    expect(await invoiceStatus(account, renewal.invoiceId)).toBe('void');
  }
  // The money proof counts the held 400,000 as in front of finance, not as credited.
  const proof = await proveReceivedMoney(api.t.db.pool);
  expect(proof.violations).toEqual([]);
  expect(proof.totals.open).toBeGreaterThanOrEqual(400_000);
});
