/**
 * The reads served in front of Express (api/shared/thin-path.ts): `GET /healthz` and `GET /v1/balance` answer
 * exactly what the Express routes answer (status, body, every header but the date and the request id), refusals
 * included; they log their request line and count their metric like any route; the requests they cannot answer the
 * way Express would (no key or one not resolved yet, a session, another role or scope, over the rate limit, HEAD, a
 * body) are left to Express untouched; and both paths share one rate-limit count.
 */
import http, { type Server } from 'node:http';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import request, { type Response } from 'supertest';
import type { AppDeps } from '../../api/create-app';
import { PrincipalCache } from '../../api/accounts/principal-cache';
import { balanceReader } from '../../api/ledger/balance-reader';
import { RequestRateLimit } from '../../api/shared/rate-limit';
import { securityHeaderList } from '../../api/shared/security-headers';
import { balanceRoute, healthRoute, thinPath } from '../../api/shared/thin-path';
import type { KeyPrincipal } from '../../db/accounts/api-keys';
import { createLogger } from '../../config/logger';
import { freePort } from '../../scripts/net';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { bearer, useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { createPicUser, createStaffUser, createTestAccount, insertTestApiKey, openTestSession, type TestAccount, type TestUser } from '../helpers/fixtures';
import { sampleValue } from '../helpers/prometheus';

const api = useTestApi();
let account: TestAccount;
let other: TestAccount;
let users: { pic: TestUser; finance: TestUser; ops: TestUser; service: TestUser };
const logLines: string[] = [];

function appWith(opts: Partial<AppDeps>): Express {
  return appVariant(api, opts);
}

beforeAll(async () => {
  [account, other] = await Promise.all([createTestAccount(api.t.db.pool), createTestAccount(api.t.db.pool)]);
  const [pic, finance, ops, service] = await Promise.all([
    createPicUser(api.t.db.pool, account),
    createStaffUser(api.t.db.pool, 'finance'),
    createStaffUser(api.t.db.pool, 'ops'),
    createStaffUser(api.t.db.pool, 'service'),
  ]);
  users = { pic, finance, ops, service };
});


/** An answer without what differs from one request to the next (its date, its request id, the connection). */
function comparable(res: Response): unknown {
  const { date: _date, 'x-request-id': _id, connection: _connection, 'keep-alive': _keepAlive, ...headers } = res.headers as Record<string, string>;
  return { status: res.status, body: res.body as unknown, headers };
}

test('When /healthz and /v1/balance are asked, with and without reasons to refuse, then the answers equal the Express routes\' exactly', async () => {
  const thin = appWith({});
  const plain = appWith({ thinPath: false });
  const session = await openTestSession(api.t.db.pool, account.ownerId);
  const readOnlyKey = await insertTestApiKey(api.t.db.pool, account.ownerId, ['usage']);
  const asks: Array<[string, Record<string, string>]> = [
    ['/healthz', {}],
    ['/healthz?probe=1', {}],
    ['/v1/balance', bearer(account.ownerToken)],
    ['/v1/balance', bearer(users.pic.token)],
    [`/v1/balance?accountId=${account.accountId}`, bearer(users.finance.token)],
    [`/v1/balance?accountId=${account.accountId}`, bearer(users.ops.token)],
    ['/v1/balance?accountId=acc_nobody', bearer(users.finance.token)],
    ['/v1/balance?accountId=acc_nobody', { ...bearer(users.finance.token), 'accept-language': 'id' }],
    ['/v1/balance?accountId=acc_nobody', { ...bearer(users.finance.token), 'accept-language': 'en-US,en;q=0.9' }],
    ['/v1/balance?accountId=acc_nobody', { ...bearer(users.finance.token), 'accept-language': 'fr' }],
    [`/v1/balance?accountId=${other.accountId}`, bearer(account.ownerToken)],
    ['/v1/balance', bearer(users.finance.token)],
    ['/v1/balance?wallet=credit', bearer(account.ownerToken)],
    ['/v1/balance', bearer(users.service.token)],
    ['/v1/balance', bearer(readOnlyKey)],
    ['/v1/balance', { cookie: session.cookie }],
    ['/v1/balance', {}],
    ['/v1/balance', bearer('an-unknown-token-of-good-length')],
  ];
  // Twice each: the first with a key resolves it (Express), the second finds it resolved (the path in front).
  for (let round = 0; round < 2; round += 1) {
    for (const [path, headers] of asks) {
      const [a, b] = [await request(thin).get(path).set(headers), await request(plain).get(path).set(headers)];
      expect({ path, headers, ...(comparable(a) as object) }).toEqual({ path, headers, ...(comparable(b) as object) });
    }
  }
});

/** A server answering 599 for whatever `take` leaves to Express, so a test sees which requests the path took. */
async function takenOrLeft(deps: { principals: PrincipalCache<KeyPrincipal>; limit: RequestRateLimit }): Promise<{ url: string; server: Server }> {
  const thin = thinPath({
    logRequest: (_req, _res, next) => next(),
    observeRequest: (_req, _res, next) => next(),
    securityHeaders: securityHeaderList(),
    routes: [healthRoute, balanceRoute({ balanceDeps: { balances: balanceReader(api.t.db.pool), policy: DEFAULT_POLICY }, ...deps })],
  });
  const server = http.createServer((req, res) => {
    if (!thin(req, res)) {
      res.statusCode = 599;
      res.end();
    }
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}

test('When a request cannot be answered the way Express would, then the path in front leaves it to Express, having counted nothing', async () => {
  const principals = new PrincipalCache<KeyPrincipal>();
  const limit = new RequestRateLimit({ limit: 2, windowMs: 60_000 });
  const { url, server } = await takenOrLeft({ principals, limit });
  try {
    const get = (path: string, init: RequestInit = {}) => fetch(`${url}${path}`, init).then((r) => r.status);
    expect(await get('/healthz')).toBe(200);
    expect(await get('/healthz', { method: 'HEAD' })).toBe(599);
    expect(await get('/healthz/')).toBe(599);
    // A key not resolved yet (Express looks it up and remembers it).
    expect(await get('/v1/balance', { headers: bearer(account.ownerToken) })).toBe(599);
    // Resolved: taken, twice (its limit); the third would be refused, so it is left (Express counts it and answers 429).
    const resolved = appWith({ principals });
    expect((await request(resolved).get('/v1/balance').set(bearer(account.ownerToken))).status).toBe(200);
    // A caller whose Accept-Language may prefer Indonesian: left (and not counted against its limit), so Express negotiates a refusal's language.
    expect(await get('/v1/balance', { headers: { ...bearer(account.ownerToken), 'accept-language': 'id' } })).toBe(599);
    expect(await get('/v1/balance', { headers: { ...bearer(account.ownerToken), 'accept-language': 'en-US,id;q=0.8' } })).toBe(599);
    expect(await get('/v1/balance', { headers: bearer(account.ownerToken) })).toBe(200);
    expect(await get('/v1/balance', { headers: bearer(account.ownerToken) })).toBe(200);
    expect(await get('/v1/balance', { headers: bearer(account.ownerToken) })).toBe(599);
    // Another role's key, resolved: left, so Express answers its 403.
    expect((await request(resolved).get('/v1/balance').set(bearer(users.service.token))).status).toBe(403);
    expect(await get('/v1/balance', { headers: bearer(users.service.token) })).toBe(599);
    // A session, and a GET with a body.
    const session = await openTestSession(api.t.db.pool, account.ownerId);
    expect(await get('/v1/balance', { headers: { cookie: session.cookie } })).toBe(599);
    const withBody = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${url}/healthz`, { method: 'GET', headers: { 'content-type': 'application/json', 'content-length': '2' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end('{}');
    });
    expect(withBody).toBe(599);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('When the path in front and Express answer one key in turn, then they share its rate limit', async () => {
  const app = appWith({ rateLimit: { limit: 3, windowMs: 60_000 } });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i += 1) statuses.push((await request(app).get('/v1/balance').set(bearer(account.ownerToken))).status);
  // The first is Express's (the key resolved then), the next two the path's, the fourth over the limit: Express's 429.
  expect(statuses).toEqual([200, 200, 200, 429, 429]);
});

test('When the path in front answers, then the request is logged and counted with its route like any other', async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  const app = appWith({ logger: createLogger({ level: 'info', service: 'api' }, sink) });
  await request(app).get('/v1/balance').set(bearer(account.ownerToken));
  const answered = await request(app).get('/v1/balance').set(bearer(account.ownerToken)).set('X-Request-Id', 'thin-path-balance-1');
  expect(answered.status).toBe(200);
  expect(answered.headers['x-request-id']).toBe('thin-path-balance-1');
  expect((await request(app).get('/healthz').set('X-Request-Id', 'thin-path-health-1')).status).toBe(200);
  const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines.find((l) => (l.req as { id?: string }).id === 'thin-path-balance-1')).toMatchObject({
    msg: 'request completed',
    route: '/v1/balance',
    req: { method: 'GET', url: '/v1/balance' },
    res: { statusCode: 200 },
  });
  expect(lines.find((l) => (l.req as { id?: string }).id === 'thin-path-health-1')).toMatchObject({ route: '/healthz', res: { statusCode: 200 } });
  expect(logLines.join('\n')).not.toContain(account.ownerToken);
  const metrics = (await request(app).get('/metrics')).text;
  expect(sampleValue(metrics, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/balance', status_code: '200' })).toBe(2);
  expect(sampleValue(metrics, 'http_request_duration_seconds_count', { method: 'GET', route: '/healthz', status_code: '200' })).toBe(1);
});

test('When many customers ask for their balance at once, then each answer is its own account\'s, never another\'s', async () => {
  const app = appWith({});
  const customers = await Promise.all(Array.from({ length: 12 }, () => createTestAccount(api.t.db.pool)));
  const ask = () => Promise.all(customers.map((c) => request(app).get('/v1/balance').set(bearer(c.ownerToken))));
  await ask();
  const answers = await ask();
  expect(answers.map((a) => [a.status, a.body.accountId])).toEqual(customers.map((c) => [200, c.accountId]));
});
