/**
 * Documents and the billing email over HTTP, against the real API, workflows (time-skipping), PostgreSQL, SMTP
 * sink and sandbox gateway: a customer lists its receipts, online invoices and subscription invoices and downloads
 * each; finance sees every account's; and the billing info of an online top-up goes to the email on the
 * confirmation step, the account's billing email by default (seed 001).
 */
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { billingPeriod } from '../../workflows/billing/periods';
import { bearer, useStaffUsers, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { parsePdf } from '../helpers/pdf-text';
import { SLIP_PNG } from '../helpers/slips';

const api = useTestApi();
const { finance, service } = useStaffUsers(api, 'finance', 'service');

const http = () => request(api.app);
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

async function paidBankTransfer(account: TestAccount, amount: number): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount });
  const n = String(created.body.orderNumber);
  await http().post(`/v1/orders/${n}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  expect((await http().post(`/v1/orders/${n}/approve`).set(bearer(finance.token)).send({ checkResult: 'ok' })).body.status).toBe('paid');
  return n;
}

async function confirmedOnline(account: TestAccount, billingEmail?: string): Promise<{ orderNumber: string; billingEmail: string | null }> {
  const created = await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'whatsapp', amount: 1_000_000 }] });
  const n = String(created.body.orderNumber);
  const confirmed = await http()
    .post(`/v1/online-orders/${n}/confirm`)
    .set(bearer(account.ownerToken))
    .send({ paymentMethod: 'virtual_account', ...(billingEmail ? { billingEmail } : {}) });
  expect(confirmed.status).toBe(200);
  return { orderNumber: n, billingEmail: confirmed.body.billingEmail };
}

/** The recipients of the billing-info email of order `n`, once it is sent. */
async function billingInfoRecipients(n: string): Promise<string[]> {
  const mails = await eventually(
    async () => Promise.all(api.t.sink.messages.map(async (m) => ({ to: m.to, subject: (await simpleParser(m.raw)).subject ?? '' }))),
    (ms) => ms.some((m) => m.subject === `Billing info for top-up order ${n}`),
  );
  return mails.filter((m) => m.subject === `Billing info for top-up order ${n}`).flatMap((m) => m.to);
}

test('When a customer confirms an online top-up, then the billing info goes to the email on the confirmation step, else the account billing email, else the requester', async () => {
  const withBilling = await createTestAccount(api.t.db.pool);
  await api.t.db.pool.query(`UPDATE accounts SET billing_email = 'ap@customer.example' WHERE id = $1`, [withBilling.accountId]);
  const without = await createTestAccount(api.t.db.pool);

  const edited = await confirmedOnline(withBilling, 'treasury@customer.example');
  expect(edited.billingEmail).toBe('treasury@customer.example');
  expect(await billingInfoRecipients(edited.orderNumber)).toEqual(['treasury@customer.example']);

  const defaulted = await confirmedOnline(withBilling);
  expect(defaulted.billingEmail).toBe('ap@customer.example');
  expect(await billingInfoRecipients(defaulted.orderNumber)).toEqual(['ap@customer.example']);

  const requester = await confirmedOnline(without);
  expect(await billingInfoRecipients(requester.orderNumber)).toEqual([without.ownerEmail]);

  const created = await http().post('/v1/online-orders').set(bearer(without.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 10_000 }] });
  const bad = await http().post(`/v1/online-orders/${created.body.orderNumber}/confirm`).set(bearer(without.ownerToken)).send({ paymentMethod: 'ewallet', billingEmail: 'not-an-address' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields).toEqual([{ path: 'billingEmail', rule: expect.any(String) }]);
  expect((await http().get(`/v1/orders/${created.body.orderNumber}`).set(bearer(without.ownerToken))).body.status).toBe('unpaid');
});

test('When an account has a receipt, an online invoice and a subscription invoice, then its documents list all three newest first, each downloads as its PDF, and finance sees every account', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const other = await createTestAccount(api.t.db.pool);
  const receipt = await paidBankTransfer(account, 150_000);
  const online = await confirmedOnline(account, 'ap@customer.example');
  await paidBankTransfer(other, 200_000);

  const start = '2027-03-15';
  const subscription = await http().post('/v1/subscriptions').set(bearer(service.token)).send({ accountId: account.accountId, product: 'Cloud VPS S', price: 50_000, cycleMonths: 1, startDate: start });
  expect(subscription.status).toBe(201);
  const invoiceAt = billingPeriod(start, 1, 0, 'Asia/Jakarta').invoiceAt;
  const now = await api.env.currentTimeMs();
  if (invoiceAt > now) await api.env.sleep(invoiceAt - now + 60_000);

  const list = await eventually(
    async () => (await http().get('/v1/documents').set(bearer(account.ownerToken))).body,
    (body) => body.total === 3,
  );
  expect(list.items.map((d: { type: string; reference: string }) => [d.type, d.reference])).toEqual([
    ['subscription_invoice', `${subscription.body.id}-001`],
    ['online_invoice', online.orderNumber],
    ['receipt', receipt],
  ]);
  expect(list.items[2]).toMatchObject({ amount: 150_000, status: 'paid', companyName: account.companyName, downloadPath: `/v1/orders/${receipt}/receipt.pdf` });
  // Months of workflow time passed: the unpaid online invoice expired and its order closed; its document stays.
  expect(list.items[1]).toMatchObject({ amount: 1_000_000, status: 'closed', downloadPath: `/v1/orders/${online.orderNumber}/invoice.pdf` });
  expect(list.items[0]).toMatchObject({ amount: 50_000, status: 'unpaid', downloadPath: `/v1/invoices/${subscription.body.id}-001.pdf` });
  for (const doc of list.items as { downloadPath: string; reference: string }[]) {
    const pdf = await http().get(doc.downloadPath).set(bearer(account.ownerToken)).buffer(true).parse(binary);
    expect(pdf.status).toBe(200);
    expect((await parsePdf(pdf.body as Buffer)).lines.join('\n')).toContain(doc.reference);
  }

  const receipts = await http().get('/v1/documents?type=receipt').set(bearer(account.ownerToken));
  expect(receipts.body.items.map((d: { reference: string }) => d.reference)).toEqual([receipt]);
  // Another customer sees none of them; finance sees both accounts', or one's.
  expect((await http().get('/v1/documents').set(bearer(other.ownerToken))).body.items.map((d: { accountId: string }) => d.accountId)).toEqual([other.accountId]);
  const all = await http().get('/v1/documents?pageSize=100').set(bearer(finance.token));
  expect(all.body.items.map((d: { accountId: string }) => d.accountId)).toEqual(expect.arrayContaining([account.accountId, other.accountId]));
  const one = await http().get(`/v1/documents?accountId=${other.accountId}`).set(bearer(finance.token));
  expect(one.body.total).toBe(1);
  expect((await http().get(`/v1/documents?accountId=${account.accountId}`).set(bearer(other.ownerToken))).status).toBe(404);
  const bad = await http().get('/v1/documents?type=slip').set(bearer(account.ownerToken));
  expect(bad.body.error.fields).toEqual([{ path: 'type', rule: 'must be one or more of receipt, online_invoice, subscription_invoice, separated by commas' }]);
});
