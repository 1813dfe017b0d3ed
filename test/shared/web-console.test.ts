/**
 * The web console in a real browser: headless Chromium (playwright-core) on the console the real API serves
 * in-process, in front of the time-skipping Temporal server, a worker with the real activities, PostgreSQL,
 * the SMTP sink and the sandbox gateway. People's steps, people's checks: what the pages say.
 *
 * `UPDATE_SCREENSHOTS=1 npx jest test/shared/web-console.test.ts` also saves the screenshots docs/web-console.md shows to docs/screenshots.
 */
import fs from 'node:fs';
import type { Locator } from 'playwright-core';
import { saveScreenshot, useConsoleInBrowser } from '../helpers/browser';
import { createStaffUser, createTestAccount, unpaidOrderView, type TestAccount, type TestUser } from '../helpers/fixtures';
import { recordBankTransferOrder } from '../../db/orders/read-model';
import { TEST_PROVIDER } from '../helpers/activity-deps';

const { api, browser, newPage, signedIn } = useConsoleInBrowser();
let customer: TestAccount;
let finance: TestUser;

beforeAll(async () => {
  [customer, finance] = await Promise.all([
    createTestAccount(api.t.db.pool, { companyName: 'PT Acme Digital Indonesia', password: true }),
    createStaffUser(api.t.db.pool, 'finance', { password: true }),
  ]);
});

/** The text of a locator once it shows `expected`. */
async function shows(locator: Locator, expected: string | RegExp): Promise<string> {
  await locator.filter({ hasText: expected }).first().waitFor();
  return (await locator.first().textContent()) ?? '';
}

/** Reads until `ok` (the page's CSP allows no string evaluation, so waiting is done from here). */
async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The error shown beside a field: its text, and whether the field is marked invalid and points at it. */
async function fieldError(field: Locator): Promise<{ text: string; invalid: string | null; describedBy: boolean }> {
  const id = await field.getAttribute('id');
  const error = field.page().locator(`[id="${id}-error"]`);
  await error.waitFor();
  return {
    text: (await error.textContent()) ?? '',
    invalid: await field.getAttribute('aria-invalid'),
    describedBy: ((await field.getAttribute('aria-describedby')) ?? '').split(' ').includes(`${id}-error`),
  };
}

/** A payment slip as a person would upload it: a PNG of a bank's transfer confirmation, drawn by the browser. */
async function transferSlipPng(orderNumber: string, amount: string): Promise<Buffer> {
  const page = await browser().newPage({ viewport: { width: 460, height: 300 } });
  await page.setContent(`<body style="margin:0;font-family:sans-serif;background:#f2f7fb">
    <div style="margin:16px;padding:16px;border-radius:10px;background:#fff;border:1px solid #cbd9e6">
      <div style="color:#0b6e99;font-weight:700;font-size:18px">m-Banking · Transfer successful</div>
      <p>To: ${TEST_PROVIDER.bank.bankName} ${TEST_PROVIDER.bank.accountNumber}<br>${TEST_PROVIDER.bank.accountName}</p>
      <p style="font-size:22px;font-weight:700">${amount}</p>
      <p>Note: ${orderNumber}</p></div></body>`);
  const png = await page.screenshot({ type: 'png' });
  await page.close();
  return png;
}

test('When the console and the API share the server, then pages get index.html and every API path keeps its own answer', async () => {
  const page = await fetch(`${api.baseUrl}/orders?status=paid`, { headers: { accept: 'text/html' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await page.text()).toContain('<div id="app">');
  for (const [path, status, type] of [
    ['/v1/no-such-route', 401, /json/],
    ['/healthz', 200, /json/],
    ['/openapi.json', 200, /json/],
    ['/docs', 200, /html/],
    ['/assets/no-such-file.js', 404, /json/],
  ] as const) {
    const res = await fetch(`${api.baseUrl}${path}`, { headers: { accept: 'text/html' } });
    expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status, type: expect.stringMatching(type) });
    if (path === '/docs') expect(await res.text()).not.toContain('<div id="app">');
  }
});

test('When /docs is opened under the Content-Security-Policy, then it is styled and lists the routes, and the policy refused nothing', async () => {
  const page = await newPage();
  const answer = await page.goto('/docs');
  expect(answer?.headers()['content-security-policy']).toContain("style-src 'self' 'sha256-");
  await page.getByRole('heading', { level: 1 }).waitFor();
  expect(await page.getByRole('row').filter({ hasText: '/v1/orders/{orderNumber}/approve' }).count()).toBe(1);
  // Its one inline style applied (allowed by its hash), not refused: the table's borders collapse.
  const borderCollapse = (table: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderCollapse: string } }).getComputedStyle(table).borderCollapse;
  expect(await page.locator('table').evaluate(borderCollapse)).toBe('collapse');
  await page.context().close();
});

test('When a customer completes the Top Up wizard, then the order is Dealing; finance approves it in the queue with the slip shown; the dashboard shows the new balance', async () => {
  const page = await signedIn(customer.ownerUsername);
  const credit = page.locator('[data-wallet="credit"]');
  expect(await shows(credit, 'IDR 0')).toContain('Current Balance');

  // Amount: a refusal is shown next to the field, in the API's words.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Top Up' }).click();
  const amount = page.getByLabel('Customized Amount (IDR)');
  expect(await page.getByText('At least IDR 10,000.').isVisible()).toBe(true);
  await amount.fill('5000');
  await page.getByRole('button', { name: 'Next' }).click();
  expect(await fieldError(amount)).toEqual({ text: 'Must be at least IDR 10,000 for the credit wallet', invalid: 'true', describedBy: true });
  expect(await page.locator(':focus').getAttribute('name')).toBe('amount');
  await amount.fill('250,000');
  await page.getByRole('button', { name: 'Next' }).click();

  // Payment method, then the provider's bank account and the order number.
  expect(await page.getByLabel('Transfer Remittance').isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Bank details' }).waitFor();
  const orderNumber = (await page.locator('.order-number').textContent())!;
  expect(orderNumber).toMatch(/^\d{13}$/);
  expect(await page.locator('.account-number').textContent()).toBe(TEST_PROVIDER.bank.accountNumber);
  await saveScreenshot(page, 'top-up-wizard');
  await page.getByRole('button', { name: 'Next' }).click();

  // Upload the slip and submit: Dealing.
  await page.getByLabel('Payment slip').setInputFiles({ name: 'transfer.png', mimeType: 'image/png', buffer: await transferSlipPng(orderNumber, 'IDR 250,000') });
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.getByRole('heading', { name: `Order ${orderNumber} submitted` }).waitFor();
  expect(await page.locator('.status').textContent()).toBe('Dealing');
  await page.getByRole('link', { name: 'View your orders' }).click();
  const listed = page.locator(`tr[data-order="${orderNumber}"]`);
  expect(await shows(listed, 'Dealing')).toContain('Transfer Remittance');
  expect(await listed.textContent()).toContain('IDR 250,000');

  // Finance: the queue with the time left, the slip in place, a reject without a reason refused beside its field.
  const financePage = await signedIn(finance.username);
  expect(new URL(financePage.url()).pathname).toBe('/review');
  const queued = financePage.locator(`tr[data-order="${orderNumber}"]`);
  expect(await shows(queued, /23 h 59 min|1 d 0 h/)).toContain('IDR 250,000');
  await financePage.getByRole('link', { name: `Review ${orderNumber}` }).click();
  const slip = financePage.getByRole('img', { name: `Payment slip ${orderNumber}` });
  await slip.waitFor();
  // Loaded and decoded: the slip drawn at 460 px wide, shown from the object URL.
  expect(await until(() => slip.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), (width) => width > 0)).toBe(460);
  expect(await slip.getAttribute('src')).toMatch(/^blob:/);
  await financePage.getByRole('button', { name: 'Reject' }).click();
  expect(await fieldError(financePage.getByLabel('Reason for rejection'))).toMatchObject({ text: 'Is required', invalid: 'true' });
  await financePage.getByLabel('Check result').fill('Matches the slip');
  await saveScreenshot(financePage, 'review-queue', { fullPage: true });
  await financePage.getByRole('button', { name: 'Approve' }).click();
  await financePage.getByText(`Order ${orderNumber} is now Paid.`).waitFor();
  expect(await financePage.locator(`tr[data-order="${orderNumber}"]`).count()).toBe(0);

  // The customer: the new balance on the dashboard, Paid in the list, and the receipt.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  expect(await shows(credit.locator('.amount'), 'IDR 250,000')).toBe('IDR 250,000');
  expect(await credit.locator('.split').textContent()).toContain('Recharge amountIDR 250,000');
  await saveScreenshot(page, 'dashboard');
  await page.goto('/orders?status=paid');
  expect(await shows(page.locator(`tr[data-order="${orderNumber}"]`), 'Matches the slip')).toContain('Paid');
  const [receipt] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Receipt ${orderNumber}` }).click()]);
  expect(receipt.suggestedFilename()).toBe(`receipt-${orderNumber}.pdf`);
  expect((await fs.promises.readFile((await receipt.path())!)).subarray(0, 5).toString()).toBe('%PDF-');
  await page.context().close();
  await financePage.context().close();
});

test('When the customer filters, edits and deletes orders in the list, then each change shows and a bad filter is named beside its field', async () => {
  const page = await signedIn(customer.ownerUsername);
  const created: string[] = [];
  for (const amount of [100_000, 150_000]) {
    const res = await page.request.post('/v1/orders', { headers: { authorization: `Bearer ${customer.ownerToken}` }, data: { wallet: 'credit', amount } });
    created.push(String(((await res.json()) as { orderNumber: string }).orderNumber));
  }
  const [toEdit, toDelete] = created as [string, string];
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  await page.getByRole('link', { name: 'Unpaid', exact: true }).click();
  await page.locator(`tr[data-order="${toEdit}"]`).waitFor();
  expect(await page.locator('tbody tr').count()).toBe(2);
  await saveScreenshot(page, 'order-list');

  await page.getByRole('button', { name: `Edit ${toEdit}` }).click();
  const dialog = page.getByRole('dialog', { name: `Edit order ${toEdit}` });
  await dialog.getByLabel('Amount (IDR)').fill('120.000');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await page.getByText(`Order ${toEdit} is now Unpaid.`).waitFor();
  expect(await shows(page.locator(`tr[data-order="${toEdit}"]`), 'IDR 120,000')).toContain('Unpaid');

  await page.getByRole('button', { name: `Delete ${toDelete}` }).click();
  await page.getByRole('dialog', { name: `Delete order ${toDelete}?` }).getByRole('button', { name: 'Delete' }).click();
  await page.getByText(`Order ${toDelete} was deleted.`).waitFor();
  await page.getByRole('link', { name: 'Deleted', exact: true }).click();
  await page.locator(`tr[data-order="${toDelete}"]`).waitFor();

  await page.getByLabel('Order Number').fill(toEdit.slice(0, 8));
  await page.getByLabel('Creation time from').fill('2030-01-02');
  await page.getByLabel('Creation time to').fill('2030-01-01');
  await page.getByRole('button', { name: 'Query' }).click();
  expect(await fieldError(page.getByLabel('Creation time to'))).toMatchObject({ text: 'Must not be before from', invalid: 'true' });

  // Bahasa Indonesia: the same page, in the other language.
  await page.getByRole('button', { name: 'Indonesia' }).click();
  await page.getByRole('heading', { name: 'Pesanan', level: 1 }).waitFor();
  expect(await page.locator('html').getAttribute('lang')).toBe('id');
  expect(await page.getByLabel('Waktu pembuatan dari').inputValue()).toBe('2030-01-02');
  await page.getByRole('button', { name: 'EN', exact: true }).click();
  await page.context().close();
});

test('When a customer has 45 orders, then the list pages through them by cursor, 20 at a time, and back', async () => {
  const many = await createTestAccount(api.t.db.pool, { companyName: 'PT Many Orders', password: true });
  const numbers = Array.from({ length: 45 }, (_, i) => `12606010${String(i).padStart(5, '0')}`);
  for (const [i, n] of numbers.entries()) await recordBankTransferOrder(api.t.db.pool, unpaidOrderView(n, many, new Date(Date.UTC(2026, 5, 1) + i * 60_000).toISOString()));
  const newestFirst = [...numbers].reverse();
  const page = await signedIn(many.ownerUsername);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  const shown = async () => {
    await page.locator('tbody tr').first().waitFor();
    return page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-order')));
  };
  const pager = page.getByRole('navigation', { name: /^Page / });
  expect(await shown()).toEqual(newestFirst.slice(0, 20));
  expect(await pager.locator('span').first().textContent()).toBe('Page 1 of 3 · 45 orders');

  await page.getByRole('link', { name: 'Next page' }).click();
  await page.waitForURL(/[?&]cursor=/);
  expect(await until(shown, (rows) => rows[0] === newestFirst[20])).toEqual(newestFirst.slice(20, 40));
  await page.getByRole('link', { name: 'Next page' }).click();
  expect(await until(shown, (rows) => rows[0] === newestFirst[40])).toEqual(newestFirst.slice(40));
  expect(await pager.locator('span').first().textContent()).toBe('Page 3 of 3 · 45 orders');
  expect(await page.getByRole('link', { name: 'Next page' }).count()).toBe(0);

  await page.getByRole('link', { name: 'Previous page' }).click();
  expect(await until(shown, (rows) => rows[0] === newestFirst[20])).toEqual(newestFirst.slice(20, 40));
  await page.getByRole('link', { name: 'Previous page' }).click();
  expect(await until(shown, (rows) => rows[0] === newestFirst[0])).toEqual(newestFirst.slice(0, 20));
  expect(new URL(page.url()).search).toBe('');
  await page.context().close();
});

test('When a customer confirms an online top-up, then the invoice shows the VA number and a live countdown, and turns Paid when the gateway calls back', async () => {
  const page = await signedIn(customer.ownerUsername);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Online top-up' }).click();
  const whatsapp = page.getByLabel('WhatsApp conversation balance (IDR)');
  expect(await page.getByText('At least IDR 1,000,000; a smaller amount is raised to it.').isVisible()).toBe(true);
  await whatsapp.fill('999999');
  // muv is bought in packs (DOMAIN.md): the field says what the packs typed buy, and a fraction is refused.
  const packs = page.getByLabel('Monthly unique visitors (packs)');
  expect(await page.getByText('Enter how many packs: each is 500 visitors for IDR 300,000.').isVisible()).toBe(true);
  await packs.fill('1.5');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  expect((await fieldError(packs)).text).toMatch(/whole number/i);
  await packs.fill('2');
  expect(await page.locator('output.packs-buy').textContent()).toBe('= 1,000 visitors for IDR 600,000');
  await page.getByRole('button', { name: 'Continue to payment' }).click();

  await page.getByRole('heading', { name: /^Confirm top-up \d{13}$/ }).waitFor();
  const orderNumber = (await page.getByRole('heading', { level: 1 }).textContent())!.slice(-13);
  expect(await page.locator('table.lines').textContent()).toContain('Raised to the WhatsApp minimum of IDR 1,000,000');
  expect(await page.locator('table.lines tfoot').textContent()).toContain('IDR 1,600,000');
  expect(await page.locator('label[for="method-credit_card"]').textContent()).toBe('Credit card · IDR 1,656,000 (includes a IDR 56,000 card fee)');
  await page.getByLabel(/^Virtual account/).check();
  await page.getByRole('button', { name: 'Confirm payment' }).click();

  await page.getByRole('heading', { name: `Sales invoice ${orderNumber}` }).waitFor();
  const va = (await page.locator('.va-number').textContent())!;
  expect(va).toMatch(/^\d{8,}$/);
  const timer = page.getByRole('timer');
  const first = (await timer.textContent())!;
  expect(first).toMatch(/^(\d d )?\d{2}:\d{2}:\d{2}$/);
  expect(await until(() => timer.textContent(), (now) => now !== first)).toMatch(/^(\d d )?\d{2}:\d{2}:\d{2}$/);
  await saveScreenshot(page, 'online-invoice');

  const invoice = api.t.gateway.invoices().find((i) => i.merchantRef === orderNumber)!;
  await api.t.gateway.pay(invoice.providerRef);
  await page.getByText('Paid. Thank you: the balance is added to your wallets.').waitFor({ timeout: 60_000 });
  await page.context().close();
});

test('When the payment gateway fails as a customer confirms, then the page says the invoice is being issued and offers to cancel; cancelled, the summary says why; confirmed again once it works, the invoice shows', async () => {
  const page = await signedIn(customer.ownerUsername);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Online top-up' }).click();
  await page.getByLabel('API credit (IDR)').fill('150000');
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.getByRole('heading', { name: /^Confirm top-up \d{13}$/ }).waitFor();
  const orderNumber = (await page.getByRole('heading', { level: 1 }).textContent())!.slice(-13);
  api.t.gateway.setFault({ mode: 'error' });
  try {
    await page.getByLabel(/^E-wallet/).check();
    await page.getByRole('button', { name: 'Confirm payment' }).click();
    await page.getByText(/the payment gateway is issuing your invoice/).waitFor({ timeout: 30_000 });
    expect(await page.locator('.invoice').textContent()).toMatch(/Last problem with the gateway.*HTTP 500/);
    await page.getByRole('button', { name: 'Cancel the confirmation' }).click();
    await page.getByText('The invoice was not issued: the customer cancelled the confirmation before the invoice was issued.').waitFor();
    await page.getByRole('heading', { name: `Confirm top-up ${orderNumber}` }).waitFor();
  } finally {
    api.t.gateway.setFault({ mode: 'none' });
  }
  await page.getByLabel(/^E-wallet/).check();
  await page.getByRole('button', { name: 'Confirm payment' }).click();
  await page.getByRole('heading', { name: `Sales invoice ${orderNumber}` }).waitFor();
  expect(await page.getByRole('link', { name: 'Pay now' }).getAttribute('href')).toMatch(/\/pay\/inv_/);
  await page.context().close();
});
