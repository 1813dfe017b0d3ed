/**
 * The console's webhook pages in headless Chromium, on the real API, worker, Temporal test server and PostgreSQL,
 * with a real receiver: an owner adds an endpoint, copies the secret shown once, sends a test event, opens the
 * delivery log and redelivers an event; the receiver verifies every request with the documented code.
 *
 * `UPDATE_SCREENSHOTS=1 npm run jest -- test/webhooks/console-webhooks.test.ts` also saves docs/screenshots/webhooks*.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { projectRoot } from '../../config/paths';
import { startTestApi, type TestApi } from '../helpers/api';
import { launchChromium, newUserContext, requireBrowserTestPrerequisites, takeCspViolations, takeUncaughtPageErrors } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { createTestAccount, TEST_PASSWORD, type TestAccount } from '../helpers/fixtures';
import { loadDocumentedVerifier, startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

let api: TestApi;
let browser: Browser;
let receiver: WebhookReceiver;
let owner: TestAccount;

beforeAll(async () => {
  requireBrowserTestPrerequisites();
  [api, browser, receiver] = await Promise.all([startTestApi(), launchChromium(), startWebhookReceiver()]);
  owner = await createTestAccount(api.t.db.pool, { companyName: 'PT Acme Digital Indonesia', password: true });
}, 180_000);

afterEach(() => {
  expect(takeUncaughtPageErrors()).toEqual([]);
  expect(takeCspViolations()).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await receiver?.close();
  await api?.close();
});

async function screenshot(page: Page, name: string): Promise<void> {
  if (!process.env.UPDATE_SCREENSHOTS) return;
  const dir = path.join(projectRoot(), 'docs', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(dir, `${name}.png`), animations: 'disabled', caret: 'hide', fullPage: true });
}

async function signedIn(username: string): Promise<Page> {
  const page = await (await newUserContext(browser, api.baseUrl)).newPage();
  await page.goto('/sign-in');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1 }).filter({ hasNotText: 'Sign in' }).waitFor();
  return page;
}

test('When an owner adds an endpoint in the console, then the secret is shown once, a test event verifies with it, and the log redelivers an event with its id', async () => {
  const verify = loadDocumentedVerifier();
  const page = await signedIn(owner.ownerUsername);
  await page.getByRole('link', { name: 'Webhooks' }).click();
  await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
  await page.getByText('No webhook endpoints yet.').waitFor();
  await page.getByLabel('URL').fill(receiver.url('/console'));
  await page.getByLabel('Description').fill('Billing portal');
  await page.getByRole('button', { name: 'Add the endpoint' }).click();
  await page.getByRole('heading', { name: `Endpoint ${receiver.url('/console')} added` }).waitFor();
  const secret = (await page.locator('[data-secret]').textContent())!;
  expect(secret).toMatch(/^whsec_/);
  await page.getByRole('button', { name: 'Done', exact: true }).click();
  await page.locator('[data-secret]').waitFor({ state: 'detached' });
  const row = page.locator(`tr[data-endpoint="${receiver.url('/console')}"]`);
  expect(await row.textContent()).toContain('Active');

  await row.getByRole('button', { name: /^Send test event/ }).click();
  await page.getByText('The test event was delivered (HTTP 204).').waitFor();
  const [test] = await eventually(async () => receiver.at('/console'), (r) => r.length >= 1);
  expect(verify(test!.rawBody, test!.headers['topup-signature'] as string, secret)).toMatchObject({ type: 'webhook.test', accountId: owner.accountId });
  await screenshot(page, 'webhooks');

  // An order's first status arrives; the log redelivers it with the same event id.
  await request(api.app).post('/v1/orders').set({ authorization: `Bearer ${owner.ownerToken}` }).send({ wallet: 'credit', amount: 100_000 });
  const [, status] = await eventually(async () => receiver.at('/console'), (r) => r.length >= 2);
  await page.getByRole('link', { name: receiver.url('/console') }).click();
  await page.getByRole('heading', { name: `Endpoint ${receiver.url('/console')}` }).waitFor();
  const automatic = page.locator('table.webhook-attempts tbody tr').filter({ hasText: status!.event.id });
  await automatic.waitFor();
  expect(await automatic.textContent()).toContain('automatic');
  await automatic.getByRole('button', { name: `Redeliver ${status!.event.id}` }).click();
  await page.getByText('Redelivered (HTTP 204).').waitFor();
  const [, , again] = await eventually(async () => receiver.at('/console'), (r) => r.length >= 3);
  expect(again!.event.id).toBe(status!.event.id);
  expect(verify(again!.rawBody, again!.headers['topup-signature'] as string, secret).id).toBe(status!.event.id);
  await page.locator('table.webhook-attempts tbody tr').filter({ hasText: 'redelivered' }).waitFor();
  expect(await page.locator('table.webhook-queue tbody tr').count()).toBe(1);
  await screenshot(page, 'webhook-log');
});
