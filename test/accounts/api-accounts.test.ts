/**
 * The account API over HTTP (DOMAIN.md "People and accounts", "Wallets"): balances, usage charges with
 * idempotency keys, PICs invited by their owner, the operation log, who may do what (ops read, never write), rate limits and
 * authentication. `createApp` in-process, driven by supertest, in front of the time-skipping Temporal server,
 * a worker with the real activities and PostgreSQL. Each test makes its own accounts.
 */
import request, { type Response } from 'supertest';
import { grantGift } from '../../db/ledger/ledger';
import { bearer, useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { createStaffUser, createTestAccount, signIn, TEST_PASSWORD, type TestAccount, type TestSession, type TestUser } from '../helpers/fixtures';
import { passwordLinkEmail } from '../helpers/password-links';

const api = useTestApi();
let finance: TestUser;
let ops: TestUser;
let service: TestUser;

beforeAll(async () => {
  [finance, ops, service] = await Promise.all([
    createStaffUser(api.t.db.pool, 'finance'),
    createStaffUser(api.t.db.pool, 'ops'),
    createStaffUser(api.t.db.pool, 'service'),
  ]);
});

const http = () => request(api.app);
let nextKey = 0;
const newKey = () => `charge-${Date.now()}-${(nextKey += 1)}`;

function newAccount(): Promise<TestAccount> {
  return createTestAccount(api.t.db.pool);
}

/** Records usage as the service (or `token`); `key: null` sends no Idempotency-Key. */
function recordUsage(body: Record<string, unknown>, key: string | null = newKey(), token = service.token) {
  const test = http().post('/v1/usage').set(bearer(token));
  return (key === null ? test : test.set('Idempotency-Key', key)).send(body);
}

function expectError(res: Response, status: number, code: string, path?: string): void {
  expect({ status: res.status, code: res.body.error?.code }).toEqual({ status, code });
  expect(typeof res.body.error.message).toBe('string');
  if (path !== undefined) expect(res.body.error.fields).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
}

async function journalEntries(key: string): Promise<number> {
  const res = await api.t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entries WHERE idempotency_key = $1', [`usage:${key}`]);
  return res.rows[0]!.n;
}

describe('Balances and usage charges', () => {
  test('When a service charges usage on the credit wallet, then the balance shows it per wallet, gift spent first', async () => {
    const account = await newAccount();
    await grantGift(api.t.db.pool, { accountId: account.accountId, wallet: 'credit', amount: 10_000, idempotencyKey: `gift:${account.accountId}` });

    const charged = await recordUsage({ accountId: account.accountId, wallet: 'credit', amount: 15_000, memo: 'API calls, May' });
    expect(charged.status).toBe(201);
    expect(charged.body).toMatchObject({ fromGift: 10_000, fromRecharge: 0, toUnbilled: 5_000, balanceAfter: { wallet: 'credit', current: -5_000 } });

    const balance = await http().get('/v1/balance').set(bearer(account.ownerToken));
    expect(balance.status).toBe(200);
    // No top-up yet: no reference, so no wallet is low (issue 21's banner flag).
    expect(balance.body).toEqual({
      accountId: account.accountId,
      lowBalancePercent: 40,
      wallets: [
        { wallet: 'credit', current: -5_000, recharge: 0, gift: 0, unbilled: 5_000, lowBalance: null },
        { wallet: 'whatsapp', current: 0, recharge: 0, gift: 0, unbilled: 0, lowBalance: null },
        { wallet: 'muv', current: 0, recharge: 0, gift: 0, unbilled: 0, lowBalance: null },
        { wallet: 'deposit', current: 0, recharge: 0, gift: 0, unbilled: 0, lowBalance: null },
      ],
    });
    const byFinance = await http().get('/v1/balance').query({ accountId: account.accountId }).set(bearer(finance.token));
    expect(byFinance.body).toEqual(balance.body);
    const byOps = await http().get('/v1/balance').query({ accountId: account.accountId }).set(bearer(ops.token));
    expect(byOps.body).toEqual(balance.body);
  });

  test('When staff omit the account, or a customer names another account, then the balance is refused without data', async () => {
    const [account, other] = await Promise.all([newAccount(), newAccount()]);
    expectError(await http().get('/v1/balance').set(bearer(finance.token)), 400, 'invalid_input', 'accountId');
    expectError(await http().get('/v1/balance').query({ accountId: 'acc_nobody' }).set(bearer(finance.token)), 404, 'not_found');
    const foreign = await http().get('/v1/balance').query({ accountId: other.accountId }).set(bearer(account.ownerToken));
    expectError(foreign, 404, 'not_found');
    expect(JSON.stringify(foreign.body)).not.toContain('wallets');
    expectError(await http().get('/v1/balance').set(bearer(service.token)), 403, 'forbidden');
  });

  test('When many charges arrive at once, then they are applied together, each answered on its own: a refused one 409, the rest 201', async () => {
    const account = await newAccount();
    await grantGift(api.t.db.pool, { accountId: account.accountId, wallet: 'whatsapp', amount: 10_000, idempotencyKey: `gift:wa:${account.accountId}` });
    const credit = Array.from({ length: 20 }, (_, i) => ({ key: newKey(), body: { accountId: account.accountId, wallet: 'credit', amount: 1_000 + i } }));
    const whatsapp = [6_000, 6_000].map((amount) => ({ key: newKey(), body: { accountId: account.accountId, wallet: 'whatsapp', amount } }));
    const answers = await Promise.all([...credit, ...whatsapp].map((c) => recordUsage(c.body, c.key)));

    expect(answers.slice(0, 20).map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.slice(0, 20).map((a) => a.body.entryId)).size).toBe(20);
    // The whatsapp wallet covers one of the two 6,000 charges: whichever came first is charged, the other refused.
    const wa = answers.slice(20);
    expect(wa.map((a) => a.status).sort()).toEqual([201, 409]);
    expectError(wa.find((a) => a.status === 409)!, 409, 'insufficient_balance');
    const balance = await http().get('/v1/balance').set(bearer(account.ownerToken));
    const owed = credit.reduce((sum, c) => sum + c.body.amount, 0);
    expect(balance.body.wallets.slice(0, 2)).toEqual([
      { wallet: 'credit', current: -owed, recharge: 0, gift: 0, unbilled: owed, lowBalance: null },
      { wallet: 'whatsapp', current: 4_000, recharge: 0, gift: 4_000, unbilled: 0, lowBalance: null },
    ]);
    // One transaction stamps its entries with one now(): the charges that arrived together share it.
    const stamps = await api.t.db.pool.query<{ n: number }>(
      `SELECT count(DISTINCT created_at)::int AS n FROM journal_entries WHERE account_id = $1 AND kind = 'usage'`,
      [account.accountId],
    );
    expect(stamps.rows[0]!.n).toBeLessThan(21);
  });

  test('When usage comes without an Idempotency-Key, then it is refused with 400 naming the header', async () => {
    const account = await newAccount();
    const res = await recordUsage({ accountId: account.accountId, wallet: 'credit', amount: 1_000 }, null);
    expectError(res, 400, 'invalid_input', 'Idempotency-Key');
    expectError(await recordUsage({ accountId: account.accountId, wallet: 'credit', amount: 1_000 }, 'not a key!'), 400, 'invalid_input', 'Idempotency-Key');
  });

  test('When usage is retried with the same key, then the first response comes back and the ledger has one entry', async () => {
    const account = await newAccount();
    const key = newKey();
    const body = { accountId: account.accountId, wallet: 'credit', amount: 2_500 };
    const first = await recordUsage(body, key);
    expect(first.status).toBe(201);
    const retry = await recordUsage({ amount: 2_500, wallet: 'credit', accountId: account.accountId }, key);
    expect({ status: retry.status, body: retry.body }).toEqual({ status: 201, body: first.body });
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(await journalEntries(key)).toBe(1);
    const balance = await http().get('/v1/balance').set(bearer(account.ownerToken));
    expect(balance.body.wallets[0]).toMatchObject({ wallet: 'credit', unbilled: 2_500 });
  });

  test('When the same key comes with a different body, then it is refused with 422 naming the key', async () => {
    const account = await newAccount();
    const key = newKey();
    expect((await recordUsage({ accountId: account.accountId, wallet: 'credit', amount: 1_000 }, key)).status).toBe(201);
    const reused = await recordUsage({ accountId: account.accountId, wallet: 'credit', amount: 9_000 }, key);
    expectError(reused, 422, 'idempotency_key_reused', 'Idempotency-Key');
    expect(reused.body.error.message).toContain(key);
    expect(await journalEntries(key)).toBe(1);
  });

  test('When a retry arrives while the first is in flight, then 409; once the claim is abandoned, a retry runs it once', async () => {
    const account = await newAccount();
    const key = newKey();
    const body = { accountId: account.accountId, wallet: 'credit', amount: 700 };
    const first = await recordUsage(body, key);
    expect(first.status).toBe(201);
    // As if the first request were still running: its claim has no response yet.
    const claim = "scope = 'usage' AND key = $1";
    await api.t.db.pool.query(`UPDATE idempotency_keys SET status = NULL, response_headers = NULL, response_body = NULL, completed_at = NULL WHERE ${claim}`, [key]);
    const concurrent = await recordUsage(body, key);
    expectError(concurrent, 409, 'request_in_progress', 'Idempotency-Key');
    expect(concurrent.headers['retry-after']).toBe('1');

    // Its process died: after a while a retry takes the claim over, and the ledger's key keeps it one charge.
    await api.t.db.pool.query(`UPDATE idempotency_keys SET claimed_at = now() - interval '10 minutes' WHERE ${claim}`, [key]);
    const takenOver = await recordUsage(body, key);
    expect({ status: takenOver.status, body: takenOver.body }).toEqual({ status: 201, body: first.body });
    expect(await journalEntries(key)).toBe(1);
  });

  test('When the same charge is sent five times at once, then each answer is the one charge or 409, and the ledger has one entry', async () => {
    const account = await newAccount();
    const key = newKey();
    const body = { accountId: account.accountId, wallet: 'credit', amount: 400 };
    const answers = await Promise.all(Array.from({ length: 5 }, () => recordUsage(body, key)));
    const created = answers.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const r of created) expect(r.body).toEqual(created[0]!.body);
    for (const r of answers.filter((a) => a.status !== 201)) expectError(r, 409, 'request_in_progress');
    expect(await journalEntries(key)).toBe(1);
  });

  test('When someone other than a service records usage, then 403', async () => {
    const account = await newAccount();
    const body = { accountId: account.accountId, wallet: 'credit', amount: 1_000 };
    expectError(await recordUsage(body, newKey(), account.ownerToken), 403, 'forbidden');
    expectError(await recordUsage(body, newKey(), finance.token), 403, 'forbidden');
    expectError(await recordUsage(body, newKey(), ops.token), 403, 'forbidden');
  });

  test('When a whatsapp charge exceeds the balance, then 409 insufficient_balance and nothing is charged', async () => {
    const account = await newAccount();
    const key = newKey();
    const res = await recordUsage({ accountId: account.accountId, wallet: 'whatsapp', amount: 50_000 }, key);
    expectError(res, 409, 'insufficient_balance');
    expect(res.body.error.message).toContain('whatsapp');
    expect(await journalEntries(key)).toBe(0);
    const balance = await http().get('/v1/balance').set(bearer(account.ownerToken));
    expect(balance.body.wallets[1]).toEqual({ wallet: 'whatsapp', current: 0, recharge: 0, gift: 0, unbilled: 0, lowBalance: null });
  });

  test('When usage names an unknown account or breaks a rule, then 404 or 400 naming the field', async () => {
    expectError(await recordUsage({ accountId: 'acc_nobody', wallet: 'credit', amount: 1_000 }), 404, 'not_found', 'accountId');
    const account = await newAccount();
    expectError(await recordUsage({ accountId: account.accountId, wallet: 'gold', amount: 1_000 }), 400, 'invalid_input', 'wallet');
    expectError(await recordUsage({ accountId: account.accountId, wallet: 'credit', amount: 1.5 }), 400, 'invalid_input', 'amount');
  });
});

/** An account whose owner is signed in to the console (the session's cookie and CSRF token). */
async function accountWithOwnerSignedIn(): Promise<TestAccount & { owner: TestSession }> {
  const account = await createTestAccount(api.t.db.pool, { password: true });
  return { ...account, owner: await signIn(api.app, account.ownerUsername) };
}

/**
 * The owner invites a PIC (POST /v1/users), the PIC sets its password from the emailed link and signs in, and the
 * owner makes an API key acting as the PIC: the sub-account of before, now made as issue 17 has it.
 */
async function invitedPic(account: TestAccount & { owner: TestSession }, username: string) {
  const invited = await http().post('/v1/users').set(account.owner.headers).send({ username, email: `${username}@customer.example` });
  expect(invited.status).toBe(201);
  const { token } = await passwordLinkEmail(api.t.sink, `${username}@customer.example`);
  expect((await http().post('/v1/password-links/redeem').send({ token, password: TEST_PASSWORD })).status).toBe(200);
  const key = await http().post('/v1/api-keys').set(account.owner.headers).send({ name: `${username} portal`, scopes: ['read', 'write'], userId: invited.body.id });
  expect(key.status).toBe(201);
  return { invited, session: await signIn(api.app, username), key: String(key.body.secret) };
}

describe('PICs (the sub-accounts of before)', () => {
  test('When the owner invites a PIC, then its session and key work, it cannot manage users, and once removed both are refused', async () => {
    const account = await accountWithOwnerSignedIn();
    const username = `pic.${account.accountId.slice(4)}`;
    const { invited: created, session, key: picToken } = await invitedPic(account, username);
    expect(created.body).toMatchObject({ username, email: `${username}@customer.example`, role: 'pic', accountId: account.accountId, status: 'invited' });
    expect(created.headers.location).toBe(`/v1/users/${created.body.id}`);
    expect(picToken.length).toBeGreaterThanOrEqual(32);

    expect((await http().get('/v1/orders').set(bearer(picToken))).status).toBe(200);
    const order = await http().post('/v1/orders').set(bearer(picToken)).send({ wallet: 'credit', amount: 100_000 });
    expect(order.status).toBe(201);
    expect((await http().get('/v1/orders').set(session.headers)).status).toBe(200);
    expectError(await http().post('/v1/users').set(session.headers).send({ username: `${username}.2`, email: 'x@customer.example' }), 403, 'forbidden');
    expectError(await http().get('/v1/users').set(session.headers), 403, 'forbidden');

    const listed = await http().get('/v1/users').set(account.owner.headers);
    expect(listed.status).toBe(200);
    expect(listed.body.items.filter((u: { role: string }) => u.role === 'pic')).toEqual([{ ...created.body, status: 'active', lastSignInAt: expect.any(String), invitationExpiresAt: undefined }]);
    expect(JSON.stringify(listed.body)).not.toContain(picToken);
    expect(JSON.stringify(listed.body)).not.toContain(TEST_PASSWORD);

    const duplicate = await http().post('/v1/users').set(account.owner.headers).send({ username, email: 'other@customer.example' });
    expectError(duplicate, 409, 'username_taken', 'username');

    const removed = await http().delete(`/v1/users/${created.body.id}`).set(account.owner.headers);
    expect(removed.status).toBe(204);
    expectError(await http().get('/v1/orders').set(bearer(picToken)), 401, 'unauthenticated');
    expectError(await http().get('/v1/orders').set(session.headers), 401, 'unauthenticated');
    expect((await http().get('/v1/users').set(account.owner.headers)).body.items.filter((u: { role: string }) => u.role === 'pic')).toEqual([]);
    expectError(await http().delete(`/v1/users/${created.body.id}`).set(account.owner.headers), 404, 'not_found');
  });

  test("When an owner removes another account's PIC or its owner, then 404 and that PIC keeps working", async () => {
    const [account, other] = await Promise.all([accountWithOwnerSignedIn(), accountWithOwnerSignedIn()]);
    const { invited: created, key } = await invitedPic(other, `pic.${other.accountId.slice(4)}`);
    expectError(await http().delete(`/v1/users/${created.body.id}`).set(account.owner.headers), 404, 'not_found');
    expectError(await http().post(`/v1/users/${created.body.id}/disable`).set(account.owner.headers), 404, 'not_found');
    expectError(await http().delete(`/v1/users/${other.ownerId}`).set(other.owner.headers), 404, 'not_found');
    expect((await http().get('/v1/orders').set(bearer(key))).status).toBe(200);
    expect((await http().get('/v1/users').set(account.owner.headers)).body.items.map((u: { role: string }) => u.role)).toEqual(['owner']);
  });

  test('When an invitation breaks a rule or comes from staff or an API key, then 400 naming the field or 403', async () => {
    const account = await accountWithOwnerSignedIn();
    expectError(await http().post('/v1/users').set(account.owner.headers).send({ username: 'x', email: 'not-an-email' }), 400, 'invalid_input', 'email');
    expectError(await http().post('/v1/users').set(account.owner.headers).send({ username: 'owner.makes.finance', email: 'f@x.example', role: 'finance' }), 403, 'forbidden', 'role');
    expectError(await http().post('/v1/users').set(bearer(finance.token)).send({ username: 'finance.pic', email: 'f@x.example' }), 403, 'forbidden');
    expectError(await http().get('/v1/users').set(bearer(service.token)), 403, 'forbidden');
    expectError(await http().post('/v1/users').set(bearer(account.ownerToken)).send({ username: 'by.a.key', email: 'k@x.example' }), 403, 'session_required');
  });

  test('When the sub-account routes of before are called, then 410 names the route that replaced each, with or without a credential', async () => {
    const account = await newAccount();
    for (const [method, path, replacement] of [
      ['post', '/v1/sub-accounts', 'POST /v1/users'],
      ['get', '/v1/sub-accounts', 'GET /v1/users'],
      ['delete', '/v1/sub-accounts/usr_x', 'DELETE /v1/users/{userId}'],
    ] as const) {
      for (const res of [await http()[method](path).set(bearer(account.ownerToken)).send({}), await http()[method](path).send({})]) {
        expectError(res, 410, 'route_moved');
        expect(res.body.error.message).toContain(replacement);
      }
    }
  });
});

describe('The operation log', () => {
  test('When an account acts, then its log shows who did what newest first, only to that account; finance sees every account', async () => {
    const [account, other] = await Promise.all([accountWithOwnerSignedIn(), newAccount()]);
    const picName = `log.${account.accountId}`;
    const { invited: pic, key } = await invitedPic(account, picName);
    const order = await http().post('/v1/orders').set(bearer(key)).send({ wallet: 'credit', amount: 100_000 });
    expect(order.status).toBe(201);
    expect((await http().delete(`/v1/users/${pic.body.id}`).set(account.owner.headers)).status).toBe(204);
    expect((await recordUsage({ accountId: other.accountId, wallet: 'credit', amount: 300 })).status).toBe(201);

    const log = await http().get('/v1/operation-log').set(bearer(account.ownerToken));
    expect(log.status).toBe(200);
    const ownerName = `owner.${account.accountId.slice(4)}`;
    expect(log.body.items.map((e: { action: string; actor: { username: string } }) => [e.action, e.actor.username])).toEqual([
      ['user.remove', ownerName],
      ['order.create', picName],
      ['session.sign_in', picName],
      ['api_key.create', ownerName],
      ['user.password_set', picName],
      ['user.invite', ownerName],
      ['session.sign_in', ownerName],
    ]);
    expect(log.body).toMatchObject({ page: 1, pageSize: 20, total: 7 });
    expect(log.body.items[1]).toMatchObject({ accountId: account.accountId, orderNumber: order.body.orderNumber, actor: { role: 'pic' } });
    expect(log.body.items[2]).toMatchObject({ address: expect.stringMatching(/127\.0\.0\.1/) });

    const byOrder = await http().get('/v1/operation-log').query({ orderNumber: order.body.orderNumber }).set(bearer(account.ownerToken));
    expect(byOrder.body.items.map((e: { action: string }) => e.action)).toEqual(['order.create']);

    const otherLog = await http().get('/v1/operation-log').set(bearer(other.ownerToken));
    expect(otherLog.body.items.map((e: { action: string; accountId: string }) => [e.action, e.accountId])).toEqual([['usage.record', other.accountId]]);
    expectError(await http().get('/v1/operation-log').query({ accountId: account.accountId }).set(bearer(other.ownerToken)), 404, 'not_found');

    const all = await http().get('/v1/operation-log').query({ pageSize: 100 }).set(bearer(finance.token));
    const accounts = new Set(all.body.items.map((e: { accountId: string }) => e.accountId));
    expect(accounts.has(account.accountId) && accounts.has(other.accountId)).toBe(true);
    const ids = all.body.items.map((e: { id: string }) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const one = await http().get('/v1/operation-log').query({ accountId: other.accountId }).set(bearer(ops.token));
    expect(one.body.items).toEqual(otherLog.body.items);

    const paged = await http().get('/v1/operation-log').query({ page: 2, pageSize: 1 }).set(bearer(account.ownerToken));
    expect(paged.body).toMatchObject({ page: 2, pageSize: 1, total: 7, items: [{ action: 'order.create' }] });
    expectError(await http().get('/v1/operation-log').query({ pageSize: 1000 }).set(bearer(account.ownerToken)), 400, 'invalid_input', 'pageSize');
    expectError(await http().get('/v1/operation-log').set(bearer(service.token)), 403, 'forbidden');
  });
});

describe('Who may call', () => {
  test('When ops write anything, then 403; when ops read, then the data', async () => {
    const account = await newAccount();
    for (const res of [
      await http().post('/v1/orders').set(bearer(ops.token)).send({ wallet: 'credit', amount: 100_000 }),
      await recordUsage({ accountId: account.accountId, wallet: 'credit', amount: 1_000 }, newKey(), ops.token),
      await http().post('/v1/users').set(bearer(ops.token)).send({ username: 'ops.pic', email: 'o@x.example' }),
      await http().delete('/v1/users/usr_anything').set(bearer(ops.token)),
      await http().patch('/v1/orders/1260101000001').set(bearer(ops.token)).send({ amount: 20_000 }),
      await http().post('/v1/orders/1260101000001/approve').set(bearer(ops.token)).send({}),
    ]) {
      expectError(res, 403, 'forbidden');
      expect(res.body.error.message).toContain('ops');
    }
    expect((await http().get('/v1/operation-log').set(bearer(ops.token))).status).toBe(200);
    expect((await http().get('/v1/orders').set(bearer(ops.token))).status).toBe(200);
  });

  test('When a request has no token, a malformed one or an unknown one, then 401', async () => {
    expectError(await http().get('/v1/balance'), 401, 'unauthenticated');
    expectError(await http().get('/v1/balance').set({ authorization: 'Basic dXNlcjpwYXNz' }), 401, 'unauthenticated');
    expectError(await http().get('/v1/balance').set(bearer('an-unknown-token-of-good-length')), 401, 'unauthenticated');
    expectError(await http().post('/v1/usage').set('Idempotency-Key', newKey()).send({}), 401, 'unauthenticated');
  });

  test('When one token exceeds its rate limit, then 429 with Retry-After, and other tokens are not affected', async () => {
    const account = await newAccount();
    const app = appVariant(api, { rateLimit: { limit: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i += 1) expect((await request(app).get('/v1/balance').set(bearer(account.ownerToken))).status).toBe(200);
    const limited = await request(app).get('/v1/balance').set(bearer(account.ownerToken));
    expectError(limited, 429, 'too_many_requests');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await request(app).get('/v1/balance').query({ accountId: account.accountId }).set(bearer(finance.token))).status).toBe(200);
    expect((await request(app).get('/healthz')).status).toBe(200);
  });
});

describe('Idempotent order creation', () => {
  test('When an order is created again with the same Idempotency-Key, then the same order comes back and only one exists', async () => {
    const account = await newAccount();
    const key = newKey();
    const create = () => http().post('/v1/orders').set(bearer(account.ownerToken)).set('Idempotency-Key', key).send({ wallet: 'credit', amount: 120_000 });
    const first = await create();
    expect(first.status).toBe(201);
    const retry = await create();
    expect({ status: retry.status, body: retry.body, location: retry.headers.location }).toEqual({ status: 201, body: first.body, location: first.headers.location });
    const list = await http().get('/v1/orders').set(bearer(account.ownerToken));
    expect(list.body.total).toBe(1);
    const reused = await http().post('/v1/orders').set(bearer(account.ownerToken)).set('Idempotency-Key', key).send({ wallet: 'credit', amount: 130_000 });
    expectError(reused, 422, 'idempotency_key_reused', 'Idempotency-Key');
  });
});
