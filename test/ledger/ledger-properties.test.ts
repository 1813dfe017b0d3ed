/**
 * Properties of the ledger: the pure rules over many random wallets, then random sequences of movements (with
 * retried keys and refusals) against a real PostgreSQL compared with a plain model of DOMAIN.md.
 */
import fc from 'fast-check';
import { checkLedger, creditTopup, getBalances, grantGift, InsufficientBalanceError, recordUsage } from '../../db/ledger/ledger';
import { currentBalance, planGift, planTopup, planUsage, type Movement, type WalletParts } from '../../db/ledger/ledger-rules';
import type { Wallet } from '../../workflows/shared/policy';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount } from '../helpers/fixtures';

const money = fc.integer({ min: 0, max: 10_000_000 });
const amount = fc.integer({ min: 1, max: 10_000_000 });
// Reachable wallets: unbilled only once recharge is spent (a top-up settles unbilled first).
const wallet = fc.record({ recharge: money, gift: money, unbilled: money }).map((w) => (w.unbilled > 0 ? { ...w, recharge: 0 } : w));

/** The net change of each part that a movement's postings make (credit-positive; unbilled is debit-normal). */
function postedDelta(m: Movement): WalletParts {
  const sum = (account: string) => m.postings.filter((p) => p.ledgerAccount === account).reduce((a, p) => a + p.amount, 0);
  return { recharge: sum('wallet:recharge'), gift: sum('wallet:gift'), unbilled: -sum('wallet:unbilled') };
}

function assertConserves(before: WalletParts, m: Movement, value: number): void {
  expect(m.postings.reduce((a, p) => a + p.amount, 0)).toBe(0);
  expect(m.postings.filter((p) => p.amount > 0).reduce((a, p) => a + p.amount, 0)).toBe(value);
  const d = postedDelta(m);
  expect(m.after).toEqual({ recharge: before.recharge + d.recharge, gift: before.gift + d.gift, unbilled: before.unbilled + d.unbilled });
  expect(Math.min(m.after.recharge, m.after.gift, m.after.unbilled)).toBeGreaterThanOrEqual(0);
  expect(m.after.unbilled > 0 && m.after.recharge > 0).toBe(false);
}

describe('rules', () => {
  test('When any movement is planned on any reachable wallet, then its postings balance, credit the amount and explain the balance after', () => {
    fc.assert(
      fc.property(wallet, amount, fc.boolean(), (before, value, allowNegative) => {
        const topup = planTopup(before, value);
        assertConserves(before, topup, value);
        expect(currentBalance(topup.after)).toBe(currentBalance(before) + value);

        assertConserves(before, planGift(before, value), value);

        const usage = planUsage(before, value, allowNegative);
        if (usage === null) {
          expect(allowNegative).toBe(false);
          expect(before.recharge + before.gift).toBeLessThan(value);
        } else {
          assertConserves(before, usage, value);
          expect(currentBalance(usage.after)).toBe(currentBalance(before) - value);
          // Gift first: recharge is touched only when the gift is gone, unbilled only when both are.
          if (usage.fromRecharge > 0) expect(usage.after.gift).toBe(0);
          if (usage.toUnbilled > 0) expect(usage.after.recharge + usage.after.gift).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

type Op =
  | { kind: 'topup'; wallet: Wallet; amount: number }
  | { kind: 'usage'; wallet: Wallet; amount: number }
  | { kind: 'gift'; wallet: Wallet; amount: number }
  | { kind: 'retry'; index: number };

// `credit` may go negative, `whatsapp` may not: both paths in every run.
const WALLETS_UNDER_TEST: Wallet[] = ['credit', 'whatsapp'];
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('topup', 'usage', 'gift'), wallet: fc.constantFrom(...WALLETS_UNDER_TEST), amount: fc.integer({ min: 1, max: 50_000 }) }),
  fc.record({ kind: fc.constant('retry'), index: fc.nat() }),
) as fc.Arbitrary<Op>;

describe('against PostgreSQL', () => {
  let db: TestDatabase;
  let nextOrder = 1_261_122_200_000;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db.drop();
  });

  test('When random movements and retries run on an account, then each wallet matches the model and its postings, and the ledger checks clean', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 25 }), async (ops) => {
        const { accountId } = await createTestAccount(db.pool);
        const model = new Map<Wallet, WalletParts>(WALLETS_UNDER_TEST.map((w) => [w, { recharge: 0, gift: 0, unbilled: 0 }]));
        const done: { run: () => Promise<unknown>; result: unknown }[] = [];

        for (const [i, o] of ops.entries()) {
          if (o.kind === 'retry') {
            const earlier = done[o.index % Math.max(done.length, 1)];
            if (earlier) expect(await earlier.run()).toEqual(earlier.result);
            continue;
          }
          const m = model.get(o.wallet)!;
          const key = `${o.kind}:${accountId}:${i}`;
          const allowNegative = o.wallet === 'credit';
          let run: () => Promise<unknown>;
          if (o.kind === 'topup') {
            nextOrder += 1;
            const orderNumber = String(nextOrder);
            run = () => creditTopup(db.pool, { orderNumber, accountId, wallet: o.wallet, amount: o.amount });
            const settled = Math.min(o.amount, m.unbilled);
            m.unbilled -= settled;
            m.recharge += o.amount - settled;
          } else if (o.kind === 'gift') {
            run = () => grantGift(db.pool, { accountId, wallet: o.wallet, amount: o.amount, idempotencyKey: key });
            m.gift += o.amount;
          } else {
            run = () => recordUsage(db.pool, { accountId, wallet: o.wallet, amount: o.amount, idempotencyKey: key, allowNegative });
            if (!allowNegative && m.gift + m.recharge < o.amount) {
              await expect(run()).rejects.toThrow(InsufficientBalanceError);
              continue;
            }
            const fromGift = Math.min(o.amount, m.gift);
            const fromRecharge = Math.min(o.amount - fromGift, m.recharge);
            m.gift -= fromGift;
            m.recharge -= fromRecharge;
            m.unbilled += o.amount - fromGift - fromRecharge;
          }
          done.push({ run, result: await run() });
        }

        const balances = await getBalances(db.pool, accountId);
        const posted = await db.pool.query<{ wallet: Wallet; recharge: number; gift: number; unbilled: number }>(
          `SELECT wallet,
                  coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:recharge'), 0)::bigint AS recharge,
                  coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:gift'), 0)::bigint AS gift,
                  (-coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:unbilled'), 0))::bigint AS unbilled
           FROM postings WHERE account_id = $1 GROUP BY wallet`,
          [accountId],
        );
        for (const b of balances) {
          const expected = model.get(b.wallet) ?? { recharge: 0, gift: 0, unbilled: 0 };
          const fromPostings = posted.rows.find((r) => r.wallet === b.wallet) ?? { recharge: 0, gift: 0, unbilled: 0 };
          expect(b).toEqual({ accountId, wallet: b.wallet, ...expected, current: expected.recharge + expected.gift - expected.unbilled });
          expect({ recharge: fromPostings.recharge, gift: fromPostings.gift, unbilled: fromPostings.unbilled }).toEqual(expected);
          expect(Math.min(b.recharge, b.gift, b.unbilled)).toBeGreaterThanOrEqual(0);
        }
        expect(await checkLedger(db.pool)).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
