/**
 * The self-service pages in headless Chromium (issue 21), on the console the real API serves in front of the
 * time-skipping Temporal server, a worker with the real activities, PostgreSQL, the SMTP sink and the sandbox gateway:
 * the low-balance banner and the usage report on the dashboard, a wallet's statement and its CSV, gifts granted by
 * finance, documents with their PDFs, the operation log, the company in finance's queue, the billing email on the
 * confirmation step, and refusals in Bahasa Indonesia. What a person reads on each page is what is checked.
 *
 * `UPDATE_SCREENSHOTS=1 npm run jest -- test/ledger/console-self-service.test.ts` saves docs/screenshots/ too.
 */
import { parse } from 'csv-parse/sync';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { creditTopup } from '../../db/ledger/ledger';
import { bearer } from '../helpers/api';
import { downloadedText, fieldError, saveScreenshot, useConsoleInBrowser } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { parsePdf } from '../helpers/pdf-text';
import { SLIP_PNG } from '../helpers/slips';

const { api, signedIn } = useConsoleInBrowser();
let customer: TestAccount;
let finance: TestUser;
let service: TestUser;

const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Jakarta' }).format(new Date());
const http = () => request(api.app);

beforeAll(async () => {
  [customer, finance, service] = await Promise.all([
    createTestAccount(api.t.db.pool, { companyName: 'PT Warung Data Nusantara', password: true }),
    createStaffUser(api.t.db.pool, 'finance', { password: true }),
    createStaffUser(api.t.db.pool, 'service'),
  ]);
  // The account's story before the pages are opened: a paid top-up of 1,000,000, then three usage charges by the
  // product's backend that leave 350,000 (35 % of the top-up, under the 40 % of the low-balance notice).
  await creditTopup(api.t.db.pool, { orderNumber: '1261201999001', accountId: customer.accountId, wallet: 'credit', amount: 1_000_000 });
  for (const [i, amount, name] of [
    [1, 200_000, 'ocr'],
    [2, 150_000, 'ocr'],
    [3, 300_000, 'liveness'],
  ] as const) {
    const charged = await http()
      .post('/v1/usage')
      .set(bearer(service.token))
      .set('Idempotency-Key', `console-usage-${i}`)
      .send({ accountId: customer.accountId, wallet: 'credit', amount, service: name, memo: `batch ${i}` });
    expect(charged.status).toBe(201);
  }
});

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

test('When a customer whose credit fell under 40 % of its last top-up opens the dashboard, then a banner says so, and the usage report shows the period against the one before, the chart, the services and the CSV', async () => {
  const page = await signedIn(customer.ownerUsername);
  const banner = page.locator('.banner-low[data-wallet="credit"]');
  expect(await banner.textContent()).toBe('API credit is below 40% of your last top-up: IDR 350,000 left of IDR 1,000,000. Top up now');
  expect(await banner.getByRole('link', { name: 'Top up now' }).getAttribute('href')).toBe('/top-up');
  expect(await page.locator('.banner-low').count()).toBe(1);

  const report = page.getByRole('region', { name: 'Usage report' });
  const credit = report.locator('.usage-wallet[data-wallet="credit"]');
  expect(await credit.locator('.usage-amount').textContent()).toBe('IDR 650,000 in 3 charges');
  expect(await credit.locator('.usage-change').textContent()).toBe('no usage in the last period');
  expect(await report.locator('.usage-period').textContent()).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} to ${today()}, compared with`));
  // The chart is drawn (uPlot's canvas and its legend), and its figures are in the table beside it.
  await report.locator('.usage-chart canvas').first().waitFor();
  expect(await report.locator('.usage-chart .u-legend').textContent()).toContain('API credit');
  expect(await report.locator(`table.usage-days tr[data-date="${today()}"]`).textContent()).toBe(`${today()}IDR 650,000`);
  const services = await report.locator('table.usage-services tbody tr').allTextContents();
  expect(services).toEqual(['API creditocr2IDR 350,000', 'API creditliveness1IDR 300,000']);
  await saveScreenshot(page, 'dashboard-usage', { fullPage: true });

  // "Download details": every charge of the period, with its service.
  const csv = await downloadedText(page, () => report.getByRole('button', { name: 'Download details' }).click());
  expect(csv.name).toMatch(new RegExp(`^usage-\\d{4}-\\d{2}-\\d{2}-${today()}\\.csv$`));
  const rows = parse(csv.text, { columns: true }) as Record<string, string>[];
  expect(rows.map((r) => [r.service, r.amount, r.memo])).toEqual([
    ['ocr', '200000', 'batch 1'],
    ['ocr', '150000', 'batch 2'],
    ['liveness', '300000', 'batch 3'],
  ]);

  // A period of the customer's choosing: a day with no usage says so; one ending before it starts is refused beside "Period to".
  await report.getByLabel('Period from').fill('2026-01-01');
  await report.getByLabel('Period to').fill('2026-01-01');
  await report.getByRole('button', { name: 'Query' }).click();
  await page.getByText('No usage in this period.').waitFor();
  expect(new URL(page.url()).search).toBe('?from=2026-01-01&to=2026-01-01');
  await page.getByLabel('Period to').fill('2025-12-31');
  await page.getByRole('button', { name: 'Query' }).click();
  expect(await fieldError(page.getByLabel('Period to'))).toEqual({ text: 'Must not be before from', invalid: 'true' });
});

test('When a customer opens the statement of its credit wallet, then every movement shows with the running balance, a kind filter narrows it, and the CSV holds the same lines that sum to the balance', async () => {
  const page = await signedIn(customer.ownerUsername);
  await page.locator('.wallet[data-wallet="credit"]').getByRole('link', { name: 'Statement' }).click();
  await page.getByRole('heading', { name: 'Statement', level: 1 }).waitFor();
  const rows = page.locator('table.statement tbody tr');
  await rows.first().waitFor();
  const lines = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
  expect(lines.slice(0, 4)).toEqual([
    ['Top-up', 'order 1261201999001', '+IDR 1,000,000', 'IDR 1,000,000'],
    ['Usage', 'ocr · batch 1', '−IDR 200,000', 'IDR 800,000'],
    ['Usage', 'ocr · batch 2', '−IDR 150,000', 'IDR 650,000'],
    ['Usage', 'liveness · batch 3', '−IDR 300,000', 'IDR 350,000'],
  ]);
  const closing = (await page.locator('.statement-summary dd').nth(2).textContent())!;
  await saveScreenshot(page, 'statement', { fullPage: true });

  await page.getByLabel('Usage', { exact: true }).check();
  await page.getByRole('button', { name: 'Query' }).click();
  await page.waitForURL(/kind=usage/);
  await page.locator('table.statement tbody tr').first().waitFor();
  expect(await page.locator('table.statement tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-kind')))).toEqual(['usage', 'usage', 'usage']);

  await page.goto('/statement?wallet=credit');
  const csv = await downloadedText(page, () => page.getByRole('button', { name: 'Download CSV' }).click());
  expect(csv.name).toBe(`statement-${customer.accountId}-credit.csv`);
  const movements = parse(csv.text, { columns: true }) as Record<string, string>[];
  const balance = (await http().get('/v1/balance').set(bearer(customer.ownerToken))).body.wallets.find((w: { wallet: string }) => w.wallet === 'credit').current as number;
  expect(movements.reduce((sum, r) => sum + Number(r.change), 0)).toBe(balance);
  expect(closing).toBe(`IDR ${balance.toLocaleString('en-US')}`);

  // A range that ends before it starts is refused beside "To", in Bahasa Indonesia when the console speaks it.
  await page.getByRole('button', { name: 'Indonesia' }).click();
  await page.getByLabel('Dari', { exact: true }).fill('2026-02-02');
  await page.getByLabel('Sampai', { exact: true }).fill('2026-02-01');
  await page.getByRole('button', { name: 'Cari' }).click();
  expect(await fieldError(page.getByLabel('Sampai', { exact: true }))).toEqual({ text: 'Tidak boleh sebelum from', invalid: 'true' });
  await page.getByRole('button', { name: 'EN', exact: true }).click();
});

test('When finance grants a gift in the console, then a refusal sits beside its field, the gift is listed with what is left, and the customer sees it on the dashboard and its gifts page', async () => {
  const page = await signedIn(finance.username);
  await nav(page, 'Gifts').click();
  const form = page.getByRole('form', { name: 'Grant a gift' });
  await form.getByLabel('Account id').fill(customer.accountId);
  await form.getByLabel('Amount').fill('20,000');
  await form.getByLabel('Expires on').fill('2020-01-01');
  await form.getByRole('button', { name: 'Grant the gift' }).click();
  expect(await fieldError(form.getByLabel('Reason'))).toEqual({ text: 'Is required', invalid: 'true' });
  await form.getByLabel('Reason').fill('Launch promotion');
  await form.getByRole('button', { name: 'Grant the gift' }).click();
  expect(await fieldError(form.getByLabel('Expires on'))).toEqual({ text: 'Must be in the future, at most 3650 days away', invalid: 'true' });
  const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  await form.getByLabel('Expires on').fill(nextYear);
  await form.getByRole('button', { name: 'Grant the gift' }).click();
  await page.getByText('Gift of IDR 20,000 granted to PT Warung Data Nusantara.').waitFor();
  const granted = page.locator('table.gifts tbody tr').filter({ hasText: 'Launch promotion' });
  expect(await granted.getAttribute('data-status')).toBe('active');
  expect(await granted.textContent()).toContain('PT Warung Data Nusantara');
  expect(await granted.textContent()).toContain(`${nextYear} 23:59:59`);
  expect(await granted.textContent()).toContain(finance.username);
  await saveScreenshot(page, 'gifts', { fullPage: true });

  const owner = await signedIn(customer.ownerUsername);
  const credit = owner.locator('.wallet[data-wallet="credit"] .split');
  expect(await credit.textContent()).toContain('Gift amountIDR 20,000');
  await nav(owner, 'Gifts').click();
  const mine = owner.locator('table.gifts tbody tr');
  await mine.first().waitFor();
  expect(await mine.allTextContents()).toEqual([expect.stringMatching(new RegExp(`API creditIDR 20,000IDR 20,000Launch promotion${nextYear} 23:59:59Active$`))]);
  // A customer reads gifts, never grants one.
  expect(await owner.getByRole('form', { name: 'Grant a gift' }).count()).toBe(0);
});

test('When finance approves a slip from the queue that names the company, and the customer confirms an online top-up with another billing email, then the documents page lists both PDFs and the billing info went to that email', async () => {
  const created = await http().post('/v1/orders').set(bearer(customer.ownerToken)).send({ wallet: 'credit', amount: 500_000 });
  const receiptOrder = String(created.body.orderNumber);
  expect((await http().post(`/v1/orders/${receiptOrder}/slip`).set(bearer(customer.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' })).status).toBe(201);

  // Finance's queue names the company, not only the account id.
  const staff = await signedIn(finance.username);
  const queued = staff.locator(`tr[data-order="${receiptOrder}"]`);
  expect(await queued.locator('.company').textContent()).toBe('PT Warung Data Nusantara');
  await staff.getByRole('link', { name: `Review ${receiptOrder}` }).click();
  await staff.getByLabel('Check result').fill('Matches the slip');
  await staff.getByRole('button', { name: 'Approve' }).click();
  await staff.getByText(`Order ${receiptOrder} is now Paid.`).waitFor();

  // The confirmation step shows the billing email, editable (seed 001): the owner's own unless changed.
  const page = await signedIn(customer.ownerUsername);
  await nav(page, 'Online top-up').click();
  await page.getByLabel('API credit (IDR)').fill('150000');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.getByRole('heading', { name: /^Confirm top-up \d{13}$/ }).waitFor();
  const onlineOrder = (await page.getByRole('heading', { level: 1 }).textContent())!.slice(-13);
  const billingEmail = page.getByLabel('Billing email');
  expect(await billingEmail.inputValue()).toBe(customer.ownerEmail);
  await billingEmail.fill('not-an-email');
  await page.getByLabel(/^Virtual account/).check();
  await page.getByRole('button', { name: 'Confirm payment' }).click();
  expect(await fieldError(billingEmail)).toEqual({ text: 'Must be an email address', invalid: 'true' });
  await billingEmail.fill('finance.team@warung.example');
  await page.getByRole('button', { name: 'Confirm payment' }).click();
  await page.getByRole('heading', { name: `Sales invoice ${onlineOrder}` }).waitFor();
  const billingInfo = await eventually(
    async () => Promise.all(api.t.sink.messages.map(async (m) => ({ to: m.to, subject: (await simpleParser(m.raw)).subject ?? '' }))),
    (ms) => ms.some((m) => m.subject === `Billing info for top-up order ${onlineOrder}`),
  );
  expect(billingInfo.filter((m) => m.subject === `Billing info for top-up order ${onlineOrder}`).map((m) => m.to)).toEqual([['finance.team@warung.example']]);

  await nav(page, 'Documents').click();
  const docs = page.locator('table.documents tbody tr');
  expect(await eventually(() => docs.count(), (n) => n === 2)).toBe(2);
  expect(await page.locator(`tr[data-document="online_invoice:${onlineOrder}"]`).textContent()).toMatch(/^Online invoice\d{13}\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}IDR 150,000Awaiting paymentDownload$/);
  expect(await page.locator(`tr[data-document="receipt:${receiptOrder}"]`).textContent()).toMatch(/^Receipt\d{13}.*IDR 500,000PaidDownload$/);
  await saveScreenshot(page, 'documents');
  const receipt = await downloadedText(page, () => page.getByRole('button', { name: `Download Receipt ${receiptOrder}` }).click());
  expect(receipt.name).toMatch(/\.pdf$/);
  const pdf = await parsePdf(receipt.bytes);
  expect(pdf.lines.join('\n')).toContain(receiptOrder);
  expect(pdf.lines.join('\n')).toContain('PT Warung Data Nusantara');

  await page.getByLabel('Type').selectOption('online_invoice');
  await page.getByRole('button', { name: 'Query' }).click();
  await page.waitForURL(/type=online_invoice/);
  expect(await eventually(() => docs.count(), (n) => n === 1)).toBe(1);
  const invoice = await downloadedText(page, () => page.getByRole('button', { name: `Download Online invoice ${onlineOrder}` }).click());
  expect((await parsePdf(invoice.bytes)).lines.join('\n')).toContain(onlineOrder);

  // Finance sees every account's documents with the company named.
  await nav(staff, 'Documents').click();
  const all = staff.locator(`tr[data-document="receipt:${receiptOrder}"]`);
  expect(await all.textContent()).toContain('PT Warung Data Nusantara');
});

test('When a customer reads its operation log, then it filters by kind and by user; finance filters across accounts; a bad filter is named beside its field', async () => {
  const page = await signedIn(customer.ownerUsername);
  await nav(page, 'Operation log').click();
  await page.locator('table.operation-log tbody tr').first().waitFor();
  expect(await page.locator('table.operation-log tbody tr[data-action="session.sign_in"]').count()).toBeGreaterThan(0);

  await page.getByLabel('Kind', { exact: true }).selectOption('usage');
  await page.getByRole('button', { name: 'Query' }).click();
  await page.waitForURL(/action=usage/);
  const usage = page.locator('table.operation-log tbody tr');
  expect(await eventually(() => usage.count(), (n) => n === 3)).toBe(3);
  expect(await usage.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')))).toEqual(['usage.record', 'usage.record', 'usage.record']);
  expect(await usage.first().textContent()).toContain(service.username);
  expect(await usage.first().textContent()).toContain('service: liveness');
  await saveScreenshot(page, 'operation-log', { fullPage: true });

  await page.goto(`/operation-log?actor=${finance.username}`);
  const byFinance = page.locator('table.operation-log tbody tr');
  await byFinance.first().waitFor();
  const actions = await byFinance.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
  expect(actions.length).toBeGreaterThan(0);
  expect(actions.every((a) => a === 'gift.grant' || a === 'order.approve')).toBe(true);

  await page.getByLabel('From', { exact: true }).fill('2026-03-02');
  await page.getByLabel('To', { exact: true }).fill('2026-03-01');
  await page.getByRole('button', { name: 'Query' }).click();
  expect(await fieldError(page.getByLabel('To', { exact: true }))).toEqual({ text: 'Must not be before from', invalid: 'true' });

  const staff = await signedIn(finance.username);
  await staff.goto(`/operation-log?action=gift&accountId=${customer.accountId}`);
  const gifts = staff.locator('table.operation-log tbody tr');
  await gifts.first().waitFor();
  expect(await gifts.first().textContent()).toContain('PT Warung Data Nusantara');
  expect(await gifts.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')))).toEqual(['gift.grant']);
});
