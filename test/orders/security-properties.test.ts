/**
 * Property tests of the input edge (issue 8): random and boundary bodies for the order routes never get a
 * 500 and are never accepted silently: an answer is either a success whose order holds exactly what was asked,
 * or a 4xx naming the field and the rule.
 */
import fc from 'fast-check';
import request from 'supertest';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { startTestApi, type TestApi } from '../helpers/api';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';

let api: TestApi;
let account: TestAccount;

beforeAll(async () => {
  api = await startTestApi({ rateLimit: { limit: 100_000, windowMs: 60_000 } });
  account = await createTestAccount(api.t.db.pool);
});

afterAll(async () => {
  await api?.close();
});

const bearer = () => ({ authorization: `Bearer ${account.ownerToken}` });

/** Amounts around every limit of the policy, plus anything JSON can carry. */
const amounts = fc.oneof(
  fc.constantFrom(0, -1, 1, 9_999, 10_000, 34_999, 35_000, 250_000, 250_001, 499, 500, 700, 1_000, 999_999, 1_000_000, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1),
  fc.integer({ min: -1_000_000, max: 50_000_000 }),
  fc.double({ noNaN: true }),
  fc.string(),
  fc.constant(null),
);
const wallets = fc.oneof(fc.constantFrom('credit', 'whatsapp', 'muv', 'deposit'), fc.string({ maxLength: 12 }));

function expectNamedRefusal(res: request.Response): void {
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  const body = res.body as { error?: { code?: string; message?: string; fields?: Array<{ path: string; rule: string }> } };
  expect(typeof body.error?.code).toBe('string');
  expect(body.error?.message).toBeTruthy();
  if (res.status === 400) expect(body.error?.fields?.length).toBeGreaterThan(0);
}

test('When any wallet and amount is posted as a bank-transfer order, then it is created exactly as asked or refused naming the field', async () => {
  await fc.assert(
    fc.asyncProperty(wallets, amounts, fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 2 }), { nil: undefined }), async (wallet, amount, extra) => {
      const res = await request(api.app)
        .post('/v1/orders')
        .set(bearer())
        .send({ wallet, amount, ...(extra ?? {}) });
      if (res.status === 201) {
        expect(extra === undefined || Object.keys(extra).every((k) => k === 'wallet' || k === 'amount')).toBe(true);
        expect(res.body).toMatchObject({ wallet, amount, status: 'unpaid' });
        expect(wallet === 'credit' ? (amount as number) >= DEFAULT_POLICY.creditMinAmount : wallet === 'deposit').toBe(true);
      } else {
        expectNamedRefusal(res);
      }
    }),
    { numRuns: 60 },
  );
});

test('When any lines are posted as an online order, then each accepted line is priced by the rules and everything else is refused naming the line', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.record({ wallet: wallets, amount: amounts }), { minLength: 0, maxLength: 5 }), async (lines) => {
      const res = await request(api.app).post('/v1/online-orders').set(bearer()).send({ lines });
      if (res.status === 201) {
        const priced = res.body.lines as Array<{ wallet: string; requested: number; credit: number; price: number }>;
        expect(priced.map((l) => [l.wallet, l.requested])).toEqual(lines.map((l) => [l.wallet, l.amount]));
        for (const l of priced) {
          if (l.wallet === 'muv') expect([l.credit, l.price]).toEqual([l.requested * DEFAULT_POLICY.muvPackVisitors, l.requested * DEFAULT_POLICY.muvPackPrice]);
          else expect(l.price).toBe(l.credit);
          if (l.wallet === 'whatsapp') expect(l.credit).toBe(Math.max(l.requested, DEFAULT_POLICY.whatsappMinAmount));
        }
      } else {
        expectNamedRefusal(res);
      }
    }),
    { numRuns: 60 },
  );
});

test('When any query is sent to the order list, then it answers a page or 400 naming the parameter, never a 500', async () => {
  const dates = fc.oneof(fc.constantFrom('2026-02-29', '2028-02-29', '2026-12-31', '2027-01-01', '2026-13-01', 'yesterday', ''), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
  await fc.assert(
    fc.asyncProperty(
      fc.record({ status: fc.option(fc.constantFrom('paid', 'dealing', 'paid_late', 'paid', 'x'), { nil: undefined }), from: fc.option(dates, { nil: undefined }), to: fc.option(dates, { nil: undefined }), page: fc.option(fc.oneof(fc.integer({ min: -2, max: 600 }), fc.string({ maxLength: 4 })), { nil: undefined }) }),
      async (query) => {
        const q = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
        const res = await request(api.app).get('/v1/orders').query(q).set(bearer());
        if (res.status === 200) expect(Array.isArray(res.body.items)).toBe(true);
        else expectNamedRefusal(res);
      },
    ),
    { numRuns: 60 },
  );
});
