/**
 * Failed authentications are held back without locking anyone out (issue 15, item 5): an address that keeps
 * failing gets 429 for its failing attempts only, with a hold that doubles; a valid token from the same address
 * (a customer behind the same NAT) always gets through; one credential failing again and again is held on its
 * own. The payment callback answers one 401 whatever failed, logs the reason, and holds an address that keeps
 * sending unverifiable callbacks, never a verified one.
 */
import request from 'supertest';
import pino from 'pino';
import type { AuthFailureLimit } from '../../api/accounts/auth-failure-limit';
import { FailureBackoff, type FailureBackoffPolicy } from '../../api/shared/failure-backoff';
import { signCallbackPayload } from '../../scripts/sandbox-gateway';
import { bearer, useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { TEST_GATEWAY } from '../helpers/activity-deps';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';

const api = useTestApi();
let account: TestAccount;

beforeAll(async () => {
  account = await createTestAccount(api.t.db.pool);
});

const MINUTE = 60_000;
const policy = (freeFailures: number): FailureBackoffPolicy => ({ freeFailures, firstHoldMs: 1_000, maxHoldMs: 15 * MINUTE, forgetAfterMs: 15 * MINUTE });
const SMALL: AuthFailureLimit = { address: policy(3), credential: policy(2) };

describe('FailureBackoff', () => {
  test('When a key fails past its free failures, then each failure doubles its hold up to the cap', () => {
    let now = 0;
    const backoff = new FailureBackoff({ freeFailures: 3, firstHoldMs: 1_000, maxHoldMs: 10_000, forgetAfterMs: MINUTE }, () => now);
    expect([1, 2, 3].map(() => backoff.recordFailure('a'))).toEqual([0, 0, 0]);
    expect([4, 5, 6, 7, 8, 9].map(() => backoff.recordFailure('a'))).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    expect(backoff.heldForMs('a')).toBe(10_000);
    expect(backoff.heldForMs('b')).toBe(0);
    now += 10_000;
    expect(backoff.heldForMs('a')).toBe(0);
    // Waiting out the hold does not reset the count: the next failure is held at once, for the cap.
    expect(backoff.recordFailure('a')).toBe(10_000);
  });

  test('When a key stays quiet for forgetAfterMs after its hold, then it starts again from zero; forget() does it at once', () => {
    let now = 0;
    const backoff = new FailureBackoff({ freeFailures: 1, firstHoldMs: 1_000, maxHoldMs: 10_000, forgetAfterMs: MINUTE }, () => now);
    backoff.recordFailure('a');
    expect(backoff.recordFailure('a')).toBe(1_000);
    now += 1_000 + MINUTE - 1;
    expect(backoff.recordFailure('a')).toBe(2_000);
    now += 2_000 + MINUTE;
    expect(backoff.recordFailure('a')).toBe(0);
    expect(backoff.recordFailure('a')).toBe(1_000);
    backoff.forget('a');
    expect(backoff.recordFailure('a')).toBe(0);
  });

  test('When more keys fail than it keeps, then the least recently failed is forgotten first', () => {
    const backoff = new FailureBackoff({ freeFailures: 0, firstHoldMs: 1_000, maxHoldMs: 1_000, forgetAfterMs: MINUTE }, () => 0, 2);
    backoff.recordFailure('a');
    backoff.recordFailure('b');
    backoff.recordFailure('a');
    backoff.recordFailure('c');
    expect(['a', 'b', 'c'].map((k) => backoff.heldForMs(k))).toEqual([1_000, 0, 1_000]);
  });
});

describe('When one address keeps sending tokens that do not work', () => {
  test('then its failing attempts get 429 with a doubling Retry-After, while a valid token from the same address is answered', async () => {
    const app = appVariant(api, { authFailureLimit: SMALL });
    const guess = (i: number) => request(app).get('/v1/me').set(bearer(`guessed-token-number-${i}-of-many`));
    for (let i = 0; i < 3; i += 1) {
      const refused = await guess(i);
      expect({ status: refused.status, message: refused.body.error?.message }).toEqual({ status: 401, message: 'the bearer token is not valid' });
    }
    const held = [await guess(3), await guess(4), await guess(5)];
    expect(held.map((r) => [r.status, r.body.error?.code, r.headers['retry-after']])).toEqual([
      [429, 'too_many_requests', '1'],
      [429, 'too_many_requests', '2'],
      [429, 'too_many_requests', '4'],
    ]);
    expect(held[2]!.body.error.message).toBe('too many failed authentications from this address; retry after 4 s');

    // The customer behind the same address: never refused by the limit, however often.
    for (let i = 0; i < 3; i += 1) {
      const me = await request(app).get('/v1/me').set(bearer(account.ownerToken));
      expect({ status: me.status, userId: me.body.userId }).toEqual({ status: 200, userId: account.ownerId });
    }
    // A request with no token at all is no guess: still the plain 401.
    const none = await request(app).get('/v1/me');
    expect({ status: none.status, message: none.body.error?.message }).toEqual({ status: 401, message: 'a bearer token is required' });
    // And guessing goes on being held.
    expect((await guess(6)).status).toBe(429);
  });

  test('then one credential failing again and again is held on its own, before the address is', async () => {
    const app = appVariant(api, { authFailureLimit: { address: policy(100), credential: policy(2) } });
    const revoked = () => request(app).get('/v1/balance').set(bearer('a-token-that-was-revoked-long-ago'));
    expect((await revoked()).status).toBe(401);
    expect((await revoked()).status).toBe(401);
    const held = await revoked();
    expect([held.status, held.headers['retry-after'], held.body.error?.message]).toEqual([429, '1', 'too many failed authentications with this credential; retry after 1 s']);
    // Another token from the same address is not held by that one's failures.
    expect((await request(app).get('/v1/balance').set(bearer('another-token-never-issued'))).status).toBe(401);
    expect((await request(app).get('/v1/balance').set(bearer(account.ownerToken))).status).toBe(200);
  });
});

describe('When a payment callback cannot be verified', () => {
  const logged: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line) as Record<string, unknown>) });
  const event = (id: string) => ({
    id,
    type: 'invoice.paid',
    created: Math.floor(Date.now() / 1000),
    data: { providerRef: `inv_${id}`, merchantRef: '1991231999999', method: 'virtual_account', amount: 100_000, paidAt: new Date().toISOString() },
  });
  const post = (app: ReturnType<typeof appVariant>, body: string, headers: Record<string, string>) =>
    request(app).post('/v1/payments/callback').set('Content-Type', 'application/json').set(headers).send(body);
  const signed = (body: string, secret = TEST_GATEWAY.callbackSecret, ts = Math.floor(Date.now() / 1000)) => ({
    'X-Sandbox-Timestamp': String(ts),
    'X-Sandbox-Signature': signCallbackPayload(secret, ts, body),
  });

  test('then every failure gets the same 401, the log names the reason, and past the free failures the address is held; a verified callback still goes through', async () => {
    const app = appVariant(api, { authFailureLimit: { address: policy(3), credential: policy(2) }, logger });
    const body = JSON.stringify(event('evt_limitcheck1'));
    const refusals = [
      await post(app, body, { 'X-Sandbox-Signature': signed(body)['X-Sandbox-Signature'] }),
      await post(app, body, { 'X-Sandbox-Timestamp': String(Math.floor(Date.now() / 1000)), 'X-Sandbox-Signature': 'sha256=abc' }),
      await post(app, body, signed(body, 'not-the-gateway-secret-at-all')),
    ];
    expect(refusals.map((r) => [r.status, r.body.error])).toEqual(
      Array(3).fill([401, { code: 'invalid_signature', message: 'the callback could not be verified', fields: [] }]),
    );
    const reasons = logged.filter((l) => l.msg === 'payment callback refused').map((l) => String(l.reason).split(':')[0]);
    expect(reasons).toEqual(['missing_timestamp', 'malformed_signature', 'signature_mismatch']);

    const held = await post(app, body, signed(body, 'not-the-gateway-secret-at-all'));
    expect([held.status, held.body.error?.code, held.headers['retry-after']]).toEqual([429, 'too_many_requests', '1']);

    const verified = await post(app, body, signed(body));
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ received: true, status: 'new' });
  });
});
