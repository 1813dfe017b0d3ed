/**
 * Security headers (issue 15, item 6), generated from the route table (OPERATIONS in api/shared/openapi.ts): every
 * read under /v1 is account data (or a staff view of it) and answers `Cache-Control: no-store` and `nosniff`,
 * refusals included; /docs and the console carry the Content-Security-Policy, no framing, no referrer. That
 * the console and /docs still work under that policy is checked in a browser (test/shared/web-console.test.ts).
 */
import request from 'supertest';
import type { Role } from '../../api/accounts/auth';
import { OPERATIONS } from '../../api/shared/openapi';
import { useTestApi } from '../helpers/api';
import { createPicUser, createStaffUser, createTestAccount, openTestSession, type TestAccount } from '../helpers/fixtures';

const api = useTestApi();
let account: TestAccount;
let orderNumber: string;
const tokens: Partial<Record<Role, string>> = {};
/** Who each role is, for the reads of signed-in people (a session rather than a key). */
const users: Partial<Record<Role, string>> = {};

beforeAll(async () => {
  account = await createTestAccount(api.t.db.pool);
  const [pic, finance, ops, service, admin] = await Promise.all([
    createPicUser(api.t.db.pool, account),
    createStaffUser(api.t.db.pool, 'finance'),
    createStaffUser(api.t.db.pool, 'ops'),
    createStaffUser(api.t.db.pool, 'service'),
    createStaffUser(api.t.db.pool, 'admin'),
  ]);
  Object.assign(tokens, { owner: account.ownerToken, pic: pic.token, finance: finance.token, ops: ops.token, service: service.token, admin: admin.token });
  Object.assign(users, { owner: account.ownerId, pic: pic.userId, finance: finance.userId, ops: ops.userId, admin: admin.userId });
  const created = await request(api.app).post('/v1/orders').set('Authorization', `Bearer ${account.ownerToken}`).send({ wallet: 'credit', amount: 250_000 });
  orderNumber = String(created.body.orderNumber);
});

const accountReads = OPERATIONS.filter((op) => op.method === 'get' && op.path.startsWith('/v1/'));

test.each(accountReads.map((op) => [op.path, op] as const))('When GET %s is answered to a caller it lets in, then Cache-Control is no-store and nosniff is set', async (_path, op) => {
  const role = op.roles!.includes('owner') ? 'owner' : op.roles![0]!;
  const path = op.path.replace('{orderNumber}', orderNumber).replace('{invoiceId}', 'sub_0123456789abcdef-001').replace('{accountId}', account.accountId);
  const credential = op.sessionOnly ? { cookie: (await openTestSession(api.t.db.pool, users[role]!)).cookie } : { authorization: `Bearer ${tokens[role]}` };
  const res = await request(api.app).get(path).set(credential);
  expect({ path, allowed: ![401, 403].includes(res.status) && res.status < 500 }).toEqual({ path, allowed: true });
  expect({ path, cacheControl: res.headers['cache-control'], nosniff: res.headers['x-content-type-options'] }).toEqual({
    path,
    cacheControl: expect.stringMatching(/(^|[ ,])no-store($|[ ,])/),
    nosniff: 'nosniff',
  });
});

test('When a read under /v1 is refused or has no route, then the refusal is no-store and nosniff JSON too', async () => {
  for (const res of [await request(api.app).get('/v1/balance'), await request(api.app).get('/v1/no-such-route').set('Authorization', `Bearer ${account.ownerToken}`)]) {
    expect([res.status, res.headers['content-type'], res.headers['cache-control'], res.headers['x-content-type-options']]).toEqual([
      expect.any(Number),
      expect.stringMatching(/^application\/json/),
      'no-store',
      'nosniff',
    ]);
  }
});

test('When /docs, the console and the service routes answer, then each has the security headers, and the pages the Content-Security-Policy', async () => {
  for (const path of ['/docs', '/orders', '/healthz', '/openapi.json', '/no-such-route.json']) {
    const res = await request(api.app).get(path);
    expect({ path, nosniff: res.headers['x-content-type-options'], frame: res.headers['x-frame-options'], referrer: res.headers['referrer-policy'] }).toEqual({
      path,
      nosniff: 'nosniff',
      frame: 'DENY',
      referrer: 'no-referrer',
    });
  }
  for (const path of ['/docs', '/orders']) {
    const csp = String((await request(api.app).get(path)).headers['content-security-policy']);
    expect({ path, csp }).toEqual({ path, csp: expect.stringContaining("default-src 'self';script-src 'self';script-src-attr 'none';style-src 'self' 'sha256-") });
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
  }
});
