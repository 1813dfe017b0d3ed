/**
 * The console's automatic top-up page in headless Chromium, on the real API, worker, Temporal test server,
 * PostgreSQL and the sandbox gateway: an owner adds a card on the gateway's own page, sets the WhatsApp wallet's
 * rule, and sees the top-up it made in the history, raised to the WhatsApp minimum.
 *
 * `UPDATE_SCREENSHOTS=1 npm run jest -- test/auto-topup/console-auto-topup.test.ts` also saves docs/screenshots/auto-topup.png.
 */
import { getBalances } from '../../db/ledger/ledger';
import { saveScreenshot, useConsoleInBrowser } from '../helpers/browser';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';

const { api, signedIn } = useConsoleInBrowser();
let owner: TestAccount;

beforeAll(async () => {
  owner = await createTestAccount(api.t.db.pool, { companyName: 'PT Acme Digital Indonesia', password: true });
});

test("When an owner saves a card on the gateway's page and sets the WhatsApp rule, then the wallet is topped up to the WhatsApp minimum and the history says so", async () => {
  const page = await signedIn(owner.ownerUsername);
  const context = page.context();
  await page.getByRole('link', { name: 'Automatic top-up' }).click();
  await page.getByRole('heading', { name: 'Automatic top-up', level: 1 }).waitFor();
  await page.getByText('No card saved yet.').waitFor();

  // The gateway's page opens in a new tab; the card number is entered there, never in the console.
  const [gatewayPage] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: 'Add a card' }).click()]);
  await gatewayPage.waitForLoadState();
  expect(new URL(gatewayPage.url()).origin).toBe(new URL(api.t.gateway.url).origin);
  await gatewayPage.getByLabel('Card number').fill('4242 4242 4242 4242');
  await gatewayPage.getByRole('button', { name: 'Save card' }).click();
  await gatewayPage.getByText('Card saved: visa ending 4242').waitFor();
  await gatewayPage.close();
  await page.getByRole('button', { name: 'I have entered the card' }).click();
  await page.getByText('Card ending 4242 saved.').waitFor();
  await page.locator('[data-card="4242"]').waitFor();

  const rule = page.getByRole('form', { name: 'Automatic top-up of WhatsApp conversation balance' });
  await rule.getByLabel('Threshold (IDR)').fill('200000');
  await rule.getByLabel('Amount (IDR)').fill('500000');
  await rule.getByLabel('Daily cap (IDR)').fill('2000000');
  await rule.getByLabel('Monthly cap (IDR)').fill('10000000');
  await rule.getByRole('button', { name: 'Save' }).click();
  await page.getByText('The rule of WhatsApp conversation balance is saved.').waitFor();

  // The wallet was empty, below the threshold: topped up at once, to the WhatsApp minimum.
  for (let i = 0; i < 40 && (await page.locator('tr[data-outcome="succeeded"]').count()) === 0; i += 1) {
    await new Promise((r) => setTimeout(r, 500));
    await page.reload();
    await page.getByRole('heading', { name: 'Automatic top-up', level: 1 }).waitFor();
  }
  const made = page.locator('tr[data-outcome="succeeded"]');
  const text = (await made.textContent())!;
  expect(text).toContain('Topped up');
  expect(text).toContain('IDR 1,035,000 (•••• 4242)');
  expect(text).toContain('raised to the minimum WhatsApp top-up of IDR 1,000,000');
  expect((await getBalances(api.t.db.pool, owner.accountId)).find((b) => b.wallet === 'whatsapp')!.current).toBe(1_000_000);
  await saveScreenshot(page, 'auto-topup', { fullPage: true });
});
