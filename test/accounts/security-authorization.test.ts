/**
 * The authorization matrix, generated from the route table (OPERATIONS in api/shared/openapi.ts): every route ×
 * every role (admin, owner, pic, finance, ops, service, no credential) × each credential the role can have (a
 * console session with its CSRF token, an API key with every scope) × the caller's own account or another's. No
 * credential is 401; a role the route does not list is 403, never a 2xx; an API key on a route for signed-in people
 * is 403; otherwise never 401 or 403; a customer naming another account's order, account, user or key gets 404 and
 * the resource is unchanged. A session cookie without its CSRF token (or with another session's) is refused on every
 * state-changing route. Then mass assignment: bodies that try to set what the caller must not (status, account id,
 * an amount after Paid) are refused.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { Role } from '../../api/accounts/auth';
import { OPERATIONS } from '../../api/shared/openapi';
import type { Operation } from '../../api/shared/openapi-operation';
import { saveCard } from '../../db/auto-topup/cards';
import { createEndpoint } from '../../db/webhooks/endpoints';
import { bearer, useTestApi } from '../helpers/api';
import { TEST_WEBHOOK_SECRET_KEY } from '../helpers/activity-deps';
import { createPicUser, createStaffUser, createTestAccount, insertTestApiKey, openTestSession, type TestAccount, type TestUser } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const api = useTestApi();
/** The app the matrix calls (requests without a credential are no failed authentication: no limit holds them). */
let app: Express;
let own: TestAccount;
let other: TestAccount;
/** Accounts the admin suspends and reactivates in the matrix (never the ones whose users call it). */
let spareOwnAccount: TestAccount;
let spareOtherAccount: TestAccount;
/** Who calls as each role: its user and its API key. */
const callers: Partial<Record<Role, { userId: string; key: string | null }>> = {};
let ownOrder: string;
let otherOrder: string;
/** The PIC the matrix disables, enables and removes (not the one who calls as pic). */
let spareOwnPic: TestUser;
let otherPic: TestUser;
/** Keys the matrix revokes: one of the caller's own account, one of another account. */
let spareOwnKeyId: string;
let otherKeyId: string;
/** Webhook endpoints: one of the caller's own account, one of another account. */
let ownEndpoint: string;
let otherEndpoint: string;
/** Saved cards: one of the caller's own account, one of another account. */
let ownCard: string;
let otherCard: string;
/** An event id no endpoint's queue has (a redeliver of it is refused with 404). */
const EVENT_ID = 'evt_0123456789abcdef01234567';
/** What the CSRF sweep aims at, untouched by the matrix, so "nothing happened" can be checked after it. */
const csrfTargets = { pic: '', keyId: '', account: '', order: '', endpoint: '' };

const PNG = SLIP_PNG;
const http = () => request(app);

async function dealingOrder(account: TestAccount): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 250_000 });
  const orderNumber = String(created.body.orderNumber);
  await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' });
  return orderNumber;
}

async function webhookEndpoint(account: TestAccount): Promise<string> {
  const settings = { url: 'https://receiver.invalid/hooks', description: 'matrix', eventTypes: ['order.status_changed' as const], enabled: true };
  const created = await createEndpoint(api.t.db.pool, { accountId: account.accountId, settings, secretKey: TEST_WEBHOOK_SECRET_KEY, maxEndpoints: 10, actor: { userId: null, address: null } });
  if (typeof created === 'string') throw new Error(`no endpoint: ${created}`);
  return created.endpoint.id;
}

async function savedCard(account: TestAccount): Promise<string> {
  const card = { cardRef: `card_matrix_${account.accountId}`, brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 };
  return (await saveCard(api.t.db.pool, account.accountId, card, { userId: null, address: null })).id;
}

async function keyId(key: string): Promise<string> {
  const res = await api.t.db.pool.query<{ id: string }>('SELECT id FROM api_keys WHERE prefix = $1', [key.slice(0, 12)]);
  return res.rows[0]!.id;
}

beforeAll(async () => {
  app = api.app;
  const pool = api.t.db.pool;
  [own, other, spareOwnAccount, spareOtherAccount] = await Promise.all([createTestAccount(pool), createTestAccount(pool), createTestAccount(pool), createTestAccount(pool)]);
  const [ownPic, spare, otherOnesPic] = await Promise.all([createPicUser(pool, own), createPicUser(pool, own), createPicUser(pool, other)]);
  [spareOwnPic, otherPic] = [spare, otherOnesPic];
  const [admin, finance, ops, service] = await Promise.all([createStaffUser(pool, 'admin'), createStaffUser(pool, 'finance'), createStaffUser(pool, 'ops'), createStaffUser(pool, 'service')]);
  Object.assign(callers, {
    // Keys are for programs: an admin works signed in (none can be made for one).
    admin: { userId: admin.userId, key: null },
    owner: { userId: own.ownerId, key: own.ownerToken },
    pic: { userId: ownPic.userId, key: ownPic.token },
    finance: { userId: finance.userId, key: finance.token },
    ops: { userId: ops.userId, key: ops.token },
    service: { userId: service.userId, key: service.token },
  });
  [spareOwnKeyId, otherKeyId] = await Promise.all([insertTestApiKey(pool, spareOwnPic.userId).then(keyId), insertTestApiKey(pool, other.ownerId).then(keyId)]);
  [ownOrder, otherOrder] = await Promise.all([dealingOrder(own), dealingOrder(other)]);
  const [csrfPic, csrfAccount] = await Promise.all([createPicUser(pool, own), createTestAccount(pool)]);
  Object.assign(csrfTargets, { pic: csrfPic.userId, keyId: await keyId(csrfPic.token), account: csrfAccount.accountId, order: await dealingOrder(own), endpoint: await webhookEndpoint(own) });
  [ownEndpoint, otherEndpoint] = await Promise.all([webhookEndpoint(own), webhookEndpoint(other)]);
  [ownCard, otherCard] = await Promise.all([savedCard(own), savedCard(other)]);
});

type Target = 'own' | 'other' | 'csrf';
type Credential = 'session' | 'key' | 'none';

/** The concrete path of an operation for the caller's own account's resources, another account's, or the CSRF sweep's. */
function concretePath(op: Operation, target: Target): string {
  if (target === 'csrf') {
    const account = /\/(suspend|reactivate)$/.test(op.path) ? csrfTargets.account : own.accountId;
    return op.path
      .replace('{orderNumber}', csrfTargets.order)
      .replace('{userId}', csrfTargets.pic)
      .replace('{keyId}', csrfTargets.keyId)
      .replace('{accountId}', account)
      .replace('{invoiceId}', 'sub_0123456789abcdef-001')
      .replace('{endpointId}', csrfTargets.endpoint)
      .replace('{eventId}', EVENT_ID)
      .replace('{subscriptionId}', 'sub_0123456789abcdef')
      .replace('{wallet}', 'credit')
      .replace('{cardId}', ownCard);
  }
  const mine = target === 'own';
  const suspends = /\/(suspend|reactivate)$/.test(op.path);
  const account = suspends ? (mine ? spareOwnAccount : spareOtherAccount) : mine ? own : other;
  return op.path
    .replace('{orderNumber}', mine ? ownOrder : otherOrder)
    .replace('{userId}', mine ? spareOwnPic.userId : otherPic.userId)
    .replace('{keyId}', mine ? spareOwnKeyId : otherKeyId)
    .replace('{accountId}', account.accountId)
    .replace('{invoiceId}', 'sub_0123456789abcdef-001')
    .replace('{endpointId}', mine ? ownEndpoint : otherEndpoint)
    .replace('{eventId}', EVENT_ID)
    .replace('{subscriptionId}', 'sub_0123456789abcdef')
    .replace('{wallet}', 'credit')
    .replace('{cardId}', mine ? ownCard : otherCard);
}

const ROLES: readonly (Role | 'none')[] = ['admin', 'owner', 'pic', 'finance', 'ops', 'service', 'none'];
const guarded = OPERATIONS.filter((op) => op.roles !== undefined);
const isCustomer = (role: Role | 'none') => role === 'owner' || role === 'pic';
/** The credentials a role can have: people sign in, and all but admins may hold keys; a service only keys. */
const credentialsOf = (role: Role | 'none'): Credential[] => (role === 'none' ? ['none'] : role === 'admin' ? ['session'] : role === 'service' ? ['key'] : ['session', 'key']);
// Provider users belong to no account: "another account" is a customer's question only.
const cases = guarded.flatMap((op) =>
  ROLES.flatMap((role) => credentialsOf(role).flatMap((credential) => (isCustomer(role) ? (['own', 'other'] as const) : (['own'] as const)).map((target) => ({ op, role, credential, target })))),
);

/** Calls `path` as `role` with `credential`: a fresh session (so signing out in one case ends nothing of another), or the role's key. */
async function send(method: string, path: string, role: Role | 'none', credential: Credential, opts: { csrf?: 'own' | 'none' | 'foreign' } = {}) {
  const test = http()[method as 'get' | 'post' | 'put' | 'patch' | 'delete'](path);
  if (credential === 'key') test.set(bearer(callers[role as Role]!.key!));
  if (credential === 'session') {
    const session = await openTestSession(api.t.db.pool, callers[role as Role]!.userId);
    test.set('cookie', session.cookie);
    const csrf = opts.csrf ?? 'own';
    if (csrf === 'own') test.set('x-csrf-token', session.csrfToken);
    if (csrf === 'foreign') test.set('x-csrf-token', (await openTestSession(api.t.db.pool, callers[role as Role]!.userId)).csrfToken);
  }
  // Idempotency-Key where a route takes one, and an empty JSON body: the role decides before the body is read.
  return test.set('Idempotency-Key', `matrix-${role}-${Math.random().toString(36).slice(2)}`).send({});
}

test.each(cases.map((c) => [`${c.op.method.toUpperCase()} ${c.op.path}`, c.role, c.credential, c.target, c] as const))(
  'When %s is called as %s with a %s on %s resources, then the answer is of the expected class',
  async (_name, role, credential, target, c) => {
    const path = concretePath(c.op, target);
    const res = await send(c.op.method, path, role, credential);
    const allowed = role !== 'none' && c.op.roles!.includes(role) && !(credential === 'key' && c.op.sessionOnly);
    const answer = { status: res.status, code: res.body?.error?.code };
    if (role === 'none') expect(answer).toMatchObject({ status: 401 });
    else if (!allowed) expect(answer).toMatchObject({ status: 403 });
    else {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
      const namesResource = /\{(orderNumber|userId|keyId|accountId|endpointId|cardId)\}/.test(c.op.path);
      if (isCustomer(role) && target === 'other' && namesResource) expect(answer).toMatchObject({ status: 404 });
    }
  },
);

const changes = guarded.filter((op) => op.method !== 'get');

test.each(changes.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))(
  'When %s is sent with a session cookie but without its CSRF token, or with another session\'s, then 403 and nothing happens',
  async (_name, op) => {
    // A person the route allows, if any (else the owner: the CSRF check comes before the role check).
    const role = op.roles!.find((r) => credentialsOf(r).includes('session')) ?? 'owner';
    const path = concretePath(op, 'csrf');
    for (const csrf of ['none', 'foreign'] as const) {
      const res = await send(op.method, path, role, 'session', { csrf });
      expect({ csrf, status: res.status, code: res.body?.error?.code }).toEqual({ csrf, status: 403, code: 'csrf_token_invalid' });
    }
  },
);

test('When a session without its CSRF token tried every change, then its targets are as they were: the PIC, its key, the account, the order, the sessions', async () => {
  // Runs after the CSRF sweep (jest runs a file's tests in order), whose targets nothing else touches.
  const pool = api.t.db.pool;
  const pic = await pool.query<{ disabled: boolean; removed: boolean; role: string }>('SELECT disabled_at IS NOT NULL AS disabled, removed_at IS NOT NULL AS removed, role FROM users WHERE id = $1', [csrfTargets.pic]);
  expect(pic.rows[0]).toEqual({ disabled: false, removed: false, role: 'pic' });
  const key = await pool.query<{ revoked: boolean }>('SELECT revoked_at IS NOT NULL AS revoked FROM api_keys WHERE id = $1', [csrfTargets.keyId]);
  expect(key.rows[0]).toEqual({ revoked: false });
  const account = await pool.query<{ suspended: boolean }>('SELECT suspended_at IS NOT NULL AS suspended FROM accounts WHERE id = $1', [csrfTargets.account]);
  expect(account.rows[0]).toEqual({ suspended: false });
  const order = await pool.query<{ status: string }>('SELECT status FROM orders WHERE order_number = $1', [csrfTargets.order]);
  expect(order.rows[0]).toEqual({ status: 'dealing' });
  const endpoint = await pool.query<{ deleted: boolean; url: string; rotated: boolean }>(
    'SELECT deleted_at IS NOT NULL AS deleted, url, secret_rotated_at IS NOT NULL AS rotated FROM webhook_endpoints WHERE id = $1',
    [csrfTargets.endpoint],
  );
  expect(endpoint.rows[0]).toEqual({ deleted: false, url: 'https://receiver.invalid/hooks', rotated: false });
  const signOuts = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE end_reason = 'sign_out'`);
  const signOutCases = cases.filter((c) => c.op.method === 'delete' && c.op.path === '/v1/session' && c.credential === 'session').length;
  expect(signOuts.rows[0]!.n).toBe(signOutCases);
});

test("When every route has been called by every role, then another account's order, PIC, key, account and webhook endpoint are unchanged", async () => {
  const endpoint = await api.t.db.pool.query<{ deleted: boolean; rotated: boolean }>('SELECT deleted_at IS NOT NULL AS deleted, secret_rotated_at IS NOT NULL AS rotated FROM webhook_endpoints WHERE id = $1', [otherEndpoint]);
  expect(endpoint.rows[0]).toEqual({ deleted: false, rotated: false });
  const card = await api.t.db.pool.query<{ removed: boolean }>('SELECT removed_at IS NOT NULL AS removed FROM saved_cards WHERE id = $1', [otherCard]);
  expect(card.rows[0]).toEqual({ removed: false });
  const res = await api.t.db.pool.query<{ status: string; amount: number }>('SELECT status, amount FROM orders WHERE order_number = $1', [otherOrder]);
  expect(res.rows[0]).toEqual({ status: 'dealing', amount: 250_000 });
  const pic = await http().get('/v1/me').set(bearer(otherPic.token));
  expect(pic.status).toBe(200);
  const otherOwner = await http().get('/v1/me').set(bearer(other.ownerToken));
  expect({ status: otherOwner.status, account: otherOwner.body.account?.status }).toEqual({ status: 200, account: 'active' });
});

describe('Mass assignment', () => {
  test('When an order is created with a status, an account id or a paid block, then 400 names the field and nothing is created', async () => {
    const before = await api.t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE account_id = $1', [own.accountId]);
    for (const extra of [{ status: 'paid' }, { accountId: other.accountId }, { paid: { added: 1 } }, { createdBy: 'usr_x' }]) {
      const res = await http().post('/v1/orders').set(bearer(own.ownerToken)).send({ wallet: 'credit', amount: 100_000, ...extra });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_input');
    }
    const after = await api.t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM orders WHERE account_id = $1', [own.accountId]);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  test('When an edit or a decision carries a status, an account id or an amount, then 400; after Paid the amount cannot change', async () => {
    const created = await http().post('/v1/orders').set(bearer(own.ownerToken)).send({ wallet: 'credit', amount: 100_000 });
    const n = String(created.body.orderNumber);
    for (const body of [{ status: 'paid' }, { accountId: other.accountId }, { amount: 120_000, status: 'dealing' }]) {
      expect((await http().patch(`/v1/orders/${n}`).set(bearer(own.ownerToken)).send(body)).status).toBe(400);
    }
    await http().post(`/v1/orders/${n}/slip`).set(bearer(own.ownerToken)).attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' });
    expect((await http().post(`/v1/orders/${n}/approve`).set(bearer(callers.finance!.key!)).send({ amount: 1 })).status).toBe(400);
    expect((await http().post(`/v1/orders/${n}/approve`).set(bearer(callers.finance!.key!)).send({ checkResult: 'ok' })).status).toBe(200);
    const edit = await http().patch(`/v1/orders/${n}`).set(bearer(own.ownerToken)).send({ amount: 999_000 });
    expect(edit.status).toBe(409);
    const stored = await api.t.db.pool.query<{ status: string; amount: number; account_id: string }>('SELECT status, amount, account_id FROM orders WHERE order_number = $1', [n]);
    expect(stored.rows[0]).toEqual({ status: 'paid', amount: 100_000, account_id: own.accountId });
  });

  test('When an owner invites or updates with a role, an account id or a currency it may not set, then 400 or 403 naming the field, and nothing changes', async () => {
    const session = await openTestSession(api.t.db.pool, own.ownerId);
    const invite = await http().post('/v1/users').set(session.headers).send({ username: `mass.${own.accountId.slice(4)}`, email: 'm@customer.example', accountId: other.accountId });
    expect({ status: invite.status, fields: invite.body.error?.fields }).toEqual({ status: 400, fields: [{ path: 'accountId', rule: 'is not a known field' }] });
    const admin = await http().post('/v1/users').set(session.headers).send({ username: `mass2.${own.accountId.slice(4)}`, email: 'm@customer.example', role: 'admin' });
    expect({ status: admin.status, path: admin.body.error?.fields?.[0]?.path }).toEqual({ status: 403, path: 'role' });
    const currency = await http().patch(`/v1/accounts/${own.accountId}`).set(session.headers).send({ currency: 'USD' });
    expect({ status: currency.status, path: currency.body.error?.fields?.[0]?.path }).toEqual({ status: 400, path: 'currency' });
    const status = await http().patch(`/v1/accounts/${own.accountId}`).set(session.headers).send({ status: 'active', suspendedAt: null });
    expect(status.status).toBe(400);
    const users = await api.t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE username LIKE 'mass%'`);
    expect(users.rows[0]!.n).toBe(0);
  });
});
