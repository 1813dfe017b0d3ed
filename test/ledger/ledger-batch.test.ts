/**
 * The batched ledger (ledger_post_batch, db/ledger/ledger-batch.ts) against a real PostgreSQL: random batches with
 * repeated keys, reused keys, refusals and unknown accounts mixed in give the same answers and the same balances as
 * the single-movement function called for each movement in turn; a refusal never aborts the rest of its batch;
 * concurrent batches over the same wallets in opposite orders never deadlock; checkLedger stays clean.
 */
import fc from 'fast-check';
import { applyMovement, checkLedger, getBalances, type MovementAnswer, type MovementRequest } from '../../db/ledger/ledger';
import { applyMovements } from '../../db/ledger/ledger-batch';
import { MovementBatcher } from '../../db/ledger/movement-batcher';
import type { Wallet } from '../../workflows/shared/policy';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount } from '../helpers/fixtures';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

// `credit` may go negative, `whatsapp` may not (so usage there can be refused).
const WALLETS_UNDER_TEST: Wallet[] = ['credit', 'whatsapp'];

/**
 * A movement of the generated program, independent of the run: which of two accounts (or an account that does not
 * exist), the kind, the wallet, the amount, and a key drawn from a small pool so keys repeat (a retry when the rest
 * matches, a conflicting reuse when it does not).
 */
interface Step {
  account: 0 | 1 | 'missing';
  kind: 'topup' | 'usage' | 'gift';
  wallet: Wallet;
  amount: number;
  key: number;
}

const step: fc.Arbitrary<Step> = fc.record({
  account: fc.constantFrom<Step['account']>(0, 0, 0, 1, 1, 'missing'),
  kind: fc.constantFrom<Step['kind']>('topup', 'usage', 'usage', 'gift'),
  wallet: fc.constantFrom(...WALLETS_UNDER_TEST),
  amount: fc.constantFrom(1_000, 5_000, 20_000, 50_000),
  key: fc.integer({ min: 0, max: 9 }),
});

/** A run of the program: its own accounts, keys and order numbers, so two runs never share a key. */
interface Run {
  accounts: [string, string];
  tag: string;
  orderBase: number;
}

let runs = 0;

async function newRun(): Promise<Run> {
  runs += 1;
  const a = await createTestAccount(db.pool);
  const b = await createTestAccount(db.pool);
  return { accounts: [a.accountId, b.accountId], tag: `r${runs}-${a.accountId}`, orderBase: 1_300_000_000_000 + runs * 1_000 };
}

function movementOf(run: Run, s: Step): MovementRequest {
  const accountId = s.account === 'missing' ? `missing-${run.tag}` : run.accounts[s.account];
  if (s.kind === 'topup') return { kind: 'topup', orderNumber: String(run.orderBase + s.key), accountId, wallet: s.wallet, amount: s.amount };
  if (s.kind === 'gift') return { kind: 'gift', accountId, wallet: s.wallet, amount: s.amount, idempotencyKey: `k:${run.tag}:${s.key}` };
  return { kind: 'usage', accountId, wallet: s.wallet, amount: s.amount, idempotencyKey: `k:${run.tag}:${s.key}`, allowNegative: s.wallet === 'credit' };
}

/**
 * An answer with the run's own names taken out: account ids and keys as their roles, the entry id as the index of
 * the movement that applied it, so two runs' answers compare equal when they did the same thing.
 */
function normalized(run: Run, answers: MovementAnswer[]): unknown[] {
  const appliedAt = new Map<string, number>();
  const names = (text: string) =>
    text
      .replaceAll(`missing-${run.tag}`, '<missing>')
      .replaceAll(run.tag, '<run>')
      .replaceAll(run.accounts[0], '<account 0>')
      .replaceAll(run.accounts[1], '<account 1>')
      .replace(/topup:(\d{13})/g, (_m, n: string) => `topup:<order +${Number(n) - run.orderBase}>`);
  return answers.map((a, i) => {
    if (a.status === 'refused') return { status: a.status, reason: a.reason, error: names(a.error.message), type: a.error.type };
    if (a.status === 'applied') appliedAt.set(a.entry.entryId, i);
    const { entryId, accountId, balanceAfter, ...rest } = a.entry;
    return { status: a.status, entry: { ...rest, accountId: names(accountId), balanceAfter: { ...balanceAfter, accountId: names(balanceAfter.accountId) }, appliedBy: appliedAt.get(entryId) ?? `earlier:${entryId}` } };
  });
}

async function balancesOf(run: Run): Promise<unknown[]> {
  const all = await Promise.all(run.accounts.map((id) => getBalances(db.pool, id)));
  return all.flat().map(({ accountId, ...b }) => ({ ...b, account: run.accounts.indexOf(accountId) }));
}

/** Cuts `items` into consecutive batches of the given sizes (the last takes the rest). */
function cut<T>(items: T[], sizes: number[]): T[][] {
  const out: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= items.length) break;
    out.push(items.slice(at, at + size));
    at += size;
  }
  if (at < items.length) out.push(items.slice(at));
  return out;
}

describe('ledger_post_batch', () => {
  test('When random batches (repeated keys, reused keys, refusals, unknown accounts) run, then answers and balances equal the single-movement function run movement by movement', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 10 }), async (steps, sizes) => {
        const single = await newRun();
        const singleAnswers: MovementAnswer[] = [];
        for (const s of steps) singleAnswers.push(await applyMovement(db.pool, movementOf(single, s)));

        const batched = await newRun();
        const batchedAnswers: MovementAnswer[] = [];
        for (const batch of cut(steps, sizes)) batchedAnswers.push(...(await applyMovements(db.pool, batch.map((s) => movementOf(batched, s)))));

        expect(normalized(batched, batchedAnswers)).toEqual(normalized(single, singleAnswers));
        expect(await balancesOf(batched)).toEqual(await balancesOf(single));
      }),
      { numRuns: 60 },
    );
    expect(await checkLedger(db.pool)).toEqual([]);
  });

  test('When one charge of a batch is refused, then the others are applied and the refused one changed nothing (not even a wallet row)', async () => {
    const { accountId } = await createTestAccount(db.pool);
    const answers = await applyMovements(db.pool, [
      { kind: 'usage', accountId, wallet: 'whatsapp', amount: 5_000, idempotencyKey: `refused-${accountId}`, allowNegative: false },
      { kind: 'usage', accountId, wallet: 'credit', amount: 7_000, idempotencyKey: `owed-${accountId}`, allowNegative: true },
      { kind: 'gift', accountId, wallet: 'credit', amount: 2_000, idempotencyKey: `gift-${accountId}` },
    ]);
    expect(answers.map((a) => (a.status === 'refused' ? `${a.status}: ${a.reason}` : a.status))).toEqual(['refused: insufficient_balance', 'applied', 'applied']);
    const refused = answers[0]!;
    if (refused.status !== 'refused') throw new Error('expected a refusal');
    expect(refused.error.message).toBe(`the whatsapp wallet of account ${accountId} has a balance of 0, less than the charge of 5000, and may not go negative`);
    const wallets = await db.pool.query<{ wallet: string }>('SELECT wallet FROM wallets WHERE account_id = $1 ORDER BY wallet', [accountId]);
    expect(wallets.rows.map((r) => r.wallet)).toEqual(['credit']);
    const credit = (await getBalances(db.pool, accountId)).find((b) => b.wallet === 'credit')!;
    expect({ recharge: credit.recharge, gift: credit.gift, unbilled: credit.unbilled, current: credit.current }).toEqual({ recharge: 0, gift: 2_000, unbilled: 7_000, current: -5_000 });
  });

  test('When the same key comes twice in one batch, then the second answers "already applied" with the first entry and charges once', async () => {
    const { accountId } = await createTestAccount(db.pool);
    const charge: MovementRequest = { kind: 'usage', accountId, wallet: 'credit', amount: 3_000, idempotencyKey: `twice-${accountId}`, allowNegative: true };
    const [first, second, conflicting] = await applyMovements(db.pool, [charge, charge, { ...charge, amount: 4_000 }]);
    expect(first!.status).toBe('applied');
    expect(second!.status).toBe('already_applied');
    if (first!.status === 'refused' || second!.status === 'refused') throw new Error('expected entries');
    expect(second!.entry).toEqual(first!.entry);
    expect(conflicting).toMatchObject({ status: 'refused', reason: 'idempotency_conflict' });
    expect((await getBalances(db.pool, accountId)).find((b) => b.wallet === 'credit')!.unbilled).toBe(3_000);
  });

  test('When many batches lock the same wallets in opposite orders at once, then none deadlocks and every movement is applied once', async () => {
    const accounts = await Promise.all(Array.from({ length: 4 }, () => createTestAccount(db.pool)));
    const ids = accounts.map((a) => a.accountId);
    const batches = Array.from({ length: 24 }, (_, b) => {
      const order = b % 2 === 0 ? ids : [...ids].reverse();
      return order.flatMap((accountId, k) =>
        WALLETS_UNDER_TEST.map((wallet) => ({ kind: 'gift' as const, accountId, wallet, amount: 100, idempotencyKey: `deadlock-${b}-${k}-${wallet}-${accountId}` })),
      );
    });
    const answers = (await Promise.all(batches.map((batch) => applyMovements(db.pool, batch)))).flat();
    expect(answers.every((a) => a.status === 'applied')).toBe(true);
    for (const accountId of ids) {
      for (const b of (await getBalances(db.pool, accountId)).filter((w) => WALLETS_UNDER_TEST.includes(w.wallet))) expect(b.gift).toBe(24 * 100);
    }
    expect(await checkLedger(db.pool)).toEqual([]);
  });

  test('When a movement breaks an input rule, then it alone is refused naming the field and the rule', async () => {
    const { accountId } = await createTestAccount(db.pool);
    const answers = await applyMovements(db.pool, [
      { kind: 'gift', accountId, wallet: 'credit', amount: 1.5, idempotencyKey: `frac-${accountId}` },
      { kind: 'gift', accountId, wallet: 'credit', amount: 100, idempotencyKey: `ok-${accountId}` },
    ]);
    expect(answers[0]).toMatchObject({ status: 'refused', reason: 'invalid_input' });
    expect(answers[0]!.status === 'refused' && answers[0]!.error.message).toBe('amount: must be a positive safe integer (minor units, no fractions)');
    expect(answers[1]!.status).toBe('applied');
  });

  test('When a batch fails as a whole (a top-up past 2^53 − 1 in it), then the batcher applies its movements one by one and each caller gets its own answer', async () => {
    const { accountId } = await createTestAccount(db.pool);
    expect((await applyMovement(db.pool, { kind: 'topup', orderNumber: '1399999999998', accountId, wallet: 'credit', amount: 10 })).status).toBe('applied');
    const failures: number[] = [];
    const batcher = new MovementBatcher(db.pool, { windowMs: 20, maxBatch: 50, onBatchFailed: (_err, size) => failures.push(size) });
    const answers = await Promise.all([
      batcher.submit({ kind: 'gift', accountId, wallet: 'credit', amount: 100, idempotencyKey: `before-${accountId}` }),
      batcher.submit({ kind: 'topup', orderNumber: '1399999999999', accountId, wallet: 'credit', amount: Number.MAX_SAFE_INTEGER }),
      batcher.submit({ kind: 'gift', accountId, wallet: 'credit', amount: 200, idempotencyKey: `after-${accountId}` }),
    ]);
    expect(failures).toEqual([3]);
    expect(answers.map((a) => (a.status === 'refused' ? `${a.status}: ${a.reason}` : a.status))).toEqual(['applied', 'refused: out_of_range', 'applied']);
    expect((await getBalances(db.pool, accountId)).find((b) => b.wallet === 'credit')).toMatchObject({ gift: 300, recharge: 10 });
  });
});
