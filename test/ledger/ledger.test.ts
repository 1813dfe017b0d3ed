/**
 * The double-entry ledger against a real PostgreSQL: the wallet rules of DOMAIN.md, idempotency by key,
 * concurrency on one wallet, and the invariant checker.
 */
import {
  checkLedger,
  creditTopup,
  getBalances,
  grantGift,
  IdempotencyConflictError,
  InsufficientBalanceError,
  InvalidLedgerInputError,
  recordUsage,
  type WalletBalance,
} from '../../db/ledger/ledger';
import type { Wallet } from '../../workflows/shared/policy';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount } from '../helpers/fixtures';

let db: TestDatabase;
let nextOrder = 1_261_122_100_000;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  expect(await checkLedger(db.pool)).toEqual([]);
  await db.drop();
});

function orderNumber(): string {
  nextOrder += 1;
  return String(nextOrder);
}

async function newAccount(): Promise<string> {
  return (await createTestAccount(db.pool)).accountId;
}

async function balance(accountId: string, wallet: Wallet): Promise<WalletBalance> {
  const found = (await getBalances(db.pool, accountId)).find((b) => b.wallet === wallet);
  if (!found) throw new Error(`no ${wallet} balance`);
  return found;
}

async function rowCounts(): Promise<{ entries: number; postings: number }> {
  const res = await db.pool.query<{ entries: number; postings: number }>(
    'SELECT (SELECT count(*)::int FROM journal_entries) AS entries, (SELECT count(*)::int FROM postings) AS postings',
  );
  return res.rows[0]!;
}

/** A `credit` wallet with `unbilled` outstanding, made the way production makes it: usage with nothing to spend. */
async function accountWithOutstanding(unbilled: number): Promise<string> {
  const accountId = await newAccount();
  await recordUsage(db.pool, { accountId, wallet: 'credit', amount: unbilled, idempotencyKey: `usage:${accountId}:seed`, allowNegative: true });
  return accountId;
}

describe('top-up', () => {
  test('When a wallet has 5,000 outstanding and 1,000,000 is paid, then 5,000 settles, 995,000 is added and the balance is 995,000', async () => {
    const accountId = await accountWithOutstanding(5_000);
    expect((await balance(accountId, 'credit')).current).toBe(-5_000);

    const result = await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 1_000_000 });

    expect(result).toMatchObject({ settled: 5_000, added: 995_000 });
    expect(result.balanceAfter).toEqual({ accountId, wallet: 'credit', recharge: 995_000, gift: 0, unbilled: 0, current: 995_000 });
    expect(await balance(accountId, 'credit')).toEqual(result.balanceAfter);
  });

  test('When nothing is outstanding, then the whole top-up is added to recharge', async () => {
    const accountId = await newAccount();
    const result = await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'whatsapp', amount: 1_000_000 });
    expect(result).toMatchObject({ settled: 0, added: 1_000_000 });
    expect(result.balanceAfter).toMatchObject({ recharge: 1_000_000, unbilled: 0, current: 1_000_000 });
  });

  test('When the top-up is smaller than the outstanding amount, then it all settles and the rest stays unbilled', async () => {
    const accountId = await accountWithOutstanding(50_000);
    const result = await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 20_000 });
    expect(result).toMatchObject({ settled: 20_000, added: 0 });
    expect(result.balanceAfter).toMatchObject({ recharge: 0, gift: 0, unbilled: 30_000, current: -30_000 });
  });

  test('When the same order is credited twice, then it is credited once and both calls answer identically', async () => {
    const accountId = await accountWithOutstanding(5_000);
    const input = { orderNumber: orderNumber(), accountId, wallet: 'credit' as const, amount: 1_000_000 };
    const before = await rowCounts();

    const first = await creditTopup(db.pool, input);
    // Usage in between must not change what the retried top-up answers.
    await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 1_000, idempotencyKey: `usage:${accountId}:between`, allowNegative: true });
    const second = await creditTopup(db.pool, input);

    expect(second).toEqual(first);
    expect(await rowCounts()).toEqual({ entries: before.entries + 2, postings: before.postings + 3 + 2 });
    expect((await balance(accountId, 'credit')).current).toBe(994_000);
  });

  test('When the same order number is credited again with another amount, then IdempotencyConflictError is raised and nothing changes', async () => {
    const accountId = await newAccount();
    const number = orderNumber();
    await creditTopup(db.pool, { orderNumber: number, accountId, wallet: 'credit', amount: 100_000 });

    const retry = creditTopup(db.pool, { orderNumber: number, accountId, wallet: 'credit', amount: 200_000 });

    await expect(retry).rejects.toThrow(IdempotencyConflictError);
    await expect(retry).rejects.toThrow(`idempotency key "topup:${number}:paid" already recorded topup of 100000 on ${accountId}/credit`);
    expect((await balance(accountId, 'credit')).recharge).toBe(100_000);
  });

  test('When a usage key is reused on another wallet, then IdempotencyConflictError is raised', async () => {
    const accountId = await newAccount();
    const key = `usage:${accountId}:reused`;
    await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 10, idempotencyKey: key, allowNegative: true });
    await expect(recordUsage(db.pool, { accountId, wallet: 'whatsapp', amount: 10, idempotencyKey: key, allowNegative: true })).rejects.toMatchObject({
      type: 'IdempotencyConflictError',
      nonRetryable: true,
    });
  });
});

describe('usage', () => {
  test('When usage exceeds gift and recharge on a wallet that may go negative, then it spends gift, then recharge, then leaves the rest unbilled', async () => {
    const accountId = await newAccount();
    await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 30_000 });
    await grantGift(db.pool, { accountId, wallet: 'credit', amount: 10_000, idempotencyKey: `gift:${accountId}:welcome`, memo: 'welcome credit' });

    const small = await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 4_000, idempotencyKey: `usage:${accountId}:1`, allowNegative: true });
    expect(small).toMatchObject({ fromGift: 4_000, fromRecharge: 0, toUnbilled: 0 });

    const large = await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 50_000, idempotencyKey: `usage:${accountId}:2`, allowNegative: true });
    expect(large).toMatchObject({ fromGift: 6_000, fromRecharge: 30_000, toUnbilled: 14_000 });
    expect(large.balanceAfter).toEqual({ accountId, wallet: 'credit', recharge: 0, gift: 0, unbilled: 14_000, current: -14_000 });
  });

  test('When usage exceeds the balance of a wallet that may not go negative, then InsufficientBalanceError names the wallet, balance and amount, and nothing changes', async () => {
    const accountId = await newAccount();
    await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'whatsapp', amount: 1_000_000 });
    const balancesBefore = await getBalances(db.pool, accountId);
    const countsBefore = await rowCounts();

    const charge = recordUsage(db.pool, { accountId, wallet: 'whatsapp', amount: 1_000_001, idempotencyKey: `usage:${accountId}:too-much`, allowNegative: false });

    await expect(charge).rejects.toThrow(InsufficientBalanceError);
    await expect(charge).rejects.toThrow(`the whatsapp wallet of account ${accountId} has a balance of 1000000, less than the charge of 1000001`);
    expect(await getBalances(db.pool, accountId)).toEqual(balancesBefore);
    expect(await rowCounts()).toEqual(countsBefore);
    // The refused key was not consumed: the same charge succeeds once it is covered.
    await grantGift(db.pool, { accountId, wallet: 'whatsapp', amount: 1, idempotencyKey: `gift:${accountId}:1` });
    await expect(
      recordUsage(db.pool, { accountId, wallet: 'whatsapp', amount: 1_000_001, idempotencyKey: `usage:${accountId}:too-much`, allowNegative: false }),
    ).resolves.toMatchObject({ fromGift: 1, fromRecharge: 1_000_000, toUnbilled: 0 });
  });

  test('When a gift is granted while usage is unbilled, then it adds to gift and leaves the unbilled usage outstanding', async () => {
    const accountId = await accountWithOutstanding(5_000);
    const result = await grantGift(db.pool, { accountId, wallet: 'credit', amount: 20_000, idempotencyKey: `gift:${accountId}:1` });
    expect(result.balanceAfter).toMatchObject({ recharge: 0, gift: 20_000, unbilled: 5_000, current: 15_000 });
  });
});

describe('input rules', () => {
  test.each([
    ['amount', { amount: 0 }, 'amount: must be a positive safe integer'],
    ['amount', { amount: 10.5 }, 'amount: must be a positive safe integer'],
    ['amount', { amount: 2 ** 53 }, 'amount: must be a positive safe integer'],
    ['wallet', { wallet: 'points' }, 'wallet: must be one of credit, whatsapp, muv, deposit'],
    ['idempotencyKey', { idempotencyKey: '' }, 'idempotencyKey: must be 1 to 200 characters'],
    ['accountId', { accountId: 'acc_missing' }, 'accountId: no account "acc_missing"'],
  ])('When %s breaks its rule (%j), then InvalidLedgerInputError names the field and the rule', async (_field, override, message) => {
    const accountId = await newAccount();
    const input = { accountId, wallet: 'credit' as Wallet, amount: 100, idempotencyKey: `usage:${accountId}:bad`, allowNegative: true, ...override };
    const charge = recordUsage(db.pool, input as Parameters<typeof recordUsage>[1]);
    await expect(charge).rejects.toThrow(InvalidLedgerInputError);
    await expect(charge).rejects.toThrow(message);
  });

  test('When a top-up names an order number that is not 13 digits, then it is refused naming orderNumber', async () => {
    const accountId = await newAccount();
    await expect(creditTopup(db.pool, { orderNumber: '42', accountId, wallet: 'credit', amount: 100 })).rejects.toThrow('orderNumber: must be a 13-digit order number');
  });

  test('When a top-up would take the balance past 2^53 − 1, then it is refused naming amount and nothing changes', async () => {
    const accountId = await newAccount();
    await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 9_000_000_000_000_000 });
    const before = await rowCounts();
    const tooMuch = creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 9_000_000_000_000_000 });
    await expect(tooMuch).rejects.toThrow(InvalidLedgerInputError);
    await expect(tooMuch).rejects.toThrow('amount: would take the wallet balance beyond the safe integer range');
    expect(await rowCounts()).toEqual(before);
    expect((await balance(accountId, 'credit')).current).toBe(9_000_000_000_000_000);
  });
});

describe('concurrency and invariants', () => {
  test('When 200 usage charges and top-ups hit one wallet at once, then the balance is their arithmetic sum and the ledger checks clean', async () => {
    const accountId = await newAccount();
    const operations = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0
        ? creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 10_000 + i })
        : recordUsage(db.pool, { accountId, wallet: 'credit', amount: 7_000 + i, idempotencyKey: `usage:${accountId}:${i}`, allowNegative: true }),
    );
    // Each call retried at once, racing its first attempt: still one posting per key.
    const retries = Array.from({ length: 20 }, (_, i) =>
      recordUsage(db.pool, { accountId, wallet: 'credit', amount: 7_000 + 2 * i + 1, idempotencyKey: `usage:${accountId}:${2 * i + 1}`, allowNegative: true }),
    );
    await Promise.all([...operations, ...retries]);

    const expected = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 10_000 + i : -(7_000 + i))).reduce((a, b) => a + b, 0);
    const after = await balance(accountId, 'credit');
    expect(after.current).toBe(expected);
    expect(after.recharge + after.gift - after.unbilled).toBe(expected);
    const entries = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entries WHERE account_id = $1', [accountId]);
    expect(entries.rows[0]?.n).toBe(200);
    expect(await checkLedger(db.pool)).toEqual([]);
  });

  test('When a wallet row is changed behind the ledger, then checkLedger names the wallet and the part', async () => {
    const accountId = await newAccount();
    await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'deposit', amount: 100_000 });
    await db.pool.query(`UPDATE wallets SET recharge = recharge + 1 WHERE account_id = $1 AND wallet = 'deposit'`, [accountId]);

    expect(await checkLedger(db.pool)).toEqual([`wallet ${accountId}/deposit: recharge is 100001 in wallets but its postings sum to 100000`]);

    await db.pool.query(`UPDATE wallets SET recharge = recharge - 1 WHERE account_id = $1 AND wallet = 'deposit'`, [accountId]);
    expect(await checkLedger(db.pool)).toEqual([]);
  });

  test('When a balanced entry breaks the spending order, then checkLedger names the entry and what the rules give', async () => {
    const accountId = await newAccount();
    await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 1_000 });
    await grantGift(db.pool, { accountId, wallet: 'credit', amount: 500, idempotencyKey: `gift:${accountId}:1` });
    const client = await db.pool.connect();
    try {
      // Forged, never committed: usage of 300 from recharge although gift was there to spend first; balanced and
      // consistent with the wallet row, so only the replay of the rules can tell.
      await client.query('BEGIN');
      const entry = await client.query<{ id: number }>(
        `INSERT INTO journal_entries (idempotency_key, kind, account_id, wallet, amount, allow_negative, recharge_after, gift_after, unbilled_after)
         VALUES ($1, 'usage', $2, 'credit', 300, false, 700, 500, 0) RETURNING id`,
        [`usage:${accountId}:forged`, accountId],
      );
      await client.query(
        `INSERT INTO postings (entry_id, ledger_account, account_id, wallet, amount)
         VALUES ($1, 'wallet:recharge', $2, 'credit', -300), ($1, 'revenue:usage', NULL, 'credit', 300)`,
        [entry.rows[0]!.id, accountId],
      );
      await client.query(`UPDATE wallets SET recharge = 700 WHERE account_id = $1 AND wallet = 'credit'`, [accountId]);

      expect(await checkLedger(client)).toEqual([
        `journal entry ${entry.rows[0]!.id} (usage:${accountId}:forged) posts {"revenue:usage":300,"wallet:recharge":-300}` +
          ` but the rules give {"wallet:gift":-300,"revenue:usage":300} after recharge 1000 / gift 500 / unbilled 0`,
      ]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  test('When a transaction tries to commit an unbalanced entry, then the commit fails and nothing is stored', async () => {
    const accountId = await newAccount();
    await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'muv', amount: 3 });
    const countsBefore = await rowCounts();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      const entry = await client.query<{ id: number }>(
        `INSERT INTO journal_entries (idempotency_key, kind, account_id, wallet, amount, recharge_after, gift_after, unbilled_after)
         VALUES ($1, 'gift', $2, 'muv', 5, 3, 5, 0) RETURNING id`,
        [`gift:${accountId}:forged`, accountId],
      );
      await client.query(`INSERT INTO postings (entry_id, ledger_account, account_id, wallet, amount) VALUES ($1, 'wallet:gift', $2, 'muv', 5)`, [
        entry.rows[0]!.id,
        accountId,
      ]);
      await client.query(`UPDATE wallets SET gift = 5 WHERE account_id = $1 AND wallet = 'muv'`, [accountId]);
      // Before commit the checker sees it too (the trigger is deferred to commit).
      expect(await checkLedger(client)).toEqual([
        `journal entry ${entry.rows[0]!.id} (gift:${accountId}:forged) is unbalanced: 1 postings summing to 5`,
        `journal entry ${entry.rows[0]!.id} (gift:${accountId}:forged) posts {"wallet:gift":5} but the rules give {"expense:gift":-5,"wallet:gift":5} after recharge 3 / gift 0 / unbilled 0`,
      ]);
      await expect(client.query('COMMIT')).rejects.toThrow(/journal entry \d+ is unbalanced: 1 postings summing to 5/);
    } finally {
      client.release();
    }
    expect(await rowCounts()).toEqual(countsBefore);
  });

  test('When someone edits a posting, then it is refused: postings are append-only', async () => {
    await expect(db.pool.query('UPDATE postings SET amount = amount + 1')).rejects.toThrow('postings are append-only (UPDATE refused)');
  });
});
