/**
 * Identity over HTTP (issue 17): password rules, one-time links (used, expired at their real 72 h and 1 h, forged,
 * replaced), reset requests that reveal nothing, console sessions (cookie attributes, one refusal for every
 * failure, idle 30 min and absolute 12 h timeouts at their real durations on an injected clock, sign-out, holds on
 * failing usernames and addresses, password change), API keys (shown once, scopes, expiry, revocation, who may make
 * them), accounts (the owner's invitation in the account's language, suspension, the currency every order takes),
 * role changes, the identity log, and a key revoked through one API process refused at once by another.
 * `createApp` in-process with a time-skipping Temporal server, a worker, PostgreSQL and the SMTP sink.
 */
import type { Express } from 'express';
import request from 'supertest';
import { hashPassword, isCommonPassword, verifyPassword } from '../../api/accounts/passwords';
import { PrincipalCache } from '../../api/accounts/principal-cache';
import { listenForCredentialChanges } from '../../db/accounts/credential-changes';
import type { KeyPrincipal } from '../../db/accounts/api-keys';
import { useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { eventually } from '../helpers/eventually';
import { createPicUser, createStaffUser, createTestAccount, openTestSession, signIn, TEST_PASSWORD, type TestAccount, type TestSession, type TestUser } from '../helpers/fixtures';
import { messagesTo, passwordLinkEmail } from '../helpers/password-links';

const api = useTestApi();
let admin: TestUser;
let adminSession: TestSession;

beforeAll(async () => {
  admin = await createStaffUser(api.t.db.pool, 'admin');
  adminSession = await openTestSession(api.t.db.pool, admin.userId);
});

const http = (app: Express = api.app) => request(app);
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let seq = 0;
const unique = (prefix: string) => `${prefix}.${Date.now().toString(36)}${(seq += 1)}`;

/** The app on a clock standing at `at` (sessions, links and keys read the time from it). */
const at = (time: number) => appVariant(api, { now: () => new Date(time) });

/** An admin invites a finance user through `app` and answers its username, email and the emailed link's token. */
async function invitedStaff(app: Express = api.app, session: TestSession = adminSession): Promise<{ id: string; username: string; email: string; token: string }> {
  const username = unique('staff');
  const email = `${username}@provider.example`;
  const res = await http(app).post('/v1/users').set(session.headers).send({ username, email, role: 'finance' });
  expect(res.status).toBe(201);
  const { token } = await passwordLinkEmail(api.t.sink, email);
  return { id: String(res.body.id), username, email, token };
}

function expectError(res: request.Response, status: number, code: string, path?: string): void {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  if (path !== undefined) expect(res.body.error.fields).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
}

describe('Passwords', () => {
  test('When the list of common passwords is asked, then it holds the 10,000 most common, compared without regard to case', () => {
    for (const p of ['123qweasdzxc', '1qaz2wsx3edc', 'Qwerty123456', 'LEAVEMEALONE']) expect({ p, common: isCommonPassword(p) }).toEqual({ p, common: true });
    for (const p of [TEST_PASSWORD, 'a long phrase nobody uses']) expect({ p, common: isCommonPassword(p) }).toEqual({ p, common: false });
  });

  test('When a password is hashed, then it is argon2id with 19 MiB, 2 passes, 1 lane, it verifies, and the hash does not hold it', async () => {
    const hash = await hashPassword(TEST_PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(hash).not.toContain(TEST_PASSWORD);
    expect(await verifyPassword(hash, TEST_PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, `${TEST_PASSWORD}!`)).toBe(false);
    expect(await verifyPassword(null, TEST_PASSWORD)).toBe(false);
  });

  test('When a chosen password is short or one of the most common, then 400 names the field and rule (never the password), and the link still works', async () => {
    const staff = await invitedStaff();
    for (const [password, rule] of [
      ['short pass', 'must be at least 12 characters'],
      ['1qaz2wsx3edc', 'must not be one of the 10,000 most common passwords'],
      ['x'.repeat(257), 'must be at most 256 characters'],
    ] as const) {
      const res = await http().post('/v1/password-links/redeem').send({ token: staff.token, password });
      expect({ status: res.status, fields: res.body.error?.fields }).toEqual({ status: 400, fields: [{ path: 'password', rule }] });
      expect(JSON.stringify(res.body)).not.toContain(password.slice(0, 12));
    }
    expect((await http().post('/v1/password-links/redeem').send({ token: staff.token, password: TEST_PASSWORD })).status).toBe(200);
  });
});

describe('One-time links', () => {
  test('When a link is used twice, then the second use is refused and the first password stays', async () => {
    const staff = await invitedStaff();
    expect((await http().post('/v1/password-links/lookup').send({ token: staff.token })).body).toMatchObject({ username: staff.username, purpose: 'invitation' });
    expect((await http().post('/v1/password-links/redeem').send({ token: staff.token, password: TEST_PASSWORD })).status).toBe(200);
    expectError(await http().post('/v1/password-links/redeem').send({ token: staff.token, password: 'another long passphrase' }), 400, 'invalid_link', 'token');
    expectError(await http().post('/v1/password-links/lookup').send({ token: staff.token }), 400, 'invalid_link', 'token');
    expect((await http().post('/v1/session').send({ username: staff.username, password: TEST_PASSWORD })).status).toBe(200);
  });

  test('When an invitation link is used 72 hours after it was sent, then it is refused; a second before, it works', async () => {
    const sent = Date.now();
    const [late, inTime] = [await invitedStaff(at(sent)), await invitedStaff(at(sent))];
    expectError(await http(at(sent + 72 * HOUR + 1_000)).post('/v1/password-links/redeem').send({ token: late.token, password: TEST_PASSWORD }), 400, 'invalid_link', 'token');
    expect((await http(at(sent + 72 * HOUR - 1_000)).post('/v1/password-links/redeem').send({ token: inTime.token, password: TEST_PASSWORD })).status).toBe(200);
  });

  test('When a forged or malformed token is used, then 400 names the token; an address that keeps trying is held back with 429', async () => {
    const app = appVariant(api, { authFailureLimit: { address: { freeFailures: 3, firstHoldMs: 60_000, maxHoldMs: 60_000, forgetAfterMs: HOUR }, credential: { freeFailures: 5, firstHoldMs: 1_000, maxHoldMs: 60_000, forgetAfterMs: HOUR } } });
    expectError(await http(app).post('/v1/password-links/redeem').send({ token: 'not-a-token', password: TEST_PASSWORD }), 400, 'invalid_input', 'token');
    const forged = () => 'A'.repeat(40) + Math.random().toString(36).slice(2, 5).padEnd(3, 'x');
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push((await http(app).post('/v1/password-links/redeem').send({ token: forged(), password: TEST_PASSWORD })).status);
    expect(answers).toEqual([400, 400, 400, 429]);
  });

  test('When an invitation is sent again, then the older link stops working and the new one works', async () => {
    const staff = await invitedStaff();
    const again = await http().post(`/v1/users/${staff.id}/invitation`).set(adminSession.headers);
    expect({ status: again.status, user: again.body.username }).toEqual({ status: 202, user: staff.username });
    const second = await passwordLinkEmail(api.t.sink, staff.email, 2);
    expectError(await http().post('/v1/password-links/redeem').send({ token: staff.token, password: TEST_PASSWORD }), 400, 'invalid_link');
    expect((await http().post('/v1/password-links/redeem').send({ token: second.token, password: TEST_PASSWORD })).status).toBe(200);
    expectError(await http().post(`/v1/users/${staff.id}/invitation`).set(adminSession.headers), 409, 'not_invited');
  });

  test('When a reset link is used after one hour, then it is refused; within the hour it works and ends every session of the user', async () => {
    const staff = await invitedStaff();
    await http().post('/v1/password-links/redeem').send({ token: staff.token, password: TEST_PASSWORD });
    const session = await signIn(api.app, staff.username);
    const asked = Date.now();
    expect((await http(at(asked)).post('/v1/password-resets').send({ username: staff.username })).status).toBe(202);
    const first = await passwordLinkEmail(api.t.sink, staff.email, 2);
    expect(first.mail.subject).toBe('Reset your password');
    expectError(await http(at(asked + HOUR + 1_000)).post('/v1/password-links/redeem').send({ token: first.token, password: 'a brand new passphrase' }), 400, 'invalid_link');
    expect((await http(at(asked)).post('/v1/password-resets').send({ username: staff.username })).status).toBe(202);
    const second = await passwordLinkEmail(api.t.sink, staff.email, 3);
    expect((await http(at(asked + HOUR - 1_000)).post('/v1/password-links/redeem').send({ token: second.token, password: 'a brand new passphrase' })).status).toBe(200);
    expectError(await http().get('/v1/me').set(session.headers), 401, 'unauthenticated');
    expect((await http().post('/v1/session').send({ username: staff.username, password: 'a brand new passphrase' })).status).toBe(200);
  });
});

describe('Reset requests', () => {
  test('When a reset is asked for an unknown username and a known one, then both answer 202 alike; only the known gets a link by email, and at most 3 links an hour', async () => {
    const staff = await invitedStaff();
    const resetLinks = async () => (await api.t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM password_links WHERE user_id = $1 AND purpose = 'reset'`, [staff.id])).rows[0]!.n;
    const unknown = await http().post('/v1/password-resets').send({ username: 'nobody.at.all' });
    const known = await http().post('/v1/password-resets').send({ username: staff.username.toUpperCase() });
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: known.status, body: known.body });
    expect(known.status).toBe(202);
    for (let i = 0; i < 3; i += 1) await http().post('/v1/password-resets').send({ username: staff.username });
    // Four requests in the hour: three links, each voiding the one before; the fourth made none.
    expect(await eventually(resetLinks, (n) => n >= 3)).toBe(3);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await resetLinks()).toBe(3);
    // Emails of links a newer one voided before they went out are not sent: the one that arrives works.
    const mails = await eventually(
      () => messagesTo(api.t.sink, staff.email),
      (m) => m.some((mail) => mail.subject === 'Reset your password'),
    );
    const reset = mails.filter((m) => m.subject === 'Reset your password').at(-1)!;
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(reset.text ?? '')![1]!;
    expect((await http().post('/v1/password-links/lookup').send({ token })).body).toMatchObject({ username: staff.username, purpose: 'reset' });
    const nobody = await api.t.db.pool.query(`SELECT 1 FROM operation_log WHERE details->>'username' = 'nobody.at.all'`);
    expect(nobody.rowCount).toBe(0);
  });
});

describe('Sessions', () => {
  test('When a person signs in, then the session cookie is HttpOnly, SameSite=Lax, Path=/, Secure only when the console is served over https', async () => {
    const owner = await createTestAccount(api.t.db.pool, { password: true });
    const res = await http().post('/v1/session').send({ username: owner.ownerUsername, password: TEST_PASSWORD });
    const cookie = String([res.headers['set-cookie']].flat()[0]);
    expect(cookie).toMatch(/^topup_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(res.body).toMatchObject({ user: { username: owner.ownerUsername, role: 'owner', credential: 'session' }, csrfToken: expect.stringMatching(/^[\w-]{43}$/), idleTimeoutSeconds: 1800 });
    const secure = await http(appVariant(api, { secureCookies: true })).post('/v1/session').send({ username: owner.ownerUsername, password: TEST_PASSWORD });
    expect(String([secure.headers['set-cookie']].flat()[0])).toMatch(/; Secure; SameSite=Lax$/);
  });

  test('When the password is wrong, the username unknown, the user invited without a password or disabled, then one and the same 401', async () => {
    const app = appVariant(api, {});
    const owner = await createTestAccount(api.t.db.pool, { password: true });
    const invited = await createPicUser(api.t.db.pool, owner);
    const disabled = await createPicUser(api.t.db.pool, owner, { password: true });
    await api.t.db.pool.query('UPDATE users SET disabled_at = now() WHERE id = $1', [disabled.userId]);
    const answers = await Promise.all(
      [
        { username: owner.ownerUsername, password: 'not the password at all' },
        { username: 'nobody.has.this', password: TEST_PASSWORD },
        { username: invited.username, password: TEST_PASSWORD },
        { username: disabled.username, password: TEST_PASSWORD },
      ].map((body) => http(app).post('/v1/session').send(body)),
    );
    for (const res of answers) expect({ status: res.status, body: res.body, cookie: res.headers['set-cookie'] }).toEqual({ status: 401, body: { error: { code: 'unauthenticated', message: 'the username or password is not correct', fields: [] } }, cookie: undefined });
  });

  test('When a session sees no request for 30 minutes, then it is refused; a request every 29 minutes keeps it until 12 hours after sign-in', async () => {
    const owner = await createTestAccount(api.t.db.pool, { password: true });
    const start = Date.now();
    const idle = await signIn(at(start), owner.ownerUsername);
    expect((await http(at(start + 29 * MINUTE)).get('/v1/me').set(idle.headers)).status).toBe(200);
    expectError(await http(at(start + 29 * MINUTE + 30 * MINUTE + 1_000)).get('/v1/me').set(idle.headers), 401, 'unauthenticated');

    const busy = await signIn(at(start), owner.ownerUsername);
    let now = start;
    while (now + 29 * MINUTE < start + 12 * HOUR) {
      now += 29 * MINUTE;
      expect({ at: (now - start) / MINUTE, status: (await http(at(now)).get('/v1/me').set(busy.headers)).status }).toEqual({ at: (now - start) / MINUTE, status: 200 });
    }
    expectError(await http(at(start + 12 * HOUR + 1_000)).get('/v1/me').set(busy.headers), 401, 'unauthenticated');
  });

  test('When a person signs out, then the cookie is cleared and the session refused, without the CSRF token nothing happens', async () => {
    const owner = await createTestAccount(api.t.db.pool, { password: true });
    const session = await signIn(api.app, owner.ownerUsername);
    expectError(await http().delete('/v1/session').set('cookie', session.cookie), 403, 'csrf_token_invalid');
    const out = await http().delete('/v1/session').set(session.headers);
    expect(out.status).toBe(204);
    expect(String([out.headers['set-cookie']].flat()[0])).toMatch(/^topup_session=; Path=\/; Expires=Thu, 01 Jan 1970/);
    expectError(await http().get('/v1/session').set(session.headers), 401, 'unauthenticated');
  });

  test('When a username keeps failing, then past 5 failures even its right password gets 429 until the hold passes; other usernames still sign in', async () => {
    const app = appVariant(api, {});
    const owner = await createTestAccount(api.t.db.pool, { password: true });
    const other = await createTestAccount(api.t.db.pool, { password: true });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await http(app).post('/v1/session').send({ username: owner.ownerUsername, password: `wrong guess number ${i}` })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const held = await http(app).post('/v1/session').send({ username: owner.ownerUsername, password: TEST_PASSWORD });
    expect({ status: held.status, retryAfter: held.headers['retry-after'], message: held.body.error.message }).toEqual({ status: 429, retryAfter: '1', message: 'too many failed authentications for this username; retry after 1 s' });
    expect((await http(app).post('/v1/session').send({ username: other.ownerUsername, password: TEST_PASSWORD })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await http(app).post('/v1/session').send({ username: owner.ownerUsername, password: TEST_PASSWORD })).status).toBe(200);
  });

  test('When a person changes its password, then its other sessions end and this one goes on; the old password fails and a wrong current one is 400', async () => {
    const owner = await createTestAccount(api.t.db.pool, { password: true });
    const [here, elsewhere] = [await signIn(api.app, owner.ownerUsername), await signIn(api.app, owner.ownerUsername)];
    expectError(await http().post('/v1/me/password').set(here.headers).send({ currentPassword: 'not my password', newPassword: 'a fresh passphrase here' }), 400, 'invalid_input', 'currentPassword');
    expectError(await http().post('/v1/me/password').set(bearer(owner.ownerToken)).send({ currentPassword: TEST_PASSWORD, newPassword: 'a fresh passphrase here' }), 403, 'session_required');
    const changed = await http().post('/v1/me/password').set(here.headers).send({ currentPassword: TEST_PASSWORD, newPassword: 'a fresh passphrase here' });
    expect({ status: changed.status, body: changed.body }).toEqual({ status: 200, body: { otherSessionsEnded: 1 } });
    expect((await http().get('/v1/me').set(here.headers)).status).toBe(200);
    expectError(await http().get('/v1/me').set(elsewhere.headers), 401, 'unauthenticated');
    expect((await http().post('/v1/session').send({ username: owner.ownerUsername, password: TEST_PASSWORD })).status).toBe(401);
    expect((await http().post('/v1/session').send({ username: owner.ownerUsername, password: 'a fresh passphrase here' })).status).toBe(200);
  });
});

describe('API keys', () => {
  let owner: TestAccount;
  let session: TestSession;

  beforeAll(async () => {
    owner = await createTestAccount(api.t.db.pool);
    session = await openTestSession(api.t.db.pool, owner.ownerId);
  });

  test('When an owner creates a key, then it is shown once, listed by its prefix with its scopes and last use, and a read-only key cannot write', async () => {
    const created = await http().post('/v1/api-keys').set(session.headers).send({ name: 'dashboard reader', scopes: ['read'] });
    expect(created.status).toBe(201);
    const key = String(created.body.secret);
    expect(created.body).toMatchObject({ name: 'dashboard reader', prefix: key.slice(0, 12), scopes: ['read'], user: { id: owner.ownerId, role: 'owner' }, accountId: owner.accountId, lastUsedAt: null });
    expect((await http().get('/v1/balance').set(bearer(key))).status).toBe(200);
    const write = await http().post('/v1/orders').set(bearer(key)).send({ wallet: 'credit', amount: 100_000 });
    expectError(write, 403, 'insufficient_scope');
    expect(write.body.error.message).toContain('write');
    const listed = await http().get('/v1/api-keys').set(session.headers);
    const item = listed.body.items.find((k: { id: string }) => k.id === created.body.id);
    expect(item).toMatchObject({ prefix: key.slice(0, 12), lastUsedAt: expect.any(String), revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(key.slice(13));
  });

  test('When a key reaches its expiry or is revoked, then it is refused at once', async () => {
    const now = Date.now();
    const expiring = await http().post('/v1/api-keys').set(session.headers).send({ name: 'short lived', scopes: ['read'], expiresAt: new Date(now + HOUR).toISOString() });
    const key = String(expiring.body.secret);
    expect((await http(at(now + HOUR - 1_000)).get('/v1/balance').set(bearer(key))).status).toBe(200);
    expectError(await http(at(now + HOUR + 1_000)).get('/v1/balance').set(bearer(key)), 401, 'unauthenticated');
    expectError(await http().post('/v1/api-keys').set(session.headers).send({ name: 'past', scopes: ['read'], expiresAt: new Date(now - 1_000).toISOString() }), 400, 'invalid_input', 'expiresAt');

    const revoked = await http().post('/v1/api-keys').set(session.headers).send({ name: 'to revoke', scopes: ['read', 'write'] });
    const secret = String(revoked.body.secret);
    expect((await http().get('/v1/balance').set(bearer(secret))).status).toBe(200);
    expect((await http().delete(`/v1/api-keys/${revoked.body.id}`).set(session.headers)).status).toBe(204);
    expectError(await http().get('/v1/balance').set(bearer(secret)), 401, 'unauthenticated');
  });

  test('When keys are made, then an owner makes them for itself or its PICs only, an admin for finance, ops or service users only', async () => {
    const [pic, otherOwner, finance] = await Promise.all([createPicUser(api.t.db.pool, owner), createTestAccount(api.t.db.pool), createStaffUser(api.t.db.pool, 'finance')]);
    expect((await http().post('/v1/api-keys').set(session.headers).send({ name: 'pic key', scopes: ['read'], userId: pic.userId })).body.user).toMatchObject({ id: pic.userId, role: 'pic' });
    for (const userId of [otherOwner.ownerId, finance.userId, admin.userId]) {
      expectError(await http().post('/v1/api-keys').set(session.headers).send({ name: 'x', scopes: ['read'], userId }), 400, 'invalid_input', 'userId');
    }
    expectError(await http().post('/v1/api-keys').set(adminSession.headers).send({ name: 'x', scopes: ['read'], userId: pic.userId }), 400, 'invalid_input', 'userId');
    expectError(await http().post('/v1/api-keys').set(adminSession.headers).send({ name: 'x', scopes: ['read'] }), 400, 'invalid_input', 'userId');
    const service = await http().post('/v1/users').set(adminSession.headers).send({ username: unique('metering'), email: 'metering@provider.example', role: 'service' });
    expect(service.body).toMatchObject({ role: 'service', status: 'active', invitationExpiresAt: null });
    const serviceKey = await http().post('/v1/api-keys').set(adminSession.headers).send({ name: 'metering', scopes: ['usage'], userId: service.body.id });
    expect(serviceKey.status).toBe(201);
    const usage = await http().post('/v1/usage').set(bearer(String(serviceKey.body.secret))).set('Idempotency-Key', unique('usage')).send({ accountId: owner.accountId, wallet: 'credit', amount: 1_000 });
    expect(usage.status).toBe(201);
  });
});

describe('Accounts', () => {
  test('When an admin creates an account in Bahasa Indonesia, then it has its settings and its owner gets the invitation in Bahasa Indonesia', async () => {
    const username = unique('pemilik');
    const res = await http()
      .post('/v1/accounts')
      .set(adminSession.headers)
      .send({ companyName: 'PT Sinar Jaya', locale: 'id', timeZone: 'Asia/Makassar', billingEmail: 'tagihan@sinar.example', address: 'Jl. Merdeka 1, Makassar', owner: { username, email: `${username}@sinar.example` } });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/v1/accounts/${res.body.id}`);
    expect(res.body).toMatchObject({ companyName: 'PT Sinar Jaya', locale: 'id', timeZone: 'Asia/Makassar', currency: 'IDR', billingEmail: 'tagihan@sinar.example', address: 'Jl. Merdeka 1, Makassar', status: 'active' });
    const { mail } = await passwordLinkEmail(api.t.sink, `${username}@sinar.example`);
    expect(mail.subject).toContain('Akun konsol top-up');
    expect(mail.text).toContain('Pilih kata sandi');
    expect(mail.text).toContain('WITA');
    expectError(await http().post('/v1/accounts').set(adminSession.headers).send({ companyName: 'X', currency: 'USD', timeZone: 'Mars/Olympus', owner: { username, email: 'a@b.example' } }), 400, 'invalid_input', 'currency');
    const taken = await http().post('/v1/accounts').set(adminSession.headers).send({ companyName: 'PT Kembar', owner: { username, email: 'a@b.example' } });
    expectError(taken, 409, 'username_taken', 'owner.username');
    expect((await api.t.db.pool.query(`SELECT 1 FROM accounts WHERE company_name = 'PT Kembar'`)).rowCount).toBe(0);
  });

  test("When an account is suspended, then its users' sessions and keys stop; reactivated, its keys work again", async () => {
    const owner = await createTestAccount(api.t.db.pool, { password: true });
    const session = await signIn(api.app, owner.ownerUsername);
    expect((await http().post(`/v1/accounts/${owner.accountId}/suspend`).set(adminSession.headers)).body).toMatchObject({ status: 'suspended' });
    expectError(await http().get('/v1/me').set(bearer(owner.ownerToken)), 401, 'unauthenticated');
    expectError(await http().get('/v1/me').set(session.headers), 401, 'unauthenticated');
    expect((await http().post('/v1/session').send({ username: owner.ownerUsername, password: TEST_PASSWORD })).status).toBe(401);
    expect((await http().post(`/v1/accounts/${owner.accountId}/reactivate`).set(adminSession.headers)).body).toMatchObject({ status: 'active' });
    expect((await http().get('/v1/me').set(bearer(owner.ownerToken))).status).toBe(200);
  });

  test("When an owner changes its account's settings, then they are kept and logged; its currency it may not change", async () => {
    const owner = await createTestAccount(api.t.db.pool);
    const session = await openTestSession(api.t.db.pool, owner.ownerId);
    const res = await http().patch(`/v1/accounts/${owner.accountId}`).set(session.headers).send({ locale: 'id', billingEmail: 'finance@customer.example' });
    expect(res.body).toMatchObject({ locale: 'id', billingEmail: 'finance@customer.example' });
    expect((await http().patch(`/v1/accounts/${owner.accountId}`).set(session.headers).send({ currency: 'IDR' })).status).toBe(200);
    const log = await http().get('/v1/operation-log').set(bearer(owner.ownerToken));
    expect(log.body.items[0]).toMatchObject({ action: 'account.update', details: { changed: { locale: 'id', billingEmail: 'finance@customer.example' } } });
  });

  test("When an account's currency is not one the service handles, then its orders are refused naming it, never made in IDR", async () => {
    const owner = await createTestAccount(api.t.db.pool);
    expect((await http().post('/v1/orders').set(bearer(owner.ownerToken)).send({ wallet: 'credit', amount: 100_000 })).body.currency).toBe('IDR');
    // As if the schema had drifted: the check that allows only IDR is lifted for this one row.
    await api.t.db.pool.query('ALTER TABLE accounts DROP CONSTRAINT accounts_currency_supported');
    try {
      await api.t.db.pool.query(`UPDATE accounts SET currency = 'USD' WHERE id = $1`, [owner.accountId]);
      const refused = await http().post('/v1/orders').set(bearer(owner.ownerToken)).send({ wallet: 'credit', amount: 100_000 });
      expectError(refused, 409, 'unsupported_currency');
      expect(refused.body.error.message).toContain('USD');
      const made = await api.t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE account_id = $1', [owner.accountId]);
      expect(made.rows[0]!.n).toBe(1);
    } finally {
      await api.t.db.pool.query(`UPDATE accounts SET currency = 'IDR' WHERE currency <> 'IDR'`);
      await api.t.db.pool.query(`ALTER TABLE accounts ADD CONSTRAINT accounts_currency_supported CHECK (currency IN ('IDR'))`);
    }
  });
});

describe('Roles and the identity log', () => {
  test('When an admin gives ops the finance role, then its key acts as finance at once and the log says who changed what; an admin cannot change itself', async () => {
    const ops = await createStaffUser(api.t.db.pool, 'ops');
    expectError(await http().post('/v1/orders/1260101000001/approve').set(bearer(ops.token)).send({}), 403, 'forbidden');
    const changed = await http().patch(`/v1/users/${ops.userId}`).set(adminSession.headers).send({ role: 'finance' });
    expect(changed.body).toMatchObject({ role: 'finance' });
    expect((await http().get('/v1/me').set(bearer(ops.token))).body.role).toBe('finance');
    expectError(await http().patch(`/v1/users/${admin.userId}`).set(adminSession.headers).send({ role: 'ops' }), 409, 'own_user');
    expectError(await http().post(`/v1/users/${admin.userId}/disable`).set(adminSession.headers), 409, 'own_user');
    const log = await http().get('/v1/operation-log').query({ pageSize: 100 }).set(adminSession.headers);
    expect(log.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'user.role_change', accountId: null, actor: expect.objectContaining({ id: admin.userId }), details: expect.objectContaining({ from: 'ops', to: 'finance' }) })]));
  });

  test("When staff sign in and fail to, then admins see those entries with the address, finance and ops do not, and a customer sees only its own account's", async () => {
    const staff = await createStaffUser(api.t.db.pool, 'ops', { password: true });
    await http().post('/v1/session').send({ username: staff.username, password: 'this is not it at all' });
    await http().post('/v1/session').send({ username: staff.username, password: TEST_PASSWORD });
    const byAdmin = await http().get('/v1/operation-log').query({ pageSize: 100 }).set(adminSession.headers);
    const mine = byAdmin.body.items.filter((e: { actor: { id: string } | null }) => e.actor?.id === staff.userId);
    expect(mine.map((e: { action: string; accountId: null; address: string }) => [e.action, e.accountId, e.address])).toEqual([
      ['session.sign_in', null, expect.stringMatching(/127\.0\.0\.1/)],
      ['session.sign_in_failed', null, expect.stringMatching(/127\.0\.0\.1/)],
    ]);
    const byOps = await http().get('/v1/operation-log').query({ pageSize: 100 }).set(bearer(staff.token));
    expect(byOps.body.items.filter((e: { accountId: string | null }) => e.accountId === null)).toEqual([]);
    const customer = await createTestAccount(api.t.db.pool);
    const byCustomer = await http().get('/v1/operation-log').set(bearer(customer.ownerToken));
    expect(byCustomer.body.items).toEqual([]);
  });
});

describe('Credential changes across API processes', () => {
  test('When a key is revoked through one API process, then another that had it cached refuses it at once', async () => {
    const owner = await createTestAccount(api.t.db.pool);
    const session = await openTestSession(api.t.db.pool, owner.ownerId);
    const key = String((await http().post('/v1/api-keys').set(session.headers).send({ name: 'shared', scopes: ['read'] })).body.secret);
    // Process B: its own cache, told of changes by PostgreSQL as api/main.ts wires it.
    const principals = new PrincipalCache<KeyPrincipal>(60_000);
    const forgotten: string[] = [];
    const listener = await listenForCredentialChanges(api.t.db.url, { onChange: (u) => (forgotten.push(u), principals.forgetUser(u)), onReconnect: () => principals.forgetAll(), onError: () => undefined });
    try {
      const b = appVariant(api, { principals });
      expect((await http(b).get('/v1/balance').set(bearer(key))).status).toBe(200);
      const keyId = (await http().get('/v1/api-keys').set(session.headers)).body.items[0].id as string;
      expect((await http().delete(`/v1/api-keys/${keyId}`).set(session.headers)).status).toBe(204);
      await eventually(
        async () => forgotten,
        (f) => f.includes(owner.ownerId),
        2_000,
        10,
      );
      expectError(await http(b).get('/v1/balance').set(bearer(key)), 401, 'unauthenticated');
    } finally {
      await listener.stop();
    }
  });

  test('When a process does not hear of a change, then it refuses the key once its cache entry expires, within 5 seconds (the fallback)', async () => {
    const owner = await createTestAccount(api.t.db.pool);
    const principals = new PrincipalCache<KeyPrincipal>();
    const b = appVariant(api, { principals });
    expect((await http(b).get('/v1/balance').set(bearer(owner.ownerToken))).status).toBe(200);
    await api.t.db.pool.query('UPDATE api_keys SET revoked_at = now() WHERE user_id = $1', [owner.ownerId]);
    expect((await http(b).get('/v1/balance').set(bearer(owner.ownerToken))).status).toBe(200);
    const refused = await eventually(
      async () => (await http(b).get('/v1/balance').set(bearer(owner.ownerToken))).status,
      (s) => s === 401,
      7_000,
      250,
    );
    expect(refused).toBe(401);
  });
});
