/**
 * The subscriptions page in headless Chromium (issue 21, seed 002), on the console the real API serves in front of the
 * time-skipping Temporal server (renewal invoices issued by the billing workflow's timer), a worker with the real
 * activities, PostgreSQL and the sandbox gateway: an owner pays an unpaid renewal online, starts paying another by
 * bank transfer, and stops a service at the end of the period; a PIC pays but cannot stop.
 *
 * `UPDATE_SCREENSHOTS=1 npm run jest -- test/billing/console-subscriptions.test.ts` saves docs/screenshots/ too.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { billingPeriod } from '../../workflows/billing/periods';
import { bearer } from '../helpers/api';
import { saveScreenshot, useConsoleInBrowser } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { createPicUser, createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';

const START = '2027-02-20';
const TZ = 'Asia/Jakarta';

const { api, signedIn } = useConsoleInBrowser();
let customer: TestAccount;
let pic: TestUser;
let service: TestUser;
const subscriptions: Record<'server' | 'backup', string> = { server: '', backup: '' };

const http = () => request(api.app);

beforeAll(async () => {
  customer = await createTestAccount(api.t.db.pool, { companyName: 'PT Hosting Andalan', password: true });
  [pic, service] = await Promise.all([createPicUser(api.t.db.pool, customer, { password: true }), createStaffUser(api.t.db.pool, 'service')]);
  for (const [key, product, price] of [
    ['server', 'Dedicated Server M', 400_000],
    ['backup', 'Cloud Backup 100 GB', 75_000],
  ] as const) {
    const created = await http().post('/v1/subscriptions').set(bearer(service.token)).send({ accountId: customer.accountId, product, price, cycleMonths: 1, startDate: START });
    expect(created.status).toBe(201);
    subscriptions[key] = String(created.body.id);
  }
  // 7 days before the first period ends both renewals are issued; the deposit is empty, so both are unpaid.
  await api.env.sleep(billingPeriod(START, 1, 0, TZ).invoiceAt + 60_000 - (await api.env.currentTimeMs()));
  await eventually(
    async () => (await http().get('/v1/invoices?status=unpaid').set(bearer(customer.ownerToken))).body.items.length as number,
    (n) => n === 2,
  );
});

const card = (page: Page, key: keyof typeof subscriptions) => page.locator(`[data-subscription="${subscriptions[key]}"]`);
const invoiceOf = (key: keyof typeof subscriptions) => `${subscriptions[key]}-001`;

test('When the owner opens the subscriptions page and pays the unpaid renewal online, then the order is the invoice (not editable), the card fee is the order policy’s, and once paid the invoice reads Paid', async () => {
  const page = await signedIn(customer.ownerUsername);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriptions' }).click();
  const server = card(page, 'server');
  await server.waitFor();
  expect(await server.locator('.facts').textContent()).toContain('IDR 400,000 every 1 month(s)');
  expect(await server.locator('.facts').textContent()).toContain('Active');
  const row = server.locator(`tr[data-invoice="${invoiceOf('server')}"]`);
  expect(await row.textContent()).toMatch(/2027-03-20 to 2027-04-20IDR 400,000.*Unpaid/);
  await saveScreenshot(page, 'subscriptions', { fullPage: true });

  await server.getByRole('button', { name: `Pay online ${invoiceOf('server')}` }).click();
  await page.getByRole('heading', { name: /^Confirm top-up \d{13}$/ }).waitFor();
  const orderNumber = (await page.getByRole('heading', { level: 1 }).textContent())!.slice(-13);
  await page.getByText(`This order pays subscription invoice ${invoiceOf('server')}`).waitFor();
  expect(await page.getByRole('button', { name: 'Edit amounts' }).count()).toBe(0);
  expect(await page.locator('label[for="method-credit_card"]').textContent()).toBe('Credit card · IDR 414,000 (includes a IDR 14,000 card fee)');
  await page.getByLabel(/^Virtual account/).check();
  await page.getByRole('button', { name: 'Confirm payment' }).click();
  await page.getByRole('heading', { name: `Sales invoice ${orderNumber}` }).waitFor();
  const gatewayInvoice = api.t.gateway.invoices().find((i) => i.merchantRef === orderNumber)!;
  await api.t.gateway.pay(gatewayInvoice.providerRef);
  await page.getByText('Paid. Thank you: the balance is added to your wallets.').waitFor({ timeout: 60_000 });
  expect(await page.locator('.invoice .facts').textContent()).toContain(`${invoiceOf('server')} paid (IDR 400,000)`);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriptions' }).click();
  expect(await eventually(async () => (await card(page, 'server').locator(`tr[data-invoice="${invoiceOf('server')}"]`).getAttribute('data-status')) ?? '', (s) => s === 'paid')).toBe('paid');
});

test('When a PIC pays the other renewal by bank transfer, then the Top Up wizard continues with that order at the payment method, and the PIC has no way to stop a service', async () => {
  const page = await signedIn(pic.username);
  await page.goto('/subscriptions');
  const backup = card(page, 'backup');
  await backup.waitFor();
  expect(await page.getByRole('button', { name: 'Stop at the end of the period' }).count()).toBe(0);
  await backup.getByRole('button', { name: `Pay by bank transfer ${invoiceOf('backup')}` }).click();
  await page.waitForURL(/\/top-up\?order=\d{13}$/);
  expect(await page.getByLabel('Transfer Remittance').isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Bank details' }).waitFor();
  expect(await page.locator('main').textContent()).toContain('IDR 75,000');
  // Back on the page, paying the invoice again names the order that already pays it.
  await page.goto('/subscriptions');
  await card(page, 'backup').getByRole('button', { name: `Pay online ${invoiceOf('backup')}` }).click();
  await card(page, 'backup').getByRole('alert').getByText(new RegExp(`invoice ${invoiceOf('backup')} already has order \\d{13}; continue with it`)).waitFor();
});

test('When the owner stops a service, then a dialog says what happens, the page shows the day it ends, and the button is gone', async () => {
  const page = await signedIn(customer.ownerUsername);
  await page.goto('/subscriptions');
  const backup = card(page, 'backup');
  await backup.getByRole('button', { name: 'Stop at the end of the period' }).click();
  const dialog = page.getByRole('dialog', { name: 'Stop Cloud Backup 100 GB?' });
  expect(await dialog.textContent()).toContain('The service runs until the end of the period you have paid for.');
  await dialog.getByRole('button', { name: 'Stop at the end of the period' }).click();
  await page.getByText('Cloud Backup 100 GB stops on 2027-03-20.').waitFor();
  expect(await card(page, 'backup').locator('.facts').textContent()).toContain(`The service ends on 2027-03-20 (asked by ${customer.ownerUsername}); no new invoice is issued.`);
  expect(await card(page, 'backup').getByRole('button', { name: 'Stop at the end of the period' }).count()).toBe(0);
  // Its unpaid renewal is void now.
  expect(await eventually(async () => (await http().get('/v1/invoices').set(bearer(customer.ownerToken))).body.items.find((i: { id: string }) => i.id === invoiceOf('backup')).status as string, (s) => s === 'void')).toBe('void');
  await page.reload();
  expect(await card(page, 'backup').locator(`tr[data-invoice="${invoiceOf('backup')}"]`).getAttribute('data-status')).toBe('void');
  await saveScreenshot(page, 'subscription-stop', { fullPage: true });
});
