/**
 * Issue 17's whole story, from an empty database: the admin command (a real process) makes the first admin and its
 * setup link comes through the SMTP sink; the admin sets a password and signs in over HTTP; creates a customer
 * account, whose owner's invitation email arrives; the owner sets a password and signs in in headless Chromium,
 * invites a PIC and creates API keys there; a key creates an order; the PIC sets its password and tops up in the
 * console; the admin disables the PIC and its session and key stop at once.
 *
 * Real parts: the API in-process on a port, the time-skipping Temporal server with a worker and the real activities
 * (the invitation emails are its workflows), PostgreSQL, the SMTP sink, Debian's Chromium, the compiled admin command.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { projectRoot } from '../../config/paths';
import { TEST_PASSWORD_LINK_SECRET } from '../helpers/activity-deps';
import { submitSignIn, useConsoleInBrowser } from '../helpers/browser';
import { passwordLinkEmail } from '../helpers/password-links';
import { SLIP_PNG } from '../helpers/slips';

const { api, newPage } = useConsoleInBrowser({ emptyDatabase: true });

const http = () => request(api.app);

/** Opens an emailed password link in a fresh browser profile and chooses `password`; answers the page on sign-in. */
async function choosePasswordInBrowser(url: string, username: string, password: string): Promise<Page> {
  const page = await newPage();
  await page.goto(url);
  await page.getByText(`Welcome, ${username}.`).waitFor();
  expect(await page.getByLabel('Username').inputValue()).toBe(username);
  await page.getByLabel('New password').fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Save the password' }).click();
  await page.getByText('Your password is set. Sign in with it.').waitFor();
  // The spent link's token is gone from the address bar.
  expect(page.url()).not.toContain('token=');
  return page;
}

test('When a provider starts from an empty database, then the admin command, invitations by email, console sign-in and API keys onboard a customer, and disabling its PIC stops its session and key at once', async () => {
  // 1. The first admin, by the command (it migrates the empty database first); its link also comes by email.
  const created = await adminCommand(['create-admin', '--username', 'alice', '--email', 'alice@provider.example']);
  expect(created.code).toBe(0);
  expect(created.stdout).toContain('Admin alice created (alice@provider.example).');
  const printed = /(http\S+\/set-password#token=[A-Za-z0-9_-]{43})/.exec(created.stdout)?.[1];
  const setup = await passwordLinkEmail(api.t.sink, 'alice@provider.example');
  expect(setup.url).toBe(printed);
  expect(setup.mail.subject).toContain('top-up console account');

  // 2. The admin sets a password and signs in over HTTP.
  const adminPassword = 'alice chooses a long passphrase';
  expect((await http().post('/v1/password-links/redeem').send({ token: setup.token, password: adminPassword })).status).toBe(200);
  const signIn = await http().post('/v1/session').send({ username: 'alice', password: adminPassword });
  expect({ status: signIn.status, role: signIn.body.user?.role }).toEqual({ status: 200, role: 'admin' });
  const adminCookie = String([signIn.headers['set-cookie']].flat()[0]).split(';')[0]!;
  const admin = { cookie: adminCookie, 'x-csrf-token': String(signIn.body.csrfToken) };

  // 3. A customer account; its owner is invited by email.
  const account = await http()
    .post('/v1/accounts')
    .set(admin)
    .send({ companyName: 'PT Maju Bersama', locale: 'en', timeZone: 'Asia/Jakarta', currency: 'IDR', billingEmail: 'billing@maju.example', owner: { username: 'budi', email: 'budi@maju.example' } });
  expect(account.status).toBe(201);
  expect(account.body).toMatchObject({ companyName: 'PT Maju Bersama', currency: 'IDR', status: 'active', owner: { username: 'budi', role: 'owner', status: 'invited' } });
  const accountId = String(account.body.id);
  const ownerInvitation = await passwordLinkEmail(api.t.sink, 'budi@maju.example');
  expect(ownerInvitation.mail.text).toContain('PT Maju Bersama');

  // 4. The owner sets a password from the email and signs in, in Chromium.
  const ownerPassword = 'budi keeps the books in order';
  const owner = await choosePasswordInBrowser(ownerInvitation.url, 'budi', ownerPassword);
  await submitSignIn(owner, 'budi', ownerPassword);
  expect(await owner.locator('.who').textContent()).toBe('budi · owner · PT Maju Bersama');

  // 5. The owner invites a PIC in the console.
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await owner.getByLabel('Username').fill('sari');
  await owner.getByLabel('Email').fill('sari@maju.example');
  await owner.getByRole('button', { name: 'Send the invitation' }).click();
  await owner.getByText('Invitation sent to sari (sari@maju.example).').waitFor();
  expect(await owner.locator('tr[data-user="sari"]').textContent()).toContain('Invited');

  // 6. The owner creates an API key (acting as itself), shown once; it creates an order.
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
  const ownerKey = await createKeyInConsole(owner, 'billing portal', 'budi (owner)');
  const order = await http().post('/v1/orders').set('authorization', `Bearer ${ownerKey}`).send({ wallet: 'credit', amount: 150_000 });
  expect(order.status).toBe(201);
  expect(order.body).toMatchObject({ status: 'unpaid', accountId, currency: 'IDR', amount: 150_000 });
  await owner.reload();
  expect(await owner.locator('tr[data-key="billing portal"]').textContent()).toContain(ownerKey.slice(0, 12));
  expect(await owner.content()).not.toContain(ownerKey);

  // 7. The PIC sets its password from its email, signs in and tops up in the console.
  const picInvitation = await passwordLinkEmail(api.t.sink, 'sari@maju.example');
  const picPassword = 'sari uploads the payment slips';
  const pic = await choosePasswordInBrowser(picInvitation.url, 'sari', picPassword);
  await submitSignIn(pic, 'sari', picPassword);
  await pic.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Top Up' }).click();
  await pic.getByLabel('Customized Amount (IDR)').fill('250,000');
  await pic.getByRole('button', { name: 'Next' }).click();
  await pic.getByRole('button', { name: 'Next' }).click();
  await pic.getByRole('heading', { name: 'Bank details' }).waitFor();
  const orderNumber = (await pic.locator('.order-number').textContent())!;
  await pic.getByRole('button', { name: 'Next' }).click();
  await pic.getByLabel('Payment slip').setInputFiles({ name: 'transfer.png', mimeType: 'image/png', buffer: SLIP_PNG });
  await pic.getByRole('button', { name: 'Submit' }).click();
  await pic.getByRole('heading', { name: `Order ${orderNumber} submitted` }).waitFor();
  expect(await pic.locator('.status').textContent()).toBe('Dealing');

  // 8. The owner makes a key that acts as the PIC, for the PIC's own program.
  await owner.reload();
  const picKey = await createKeyInConsole(owner, 'sari script', 'sari (PIC)');
  expect((await http().get('/v1/me').set('authorization', `Bearer ${picKey}`)).body).toMatchObject({ username: 'sari', role: 'pic', credential: 'api_key' });
  expect((await pic.request.get('/v1/me')).status()).toBe(200);

  // 9. The admin disables the PIC: its session and its key stop at once.
  const users = await http().get('/v1/users').query({ accountId }).set(admin);
  const sari = (users.body.items as { id: string; username: string }[]).find((u) => u.username === 'sari')!;
  const disabled = await http().post(`/v1/users/${sari.id}/disable`).set(admin);
  expect({ status: disabled.status, state: disabled.body.status }).toEqual({ status: 200, state: 'disabled' });
  expect((await http().get('/v1/orders').set('authorization', `Bearer ${picKey}`)).status).toBe(401);
  expect((await pic.request.get('/v1/me')).status()).toBe(401);
  await pic.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Orders' }).click();
  await pic.getByRole('heading', { name: 'Sign in' }).waitFor();
  const again = await http().post('/v1/session').send({ username: 'sari', password: picPassword });
  expect({ status: again.status, message: again.body.error?.message }).toEqual({ status: 401, message: 'the username or password is not correct' });
  // The owner and its key are untouched; the PIC's order stays, in Dealing.
  expect((await http().get(`/v1/orders/${orderNumber}`).set('authorization', `Bearer ${ownerKey}`)).body).toMatchObject({ status: 'dealing', createdBy: sari.id });

  // The log tells the story to the account's owner.
  const log = await http().get('/v1/operation-log').query({ pageSize: 100 }).set('authorization', `Bearer ${ownerKey}`);
  const actions = (log.body.items as { action: string }[]).map((e) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['account.create', 'user.invite', 'user.password_set', 'session.sign_in', 'api_key.create', 'order.create', 'user.disable']));
}, 240_000);

/**
 * The admin command as `npm run admin -- …` runs it (compiled, on this Node), against the test's database, Temporal
 * server and task queue; answers its exit code and output.
 */
async function adminCommand(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'scripts', 'admin-cli.js'), ...args], {
    env: {
      ...process.env,
      DATABASE_URL: api.t.db.url,
      TEMPORAL_ADDRESS: api.env.connection.options.address,
      TEMPORAL_TASK_QUEUE: api.taskQueue,
      PUBLIC_URL: api.baseUrl,
      PASSWORD_LINK_SECRET: TEST_PASSWORD_LINK_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

/** Creates a key on the API keys page acting as `actsAs`; answers the key shown once. */
async function createKeyInConsole(page: Page, name: string, actsAs: string): Promise<string> {
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Acts as').selectOption({ label: actsAs });
  await page.getByRole('button', { name: 'Create the key' }).click();
  await page.getByRole('heading', { name: `Key "${name}" created` }).waitFor();
  const secret = (await page.locator('[data-secret]').textContent())!;
  expect(secret).toMatch(/^tpk_[\w-]{8}_[\w-]{43}$/);
  return secret;
}
