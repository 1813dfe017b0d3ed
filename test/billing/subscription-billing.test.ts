/**
 * Deposit and auto-pay (seed 002, DOMAIN.md "Deposit and auto-pay") over a year of a monthly subscription, in
 * the time-skipping server with the real billing workflow and activities, through the API: invoices issued 7
 * days before each period ends (calendar months in Asia/Jakarta), paid from the deposit while it lasts, then
 * unpaid with an email, the subscription suspended past due and reactivated when the invoice is paid.
 */
import request, { type Response } from 'supertest';
import { simpleParser } from 'mailparser';
import { getBalances } from '../../db/ledger/ledger';
import { checkLedger } from '../../db/ledger/ledger-checker';
import { billingPeriod } from '../../workflows/billing/periods';
import { billingWorkflowId } from '../../workflows/definitions';
import { startTestApi, type TestApi } from '../helpers/api';
import { recordHistory } from '../helpers/histories';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { parsePdf } from '../helpers/pdf-text';
import { eventually } from '../helpers/eventually';
import { SLIP_PNG } from '../helpers/slips';

const PNG = SLIP_PNG;
const START = '2027-01-31';
const PRICE = 50_000;

let api: TestApi;
let finance: TestUser;
let service: TestUser;
/** Invoices whose first deposit charge "crashes" right after the ledger committed it. */
const crashAfterCharge = new Set<string>();

beforeAll(async () => {
  api = await startTestApi({
    wrapActivities: (activities) => ({
      ...activities,
      async payInvoiceFromDeposit(id) {
        const outcome = await activities.payInvoiceFromDeposit(id);
        if (crashAfterCharge.delete(id)) throw new Error('worker lost after the deposit was charged');
        return outcome;
      },
    }),
  });
  [finance, service] = await Promise.all([createStaffUser(api.t.db.pool, 'finance'), createStaffUser(api.t.db.pool, 'service')]);
});

afterAll(async () => {
  await api?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const http = () => request(api.app);

/** A bank-transfer order paid all the way: created (or given), slip uploaded, approved by finance. */
async function payByBankTransfer(account: TestAccount, created: Response): Promise<void> {
  expect(created.status).toBe(201);
  const orderNumber = String(created.body.orderNumber);
  expect((await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' })).status).toBe(201);
  const approved = await http().post(`/v1/orders/${orderNumber}/approve`).set(bearer(finance.token)).send({ checkResult: 'ok' });
  expect(approved.body.status).toBe('paid');
}

const depositOrder = (account: TestAccount, amount: number) => http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'deposit', amount });

interface InvoiceRow {
  id: string;
  periodIndex: number;
  periodStart: string;
  periodEnd: string;
  issuedAt: string;
  dueAt: string;
  status: string;
  ledgerEntryId: string | null;
}

async function invoices(account: TestAccount): Promise<InvoiceRow[]> {
  return (await http().get('/v1/invoices').set(bearer(account.ownerToken))).body.items as InvoiceRow[];
}

async function subscriptionStatus(account: TestAccount): Promise<string> {
  return (await http().get('/v1/subscriptions').set(bearer(account.ownerToken))).body.items[0].status as string;
}

async function skipTo(instant: number): Promise<void> {
  const now = await api.env.currentTimeMs();
  if (instant > now) await api.env.sleep(instant - now);
}

/** Skips to just after invoice `n`'s issue time and waits until the workflow has issued and settled it. */
async function untilInvoice(account: TestAccount, n: number, settled: 'paid' | 'unpaid'): Promise<InvoiceRow> {
  await skipTo(billingPeriod(START, 1, n - 1, 'Asia/Jakarta').invoiceAt + 60_000);
  const list = await eventually(() => invoices(account), (l) => l.length >= n && l[n - 1]!.status === settled);
  return list[n - 1]!;
}

test('When the deposit rules are broken, then a deposit top-up is refused naming the rule (no active service, 34,999, 250,001), and a refund is never offered', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const noService = await depositOrder(account, 100_000);
  expect(noService.status).toBe(409);
  expect(noService.body.error).toMatchObject({ code: 'deposit_not_allowed', message: 'a deposit top-up needs an active subscription' });
  expect((await depositOrder(account, 34_999)).body.error.fields).toEqual([{ path: 'amount', rule: 'must be between IDR 35,000 and IDR 250,000 for a deposit' }]);
  expect((await depositOrder(account, 250_001)).status).toBe(400);
  const refund = await http().get('/v1/balance/deposit/refund').set(bearer(account.ownerToken));
  expect(refund.body).toMatchObject({ refundable: false, reason: expect.stringContaining('non-refundable') });
});

test('When a monthly subscription runs a year, then twelve invoices come 7 days before each period ends, the deposit pays them while it lasts, and an unpaid one blocks deposits and suspends the service until paid', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const created = await http()
    .post('/v1/subscriptions')
    .set(bearer(service.token))
    .send({ accountId: account.accountId, product: 'Cloud VPS S', price: PRICE, cycleMonths: 1, startDate: START });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'active', cycleMonths: 1, price: PRICE, startDate: START });

  // 35,000 and 250,000 are the limits and both are accepted: 285,000 pays five invoices of 50,000.
  await payByBankTransfer(account, await depositOrder(account, 35_000));
  await payByBankTransfer(account, await depositOrder(account, 250_000));
  const depositOf = async () => (await getBalances(api.t.db.pool, account.accountId)).find((b) => b.wallet === 'deposit')!.current;
  expect(await depositOf()).toBe(285_000);

  const first = billingPeriod(START, 1, 2, 'Asia/Jakarta');
  crashAfterCharge.add(`${created.body.id}-003`);
  const issued: InvoiceRow[] = [];
  for (let n = 1; n <= 5; n += 1) issued.push(await untilInvoice(account, n, 'paid'));
  expect(crashAfterCharge.size).toBe(0);
  expect(first.end).toBe('2027-04-30');

  // The sixth finds 35,000 left: unpaid, and the owner is emailed with the invoice PDF.
  const sixth = await untilInvoice(account, 6, 'unpaid');
  issued.push(sixth);
  const mail = await eventually(
    async () => Promise.all(api.t.sink.messages.filter((m) => m.to.includes(account.ownerEmail)).map((m) => simpleParser(m.raw))),
    (ms) => ms.some((m) => m.subject?.includes(sixth.id)),
  );
  const unpaidMail = mail.find((m) => m.subject?.includes(sixth.id))!;
  expect(unpaidMail.subject).toBe(`Invoice ${sixth.id} for Cloud VPS S is unpaid`);
  const pdf = await parsePdf(unpaidMail.attachments[0]!.content);
  expect(pdf.lines.join('\n')).toContain(sixth.id);
  expect(pdf.lines.join('\n')).toContain('IDR 50,000');

  const refused = await depositOrder(account, 100_000);
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toContain(sixth.id);

  // Past its due date the service is suspended; an order that settles the invoice pays it and reactivates it.
  await skipTo(Date.parse(sixth.dueAt) + 3_600_000);
  expect(await eventually(() => subscriptionStatus(account), (s) => s === 'suspended')).toBe('suspended');
  await payByBankTransfer(account, await http().post(`/v1/invoices/${sixth.id}/pay`).set(bearer(account.ownerToken)).send({ paymentMethod: 'bank_transfer' }));
  expect(await eventually(() => subscriptionStatus(account), (s) => s === 'active')).toBe('active');
  expect((await invoices(account))[5]!.status).toBe('paid');

  // Deposits are accepted again; the next five are paid from it, and the twelfth is left unpaid.
  await payByBankTransfer(account, await depositOrder(account, 250_000));
  for (let n = 7; n <= 11; n += 1) issued.push(await untilInvoice(account, n, 'paid'));
  issued.push(await untilInvoice(account, 12, 'unpaid'));

  expect(issued.map((i) => i.periodEnd)).toEqual([
    '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30', '2027-07-31', '2027-08-31',
    '2027-09-30', '2027-10-31', '2027-11-30', '2027-12-31', '2028-01-31', '2028-02-29',
  ]);
  issued.forEach((invoice, k) => {
    const period = billingPeriod(START, 1, k, 'Asia/Jakarta');
    expect({ issuedAt: Date.parse(invoice.issuedAt), dueAt: Date.parse(invoice.dueAt), start: invoice.periodStart }).toEqual({
      issuedAt: period.invoiceAt,
      dueAt: period.dueAt,
      start: period.end,
    });
  });

  const charges = await api.t.db.pool.query<{ idempotency_key: string }>(`SELECT idempotency_key FROM journal_entries WHERE account_id = $1 AND kind = 'usage' ORDER BY id`, [account.accountId]);
  expect(charges.rows.map((r) => r.idempotency_key)).toEqual(issued.slice(0, 11).map((i) => `invoice:${i.id}:deposit`));
  expect(new Set(issued.slice(0, 11).map((i) => i.ledgerEntryId)).size).toBe(11);
  expect(await depositOf()).toBe(285_000 + 50_000 + 250_000 - 11 * PRICE);
  expect(await checkLedger(api.t.db.pool)).toEqual([]);
  await recordHistory('subscription-billing-unpaid', api.env.client.workflow.getHandle(billingWorkflowId(String(created.body.id))));
});
