/**
 * The console's identity pages in headless Chromium, as an admin and a forgetful customer use them: onboarding an
 * account from the form (a refusal shown beside its field), suspending it, inviting and disabling staff, changing
 * one's password (other sessions end), asking for a reset link and choosing a new password from it, and a reload
 * that keeps the session (the cookie) without keeping any credential in the page's storage.
 */
import request from 'supertest';
import { useConsoleInBrowser } from '../helpers/browser';
import { createStaffUser, createTestAccount, signIn, TEST_PASSWORD, type TestAccount, type TestUser } from '../helpers/fixtures';
import { passwordLinkEmail } from '../helpers/password-links';

const { api, signedIn } = useConsoleInBrowser();
let admin: TestUser;
let customer: TestAccount;

beforeAll(async () => {
  [admin, customer] = await Promise.all([createStaffUser(api.t.db.pool, 'admin', { password: true }), createTestAccount(api.t.db.pool, { password: true, companyName: 'PT Lupa Sandi' })]);
});

test('When an admin onboards a customer and manages staff in the console, then each step shows, refusals sit beside their fields, and suspension and disabling take hold', async () => {
  const page = await signedIn(admin.username);
  expect(new URL(page.url()).pathname).toBe('/accounts');
  await page.getByLabel('Company name').fill('PT Konsol Baru');
  await page.getByLabel('Username').fill('konsol.owner');
  await page.getByLabel('Email', { exact: true }).fill('not an email');
  await page.getByRole('button', { name: 'Create the account and invite the owner' }).click();
  const ownerEmail = page.getByLabel('Email', { exact: true });
  await page.locator(`[id="${await ownerEmail.getAttribute('id')}-error"]`).getByText('Must be an email address').waitFor();
  expect(await ownerEmail.getAttribute('aria-invalid')).toBe('true');
  await ownerEmail.fill('owner@konsol.example');
  await page.getByRole('button', { name: 'Create the account and invite the owner' }).click();
  await page.getByText('PT Konsol Baru is created; the invitation is on its way to owner@konsol.example.').waitFor();
  expect(await page.locator('tr[data-user="konsol.owner"]').textContent()).toContain('Invited');
  const invitation = await passwordLinkEmail(api.t.sink, 'owner@konsol.example');
  expect(invitation.url.startsWith(`${api.baseUrl}/set-password#token=`)).toBe(true);

  // Suspend the account from its page, then reactivate it.
  await page.getByRole('button', { name: 'Suspend the account' }).click();
  await page.getByText('PT Konsol Baru is suspended').waitFor();
  const accountId = new URL(page.url()).pathname.split('/').pop()!;
  expect((await (await page.request.get(`/v1/accounts/${accountId}`)).json()).status).toBe('suspended');
  await page.getByRole('button', { name: 'Reactivate the account' }).click();
  await page.getByText('PT Konsol Baru is active again.').waitFor();

  // Staff: invite a finance user, then disable it.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByLabel('Username').fill('konsol.finance');
  await page.getByLabel('Email').fill('finance@provider.example');
  await page.getByLabel('Role', { exact: true }).selectOption('finance');
  await page.getByRole('button', { name: 'Send the invitation' }).click();
  await page.getByText('Invitation sent to konsol.finance (finance@provider.example).').waitFor();
  const { token } = await passwordLinkEmail(api.t.sink, 'finance@provider.example');
  expect((await request(api.app).post('/v1/password-links/lookup').send({ token })).status).toBe(200);
  await page.getByRole('button', { name: 'Disable konsol.finance' }).click();
  await page.getByText('konsol.finance is disabled').waitFor();
  expect(await page.locator('tr[data-user="konsol.finance"]').textContent()).toContain('Disabled');
  // Its invitation was voided with it.
  expect((await request(api.app).post('/v1/password-links/lookup').send({ token })).status).toBe(400);
});

test('When a customer changes its password in the console, then its other session ends; when it forgets it, a reset link from the sign-in page sets a new one', async () => {
  const elsewhere = await signIn(api.app, customer.ownerUsername);
  const page = await signedIn(customer.ownerUsername);
  // A reload keeps the session (the HttpOnly cookie), and nothing of it is in the page's storage.
  await page.reload();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  const stored = await page.evaluate(() => {
    type Storage = { length: number; key(i: number): string | null; getItem(k: string): string | null };
    const g = globalThis as unknown as { sessionStorage: Storage; localStorage: Storage; document: { cookie: string } };
    const entries = (s: Storage) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i) ?? '')}`);
    return { storage: [...entries(g.sessionStorage), ...entries(g.localStorage)].join('\n'), scriptCookies: g.document.cookie };
  });
  expect(stored.storage).not.toMatch(/topup_session|csrf|token/i);
  expect(stored.scriptCookies).toBe('');
  const [cookie] = (await page.context().cookies()).filter((c) => c.name === 'topup_session');
  expect({ httpOnly: cookie?.httpOnly, sameSite: cookie?.sameSite }).toEqual({ httpOnly: true, sameSite: 'Lax' });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My account' }).click();
  await page.getByLabel('Current password').fill(TEST_PASSWORD);
  await page.getByLabel('New password').fill('the second passphrase');
  await page.getByLabel('Repeat the password').fill('the second passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByText('Your password is changed; 1 other session(s) were signed out.').waitFor();
  expect((await request(api.app).get('/v1/me').set(elsewhere.headers)).status).toBe(401);

  // Forgotten: the reset page, the email, a new password, and the sign-in with it.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Username').fill(customer.ownerUsername);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByText('If this username exists, the email is on its way.').waitFor();
  const reset = await passwordLinkEmail(api.t.sink, customer.ownerEmail);
  expect(reset.mail.subject).toBe('Reset your password');
  await page.goto(reset.url);
  await page.getByText(`Choose a new password for ${customer.ownerUsername}.`).waitFor();
  await page.getByLabel('New password').fill('password');
  await page.getByLabel('Repeat the password').fill('password');
  await page.getByRole('button', { name: 'Save the password' }).click();
  await page.getByText('Must be at least 12 characters').waitFor();
  await page.getByLabel('New password').fill('the third passphrase');
  await page.getByLabel('Repeat the password').fill('the third passphrase');
  await page.getByRole('button', { name: 'Save the password' }).click();
  await page.getByText('Your password is set. Sign in with it.').waitFor();
  await page.getByLabel('Username').fill(customer.ownerUsername);
  await page.getByLabel('Password', { exact: true }).fill('the third passphrase');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  // The same link, opened again, no longer works.
  await page.goto(reset.url);
  await page.getByText('This link no longer works').waitFor();
});
