/**
 * The console's webhook pages in headless Chromium, on the real API, worker, Temporal test server and PostgreSQL,
 * with a real receiver: an owner adds an endpoint, copies the secret shown once, sends a test event, opens the
 * delivery log and redelivers an event; the receiver verifies every request with the documented code.
 *
 * `UPDATE_SCREENSHOTS=1 npm run jest -- test/webhooks/console-webhooks.test.ts` also saves docs/screenshots/webhooks*.png.
 */
import request from 'supertest';
import { saveScreenshot, useConsoleInBrowser } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { loadDocumentedVerifier, useWebhookReceiver } from '../helpers/webhook-receiver';

const { api, signedIn } = useConsoleInBrowser();
const receiver = useWebhookReceiver();
let owner: TestAccount;

beforeAll(async () => {
  owner = await createTestAccount(api.t.db.pool, { companyName: 'PT Acme Digital Indonesia', password: true });
});

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
  await saveScreenshot(page, 'webhooks', { fullPage: true });

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
  await saveScreenshot(page, 'webhook-log', { fullPage: true });
});
