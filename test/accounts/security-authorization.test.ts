/**
 * The authorization matrix, generated from the route table (OPERATIONS in api/shared/openapi.ts): every route × every
 * role (owner, pic, finance, ops, service, no token) × the caller's own account or another's. No token is 401;
 * a role the route does not list is 403, never a 2xx; a listed role is never 401 or 403; a customer naming
 * another account's order or sub-account gets 404 and the resource is unchanged. Then mass assignment: bodies
 * that try to set what the caller must not (status, account id, an amount after Paid) are refused.
 */
import type { Express } from 'express';
import request from 'supertest';
import type { Role } from '../../api/accounts/auth';
import { OPERATIONS } from '../../api/shared/openapi';
import { startTestApi, type TestApi } from '../helpers/api';
import { createPicUser, createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

let api: TestApi;
/** The app the matrix calls (requests without a token are no failed authentication: no limit holds them). */
let app: Express;
let own: TestAccount;
let other: TestAccount;
const tokens: Partial<Record<Role, string>> = {};
let ownOrder: string;
let otherOrder: string;
let ownPic: TestUser;
/** The PIC the owner removes in the matrix (not the one whose token the matrix uses). */
let spareOwnPic: TestUser;
let otherPic: TestUser;

const PNG = SLIP_PNG;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const http = () => request(app);

async function dealingOrder(account: TestAccount): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 250_000 });
  const orderNumber = String(created.body.orderNumber);
  await http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(account.ownerToken)).attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' });
  return orderNumber;
}

beforeAll(async () => {
  api = await startTestApi();
  app = api.app;
  [own, other] = await Promise.all([createTestAccount(api.t.db.pool), createTestAccount(api.t.db.pool)]);
  [ownPic, spareOwnPic, otherPic] = await Promise.all([createPicUser(api.t.db.pool, own), createPicUser(api.t.db.pool, own), createPicUser(api.t.db.pool, other)]);
  const [finance, ops, service] = await Promise.all([createStaffUser(api.t.db.pool, 'finance'), createStaffUser(api.t.db.pool, 'ops'), createStaffUser(api.t.db.pool, 'service')]);
  Object.assign(tokens, { owner: own.ownerToken, pic: ownPic.token, finance: finance.token, ops: ops.token, service: service.token });
  [ownOrder, otherOrder] = await Promise.all([dealingOrder(own), dealingOrder(other)]);
});

afterAll(async () => {
  await api?.close();
});

type Target = 'own' | 'other';

/** The concrete path of an operation for the caller's own account's resources, or another account's. */
function concretePath(template: string, target: Target): string {
  return template
    .replace('{orderNumber}', target === 'own' ? ownOrder : otherOrder)
    .replace('{id}', target === 'own' ? spareOwnPic.userId : otherPic.userId)
    .replace('{invoiceId}', 'sub_0123456789abcdef-001');
}

const ROLES: readonly (Role | 'none')[] = ['owner', 'pic', 'finance', 'ops', 'service', 'none'];
const guarded = OPERATIONS.filter((op) => op.roles !== undefined);
const isCustomer = (role: Role | 'none') => role === 'owner' || role === 'pic';
// Provider staff and services belong to no account: "another account" is a customer's question only.
const cases = guarded.flatMap((op) => ROLES.flatMap((role) => (isCustomer(role) ? (['own', 'other'] as const) : (['own'] as const)).map((target) => ({ op, role, target }))));

async function send(method: string, path: string, role: Role | 'none') {
  const test = http()[method as 'get' | 'post' | 'patch' | 'delete'](path);
  if (role !== 'none') test.set(bearer(tokens[role]!));
  // Idempotency-Key where a route takes one, and an empty JSON body: the role decides before the body is read.
  return test.set('Idempotency-Key', `matrix-${role}-${Math.random().toString(36).slice(2)}`).send({});
}

test.each(cases.map((c) => [`${c.op.method.toUpperCase()} ${c.op.path}`, c.role, c.target, c] as const))('When %s is called as %s on %s resources, then the answer is of the expected class', async (_name, role, target, c) => {
  const path = concretePath(c.op.path, target);
  const res = await send(c.op.method, path, role);
  const allowed = role !== 'none' && c.op.roles!.includes(role);
  if (role === 'none') expect(res.status).toBe(401);
  else if (!allowed) expect(res.status).toBe(403);
  else {
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
    const namesResource = /\{(orderNumber|id)\}/.test(c.op.path);
    if (isCustomer(role) && target === 'other' && namesResource) expect(res.status).toBe(404);
  }
});

test("When every route has been called by every role, then another account's order and sub-account are unchanged", async () => {
  const res = await api.t.db.pool.query<{ status: string; amount: number }>('SELECT status, amount FROM orders WHERE order_number = $1', [otherOrder]);
  expect(res.rows[0]).toEqual({ status: 'dealing', amount: 250_000 });
  const pic = await http().get('/v1/me').set(bearer(otherPic.token));
  expect(pic.status).toBe(200);
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
    expect((await http().post(`/v1/orders/${n}/approve`).set(bearer(tokens.finance!)).send({ amount: 1 })).status).toBe(400);
    expect((await http().post(`/v1/orders/${n}/approve`).set(bearer(tokens.finance!)).send({ checkResult: 'ok' })).status).toBe(200);
    const edit = await http().patch(`/v1/orders/${n}`).set(bearer(own.ownerToken)).send({ amount: 999_000 });
    expect(edit.status).toBe(409);
    const stored = await api.t.db.pool.query<{ status: string; amount: number; account_id: string }>('SELECT status, amount, account_id FROM orders WHERE order_number = $1', [n]);
    expect(stored.rows[0]).toEqual({ status: 'paid', amount: 100_000, account_id: own.accountId });
  });
});
