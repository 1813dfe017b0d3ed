/**
 * Gifts kept as lots and wallet statements, against a real PostgreSQL: usage spends gift before recharge and the
 * gift that expires first first; an expired gift's remainder leaves the balance as its own movement, once, and
 * never counts as money received; a statement lists every movement with its running balance and sums to the
 * wallet's balance; the checks catch a statement or a lot that does not add up.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import { checkLedger, creditTopup, expireGift, getBalances, grantGift, recordUsage } from '../../db/ledger/ledger';
import { checkGiftLots } from '../../db/ledger/gift-lots-checker';
import { checkStatements, statementPage, streamStatement, type StatementLine } from '../../db/ledger/statement';
import { migrate } from '../../db/migrate';
import type { Wallet } from '../../workflows/shared/policy';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount } from '../helpers/fixtures';

let db: TestDatabase;
let nextOrder = 1_261_201_100_000;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  expect(await checkInvariants(db.pool)).toEqual([]);
  await db.drop();
});

/** The ledger's checks and the statements' (the order checks of invariants.ts need orders, which these movements have none of). */
async function checkInvariants(pool: TestDatabase['pool']): Promise<string[]> {
  return [...(await checkLedger(pool)), ...(await checkStatements(pool)), ...(await checkGiftLots(pool))];
}

const orderNumber = () => String((nextOrder += 1));
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

async function wallet(accountId: string, w: Wallet = 'credit') {
  return (await getBalances(db.pool, accountId)).find((b) => b.wallet === w)!;
}

async function lines(accountId: string, w: Wallet = 'credit'): Promise<Pick<StatementLine, 'kind' | 'change' | 'balanceAfter' | 'settled'>[]> {
  const page = await statementPage(db.pool, { accountId, wallet: w, timeZone: 'Asia/Jakarta' }, 1, 100);
  return page.lines.map(({ kind, change, balanceAfter, settled }) => ({ kind, change, balanceAfter, settled }));
}

test('When usage meets two gifts and a recharge, then it spends the gift that expires first, then the other, then recharge', async () => {
  const { accountId } = await createTestAccount(db.pool);
  await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 100_000 });
  const late = await grantGift(db.pool, { accountId, wallet: 'credit', amount: 20_000, idempotencyKey: `gift:${accountId}:late`, memo: 'loyalty', expiresAt: inDays(60) });
  const soon = await grantGift(db.pool, { accountId, wallet: 'credit', amount: 10_000, idempotencyKey: `gift:${accountId}:soon`, memo: 'welcome', expiresAt: inDays(30) });
  expect(await wallet(accountId)).toMatchObject({ recharge: 100_000, gift: 30_000, current: 130_000 });

  const charge = await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 15_000, idempotencyKey: `usage:${accountId}:1`, allowNegative: true, service: 'ocr' });
  expect(charge).toMatchObject({ fromGift: 15_000, fromRecharge: 0, toUnbilled: 0 });
  const remaining = await db.pool.query<{ entry: string; remaining: number }>('SELECT entry_id::text AS entry, remaining FROM gift_lots WHERE account_id = $1 ORDER BY entry_id', [accountId]);
  expect(remaining.rows).toEqual([
    { entry: late.entryId, remaining: 15_000 },
    { entry: soon.entryId, remaining: 0 },
  ]);

  // The soon one is spent: its expiry takes nothing away (and says so); the late one's takes its 15,000.
  expect(await expireGift(db.pool, soon.entryId)).toEqual({ entryId: null, expired: 0, balanceAfter: null });
  const expired = await expireGift(db.pool, late.entryId);
  expect(expired).toMatchObject({ expired: 15_000, balanceAfter: { recharge: 100_000, gift: 0, unbilled: 0, current: 100_000 } });
  // A retried expiry answers the same and takes nothing more.
  expect(await expireGift(db.pool, late.entryId)).toEqual(expired);
  expect(await wallet(accountId)).toMatchObject({ recharge: 100_000, gift: 0, current: 100_000 });

  expect(await lines(accountId)).toEqual([
    { kind: 'topup', change: 100_000, balanceAfter: 100_000, settled: 0 },
    { kind: 'gift', change: 20_000, balanceAfter: 120_000, settled: 0 },
    { kind: 'gift', change: 10_000, balanceAfter: 130_000, settled: 0 },
    { kind: 'usage', change: -15_000, balanceAfter: 115_000, settled: 0 },
    { kind: 'gift_expiry', change: -15_000, balanceAfter: 100_000, settled: 0 },
  ]);
  expect(await checkInvariants(db.pool)).toEqual([]);
});

test('When a gift is past its expiry before its workflow ran, then the next movement takes its remainder away first and never spends it', async () => {
  const { accountId } = await createTestAccount(db.pool);
  const gift = await grantGift(db.pool, { accountId, wallet: 'whatsapp', amount: 50_000, idempotencyKey: `gift:${accountId}:1`, memo: 'trial', expiresAt: inDays(1) });
  // Its expiry passes (the clock moves on while the worker is away).
  await db.pool.query(`UPDATE gift_lots SET expires_at = now() - interval '1 minute' WHERE entry_id = $1`, [gift.entryId]);

  // whatsapp may not go negative: with the gift gone there is nothing to charge.
  await expect(recordUsage(db.pool, { accountId, wallet: 'whatsapp', amount: 1_000, idempotencyKey: `usage:${accountId}:1`, allowNegative: false })).rejects.toThrow(/balance of 0/);
  // The refusal rolled back everything, the expiry with it; a top-up expires the gift and then credits.
  expect(await wallet(accountId, 'whatsapp')).toMatchObject({ gift: 50_000 });
  await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'whatsapp', amount: 1_000_000 });
  expect(await lines(accountId, 'whatsapp')).toEqual([
    { kind: 'gift', change: 50_000, balanceAfter: 50_000, settled: 0 },
    { kind: 'gift_expiry', change: -50_000, balanceAfter: 0, settled: 0 },
    { kind: 'topup', change: 1_000_000, balanceAfter: 1_000_000, settled: 0 },
  ]);
  // The workflow's own expiry, later, finds it done.
  expect(await expireGift(db.pool, gift.entryId)).toMatchObject({ expired: 50_000, balanceAfter: { gift: 0 } });
  expect(await lines(accountId, 'whatsapp')).toHaveLength(3);
  expect(await checkInvariants(db.pool)).toEqual([]);
});

test('When a gift expires, then no money is received: cash is untouched and the gift expense is given back', async () => {
  const { accountId } = await createTestAccount(db.pool);
  // 5,000 of usage outstanding: a gift does not settle it, and its expiry does not either.
  await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 5_000, idempotencyKey: `usage:${accountId}:owed`, allowNegative: true });
  const gift = await grantGift(db.pool, { accountId, wallet: 'credit', amount: 8_000, idempotencyKey: `gift:${accountId}:1`, expiresAt: inDays(5) });
  await expireGift(db.pool, gift.entryId);
  const sums = await db.pool.query<{ account: string; total: number }>(
    `SELECT p.ledger_account AS account, sum(p.amount)::bigint AS total FROM postings p JOIN journal_entries e ON e.id = p.entry_id
      WHERE e.account_id = $1 GROUP BY p.ledger_account ORDER BY 1`,
    [accountId],
  );
  expect(sums.rows).toEqual([
    { account: 'expense:gift', total: 0 },
    { account: 'revenue:usage', total: 5_000 },
    { account: 'wallet:gift', total: 0 },
    { account: 'wallet:unbilled', total: -5_000 },
  ]);
  expect(await wallet(accountId)).toMatchObject({ recharge: 0, gift: 0, unbilled: 5_000, current: -5_000 });
});

test('When a statement is filtered by kind and date and paged, then each line keeps the wallet running balance and the range its opening and closing balances', async () => {
  const { accountId } = await createTestAccount(db.pool);
  // Outstanding 5,000 first: the top-up's line says how much of it settled.
  await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 5_000, idempotencyKey: `usage:${accountId}:0`, allowNegative: true });
  await creditTopup(db.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 1_000_000 });
  for (let i = 1; i <= 30; i++) await recordUsage(db.pool, { accountId, wallet: 'credit', amount: 1_000, idempotencyKey: `usage:${accountId}:${i}`, allowNegative: true, service: i % 2 ? 'ocr' : 'liveness' });
  // The first two entries happened the day before.
  await db.pool.query(`UPDATE journal_entries SET created_at = created_at - interval '1 day' WHERE account_id = $1 AND id IN (SELECT id FROM journal_entries WHERE account_id = $1 ORDER BY id LIMIT 2)`, [accountId]);

  const all = await statementPage(db.pool, { accountId, wallet: 'credit', timeZone: 'Asia/Jakarta' }, 1, 20);
  expect(all.total).toBe(32);
  expect(all.lines[1]).toMatchObject({ kind: 'topup', change: 1_000_000, settled: 5_000, balanceAfter: 995_000 });
  expect(all).toMatchObject({ openingBalance: 0, closingBalance: 965_000 });

  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Jakarta' }).format(new Date());
  const second = await statementPage(db.pool, { accountId, wallet: 'credit', timeZone: 'Asia/Jakarta', from: today, to: today, kinds: ['usage'] }, 2, 20);
  expect(second.total).toBe(30);
  expect(second.lines).toHaveLength(10);
  expect(second.lines.map((l) => l.balanceAfter)).toEqual(Array.from({ length: 10 }, (_, i) => 974_000 - i * 1_000));
  expect(second).toMatchObject({ openingBalance: 995_000, closingBalance: 965_000 });
  expect(second.lines[0]).toMatchObject({ service: 'ocr' });

  const topups = await statementPage(db.pool, { accountId, wallet: 'credit', timeZone: 'Asia/Jakarta', kinds: ['topup'] }, 1, 20);
  expect(topups.lines.map((l) => l.kind)).toEqual(['topup']);

  // The stream gives the same lines as the pages, in order, and releases its connection.
  const streamed: StatementLine[] = [];
  for await (const line of await streamStatement(db.pool, { accountId, wallet: 'credit', timeZone: 'Asia/Jakarta' }, 7)) streamed.push(line as StatementLine);
  expect(streamed.map((l) => l.entryId)).toEqual([...all.lines, ...(await statementPage(db.pool, { accountId, wallet: 'credit', timeZone: 'Asia/Jakarta' }, 2, 20)).lines].map((l) => l.entryId));
  expect(db.pool.idleCount + db.pool.waitingCount).toBeGreaterThan(0);
});

test('When an entry records a balance its movement does not give, or a gift lot loses track, then the checks name it', async () => {
  const check = await createTestDatabase();
  try {
    const { accountId } = await createTestAccount(check.pool);
    await creditTopup(check.pool, { orderNumber: orderNumber(), accountId, wallet: 'credit', amount: 10_000 });
    await recordUsage(check.pool, { accountId, wallet: 'credit', amount: 1_000, idempotencyKey: `usage:${accountId}:1`, allowNegative: true });
    await grantGift(check.pool, { accountId, wallet: 'credit', amount: 500, idempotencyKey: `gift:${accountId}:1` });
    expect(await checkInvariants(check.pool)).toEqual([]);

    await check.pool.query(`UPDATE journal_entries SET recharge_after = recharge_after + 7 WHERE idempotency_key = $1`, [`usage:${accountId}:1`]);
    expect(await checkStatements(check.pool)).toEqual([expect.stringMatching(new RegExp(`^the statement of wallet ${accountId}/credit has 2 line\\(s\\) whose running balance`))]);
    await check.pool.query(`UPDATE journal_entries SET recharge_after = recharge_after - 7 WHERE idempotency_key = $1`, [`usage:${accountId}:1`]);

    await check.pool.query(`UPDATE gift_lots SET remaining = remaining - 100 WHERE account_id = $1`, [accountId]);
    expect(await checkGiftLots(check.pool)).toEqual([
      `wallet ${accountId}/credit holds gift 500 but its gift lots hold 400`,
      expect.stringMatching(/^gift \d+ holds 400, but its grant of 500 less 0 spent, 0 expired and 0 spent before lots gives 500$/),
    ]);
  } finally {
    await check.drop();
  }
});

test('When gifts were granted and partly spent before lots were kept, then migration 050 gives each a lot holding what the wallet still has', async () => {
  const old = await createTestDatabase({ empty: true });
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-before-050-'));
    const migrations = path.join(projectRoot(), 'db', 'migrations');
    for (const file of fs.readdirSync(migrations).filter((f) => f < '050')) fs.copyFileSync(path.join(migrations, file), path.join(dir, file));
    await migrate(old.pool, dir);
    await old.pool.query(`INSERT INTO accounts (id, company_name) VALUES ('acc_old', 'PT Lama')`);
    const post = (kind: string, key: string, amount: number) =>
      old.pool.query('SELECT * FROM ledger_post($1, $2, $3, $4, $5, NULL, $6, NULL)', [kind, key, 'acc_old', 'credit', amount, kind === 'usage' ? true : null]);
    await post('gift', 'g1', 3_000);
    await post('gift', 'g2', 4_000);
    await post('usage', 'u1', 5_000);

    await migrate(old.pool);
    const lots = await old.pool.query('SELECT amount, remaining, spent_before_lots, expires_at FROM gift_lots ORDER BY entry_id');
    expect(lots.rows).toEqual([
      { amount: 3_000, remaining: 0, spent_before_lots: 3_000, expires_at: null },
      { amount: 4_000, remaining: 2_000, spent_before_lots: 2_000, expires_at: null },
    ]);
    expect(await checkInvariants(old.pool)).toEqual([]);
    // Usage after the migration spends the lot that is left.
    await recordUsage(old.pool, { accountId: 'acc_old', wallet: 'credit', amount: 500, idempotencyKey: 'u2', allowNegative: true });
    expect((await old.pool.query('SELECT remaining FROM gift_lots ORDER BY entry_id')).rows).toEqual([{ remaining: 0 }, { remaining: 1_500 }]);
    expect(await checkInvariants(old.pool)).toEqual([]);
  } finally {
    await old.drop();
  }
});
