/**
 * The finance console's reconciliation pages in a real browser (headless Chromium on the console the real API
 * serves, with the time-skipping Temporal server, a worker with the real activities, PostgreSQL, the SMTP sink and
 * the sandbox gateway): finance imports the bank's MT940 statement, confirms the proposed matches in bulk, and
 * resolves an exception by crediting it to a customer's wallet. What the pages say, and what the customer gets.
 *
 * `UPDATE_SCREENSHOTS=1` saves docs/screenshots/statement-import.png and payment-exceptions.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { getBalances } from '../../db/ledger/ledger';
import { checkInvariants } from '../../db/ledger/invariants';
import { bearer } from '../helpers/api';
import { saveScreenshot, useConsoleInBrowser } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const { api, signedIn } = useConsoleInBrowser();
let customer: TestAccount;
let other: TestAccount;
let finance: TestUser;

const http = () => request(api.app);

beforeAll(async () => {
  [customer, other, finance] = await Promise.all([
    createTestAccount(api.t.db.pool, { companyName: 'PT Maju Bersama' }),
    createTestAccount(api.t.db.pool, { companyName: 'PT Abadi Sentosa' }),
    createStaffUser(api.t.db.pool, 'finance', { password: true }),
  ]);
});

async function order(amount: number, dealing: boolean): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(customer.ownerToken)).send({ wallet: 'credit', amount });
  const n = String(created.body.orderNumber);
  if (dealing) await http().post(`/v1/orders/${n}/slip`).set(bearer(customer.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
  return n;
}

async function creditBalance(account: TestAccount): Promise<number> {
  return (await getBalances(api.t.db.pool, account.accountId)).find((b) => b.wallet === 'credit')!.current;
}

test('When finance imports the MT940 statement, confirms the matches and credits an unknown payment to a wallet, then the orders are Paid, the exception resolved, and the customer has the money once', async () => {
  const orders: Record<string, string> = { EXACT_DEALING: await order(1_000_000, true), EXACT_UNPAID: await order(250_000, false), WRONG_AMOUNT: await order(500_000, true) };
  const statement = fs
    .readFileSync(path.join(__dirname, '..', 'fixtures', 'statements', 'bca-mt940-2026-11-24.sta'), 'utf8')
    .replace(/\{\{(\w+)\}\}/g, (_m, key: string) => orders[key]!);

  const page = await signedIn(finance.username);
  await page.getByRole('heading', { name: 'Review queue' }).waitFor();

  // Import: the file, no CSV mapping; the statement's page lists each line's outcome.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bank statements' }).click();
  await page.getByRole('button', { name: 'Import' }).click();
  // Refused beside the file field, in the API's words.
  await page.getByText(/^Is required: the statement \(MT940, CSV or CAMT\.053\)/).waitFor();
  expect(await page.getByLabel('Statement file').getAttribute('aria-invalid')).toBe('true');
  await page.getByLabel('Statement file').setInputFiles({ name: 'bca-mt940-2026-11-24.sta', mimeType: 'text/plain', buffer: Buffer.from(statement) });
  await page.getByRole('button', { name: 'Import' }).click();
  await page.getByRole('heading', { name: 'Statement bca-mt940-2026-11-24.sta' }).waitFor();
  await page.getByText('Statement bca-mt940-2026-11-24.sta imported.').waitFor();
  const outcome = async (line: number) => (await page.locator(`tr[data-line="${line}"] td`).nth(3).textContent())?.trim();
  expect([await outcome(1), await outcome(2), await outcome(3), await outcome(4), await outcome(6), await outcome(7)]).toEqual([
    'Proposed',
    'Proposed',
    'Exception Amount differs',
    'Exception Unknown reference',
    'Money out',
    'Exception Paid twice',
  ]);
  await saveScreenshot(page, 'statement-import', { fullPage: true });

  // Confirm the two proposed matches in bulk.
  await page.getByRole('button', { name: 'Confirm 2 proposed matches' }).click();
  await page.getByText('Confirmed 2, reconciled 0, exceptions 0, to retry 0.').waitFor();
  expect([await outcome(1), await outcome(2)]).toEqual(['Confirmed', 'Confirmed']);
  expect(await page.getByText('No proposed match is waiting.').isVisible()).toBe(true);
  for (const n of [orders.EXACT_DEALING!, orders.EXACT_UNPAID!]) {
    const read = await http().get(`/v1/orders/${n}`).set(bearer(customer.ownerToken));
    expect(read.body).toMatchObject({ status: 'paid', checkResult: expect.stringMatching(/^bank statement bca-mt940-2026-11-24\.sta line [12]$/) });
  }
  expect(await creditBalance(customer)).toBe(1_250_000);

  // The cash deposit with no order number: PT Abadi Sentosa called; finance credits it to their credit wallet.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payment exceptions' }).click();
  await page.getByRole('heading', { name: 'Payment exceptions' }).waitFor();
  const row = page.locator('tr[data-exception]').filter({ hasText: 'SETORAN TUNAI' });
  expect(await row.textContent()).toContain('IDR 750,000');
  expect(await row.textContent()).toContain('Unknown reference');
  await row.getByRole('link', { name: /^Decide/ }).click();
  await page.getByRole('heading', { name: /^Exception bank_/ }).waitFor();
  await saveScreenshot(page, 'payment-exceptions', { fullPage: true });
  const credit = page.getByRole('form', { name: 'Credit to a wallet' });
  // The suggestion is empty (no order number): crediting without an account is refused beside the field.
  await credit.getByRole('button', { name: 'Credit' }).click();
  await credit.getByText('Is required', { exact: true }).first().waitFor();
  await credit.getByLabel('Account').fill(other.accountId);
  await credit.getByLabel('Why (note)').fill('PT Abadi Sentosa confirmed the cash deposit by phone');
  await credit.getByRole('button', { name: 'Credit' }).click();
  await page.getByText(/^Exception bank_[0-9a-f]{24} is now Resolved\.$/).waitFor();
  expect(await page.locator('tr[data-exception]').filter({ hasText: 'SETORAN TUNAI' }).count()).toBe(0);
  expect(await creditBalance(other)).toBe(750_000);
  await page.context().close();
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
});
