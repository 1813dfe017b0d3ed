/**
 * The double-entry ledger: top-ups, usage charges and gifts as balanced journal entries in PostgreSQL, with the
 * `wallets` row of each (account, wallet) kept equal to its postings in the same transaction.
 *
 * Each movement is one transaction on one wallet: create-if-missing and lock the wallet row (the only lock
 * taken, so concurrent movements queue instead of losing updates or deadlocking), claim the idempotency key with
 * `INSERT … ON CONFLICT DO NOTHING`, then post and update the wallet. A key already claimed answers with the
 * stored entry, exactly as the first call answered. Sign convention: see ledger-rules.ts.
 */
import type { Pool, PoolClient } from 'pg';
import { WALLETS, type Wallet } from '../workflows/policy';
import { checkLedger } from './ledger-checker';
import { IdempotencyConflictError, InsufficientBalanceError, InvalidLedgerInputError } from './ledger-errors';
import { currentBalance, planGift, planTopup, planUsage, type Movement, type WalletParts } from './ledger-rules';

export { checkLedger } from './ledger-checker';
export { IdempotencyConflictError, InsufficientBalanceError, InvalidLedgerInputError } from './ledger-errors';

/** One wallet's balance: its three parts and current = recharge + gift − unbilled. */
export interface WalletBalance {
  accountId: string;
  wallet: Wallet;
  recharge: number;
  gift: number;
  unbilled: number;
  current: number;
}

/** What a paid top-up did: how much settled unbilled usage, how much was added to recharge. */
export interface TopupCreditResult {
  entryId: string;
  settled: number;
  added: number;
  balanceAfter: WalletBalance;
}

/** What a usage charge took from gift and recharge, and how much it left unbilled. */
export interface UsageResult {
  entryId: string;
  fromGift: number;
  fromRecharge: number;
  toUnbilled: number;
  balanceAfter: WalletBalance;
}

/** A recorded gift grant. */
export interface GiftResult {
  entryId: string;
  balanceAfter: WalletBalance;
}

/** A paid top-up order to credit; the amount is in the wallet's unit. */
export interface CreditTopupInput {
  orderNumber: string;
  accountId: string;
  wallet: Wallet;
  amount: number;
  /** A line of a several-wallet order: the key then names the wallet too. */
  perWalletKey?: boolean;
}

/** A usage charge; the caller's key makes a retried charge a no-op. */
export interface RecordUsageInput {
  accountId: string;
  wallet: Wallet;
  amount: number;
  idempotencyKey: string;
  /** Whether an uncovered charge may go to unbilled (true for `credit`). */
  allowNegative: boolean;
  memo?: string;
}

/** Credit granted for free. */
export interface GrantGiftInput {
  accountId: string;
  wallet: Wallet;
  amount: number;
  idempotencyKey: string;
  memo?: string;
}

/**
 * The idempotency key of a paid top-up: `topup:<orderNumber>:paid` for a one-wallet order, and
 * `topup:<orderNumber>:<wallet>:paid` for each line of an online order that tops up several wallets.
 */
export function topupKey(orderNumber: string, lineWallet?: Wallet): string {
  return lineWallet ? `topup:${orderNumber}:${lineWallet}:paid` : `topup:${orderNumber}:paid`;
}

/** Credits a paid top-up (key `topup:<orderNumber>:paid`): settles unbilled usage first, adds the rest to recharge. */
export async function creditTopup(pool: Pool, input: CreditTopupInput): Promise<TopupCreditResult> {
  checkWalletInput(input);
  if (typeof input.orderNumber !== 'string' || !/^[0-9]{13}$/.test(input.orderNumber)) {
    throw new InvalidLedgerInputError('orderNumber', 'must be a 13-digit order number');
  }
  const entry = await post(pool, { ...input, kind: 'topup', key: topupKey(input.orderNumber, input.perWalletKey ? input.wallet : undefined), allowNegative: null, memo: null }, (before) =>
    planTopup(before, input.amount),
  );
  await rememberLastTopup(pool, input, entry.entryId);
  return { entryId: entry.entryId, settled: 0 - entry.delta.unbilled, added: entry.delta.recharge, balanceAfter: entry.balanceAfter };
}

/**
 * The last paid top-up of a wallet is the reference of its low-balance notice (seed 001: below 40 %). A newer
 * entry replaces an older one and re-arms the notice; a retried credit (same entry) changes nothing.
 */
async function rememberLastTopup(pool: Pool, input: CreditTopupInput, entryId: string): Promise<void> {
  await pool.query(
    `INSERT INTO wallet_alerts (account_id, wallet, reference, reference_entry_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account_id, wallet) DO UPDATE SET reference = EXCLUDED.reference, reference_entry_id = EXCLUDED.reference_entry_id,
       notified_for = NULL, updated_at = now()
     WHERE wallet_alerts.reference_entry_id < EXCLUDED.reference_entry_id`,
    [input.accountId, input.wallet, input.amount, entryId],
  );
}

/** Charges usage: gift first, then recharge, the rest to unbilled if allowed; otherwise InsufficientBalanceError. */
export async function recordUsage(pool: Pool, input: RecordUsageInput): Promise<UsageResult> {
  checkWalletInput(input);
  checkKey(input.idempotencyKey, input.memo);
  if (typeof input.allowNegative !== 'boolean') throw new InvalidLedgerInputError('allowNegative', 'must be true or false');
  const req: EntryRequest = { ...input, kind: 'usage', key: input.idempotencyKey, orderNumber: null, memo: input.memo ?? null };
  const entry = await post(pool, req, (before) => {
    const movement = planUsage(before, input.amount, input.allowNegative);
    if (!movement) throw new InsufficientBalanceError(input.accountId, input.wallet, currentBalance(before), input.amount);
    return movement;
  });
  return {
    entryId: entry.entryId,
    fromGift: 0 - entry.delta.gift,
    fromRecharge: 0 - entry.delta.recharge,
    toUnbilled: entry.delta.unbilled,
    balanceAfter: entry.balanceAfter,
  };
}

/** Grants gift credit; it does not settle unbilled usage (see planGift). */
export async function grantGift(pool: Pool, input: GrantGiftInput): Promise<GiftResult> {
  checkWalletInput(input);
  checkKey(input.idempotencyKey, input.memo);
  const req: EntryRequest = { ...input, kind: 'gift', key: input.idempotencyKey, orderNumber: null, allowNegative: null, memo: input.memo ?? null };
  const entry = await post(pool, req, (before) => planGift(before, input.amount));
  return { entryId: entry.entryId, balanceAfter: entry.balanceAfter };
}

/** All four wallets of an account, zeros for a wallet that never moved. */
export async function getBalances(pool: Pool, accountId: string): Promise<WalletBalance[]> {
  const res = await pool.query<WalletParts & { wallet: Wallet }>('SELECT wallet, recharge, gift, unbilled FROM wallets WHERE account_id = $1', [accountId]);
  return WALLETS.map((wallet) => {
    const row = res.rows.find((r) => r.wallet === wallet);
    return balanceOf(accountId, wallet, row ?? { recharge: 0, gift: 0, unbilled: 0 });
  });
}

/** The ledger as Temporal activities (plain async functions over one pool). */
export function createLedgerActivities(pool: Pool) {
  return {
    /** Credits a paid top-up order (idempotent per order). */
    creditTopup: (input: CreditTopupInput) => creditTopup(pool, input),
    /** Charges usage (idempotent per key). */
    recordUsage: (input: RecordUsageInput) => recordUsage(pool, input),
    /** Grants gift credit (idempotent per key). */
    grantGift: (input: GrantGiftInput) => grantGift(pool, input),
    /** Reads an account's four wallets. */
    getBalances: (accountId: string) => getBalances(pool, accountId),
    /** Lists ledger invariant violations; [] when the ledger is sound. */
    checkLedger: () => checkLedger(pool),
  };
}

type EntryKind = 'topup' | 'usage' | 'gift';

interface EntryRequest {
  kind: EntryKind;
  key: string;
  accountId: string;
  wallet: Wallet;
  amount: number;
  orderNumber: string | null;
  allowNegative: boolean | null;
  memo: string | null;
}

/** An entry as stored: its request, the change it made to each wallet part, and the wallet after it. */
interface StoredEntry {
  entryId: string;
  kind: EntryKind;
  accountId: string;
  wallet: Wallet;
  amount: number;
  delta: { recharge: number; gift: number; unbilled: number };
  balanceAfter: WalletBalance;
}

/** Records one movement on one wallet, or answers with the entry its key already recorded. */
async function post(pool: Pool, req: EntryRequest, plan: (before: WalletParts) => Movement): Promise<StoredEntry> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const before = await lockWallet(client, req);
    const claimed = await client.query<{ id: string }>(
      `INSERT INTO journal_entries (idempotency_key, kind, account_id, wallet, amount, order_number, allow_negative, memo)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id::text`,
      [req.key, req.kind, req.accountId, req.wallet, req.amount, req.orderNumber, req.allowNegative, req.memo],
    );
    const entryId = claimed.rows[0]?.id;
    if (entryId === undefined) {
      const recorded = await readEntry(client, req.key);
      await client.query('ROLLBACK');
      return sameRequest(recorded, req);
    }
    const movement = plan(before);
    if (!Object.values(movement.after).every(Number.isSafeInteger)) {
      throw new InvalidLedgerInputError('amount', 'would take the wallet balance beyond the safe integer range');
    }
    await client.query(
      `INSERT INTO postings (entry_id, ledger_account, account_id, wallet, amount)
       SELECT $1, a, CASE WHEN a LIKE 'wallet:%' THEN $2 END, $3, m FROM unnest($4::text[], $5::bigint[]) AS t(a, m)`,
      [entryId, req.accountId, req.wallet, movement.postings.map((p) => p.ledgerAccount), movement.postings.map((p) => p.amount)],
    );
    const { recharge, gift, unbilled } = movement.after;
    await client.query('UPDATE wallets SET recharge = $3, gift = $4, unbilled = $5, updated_at = now() WHERE account_id = $1 AND wallet = $2', [
      req.accountId,
      req.wallet,
      recharge,
      gift,
      unbilled,
    ]);
    await client.query('UPDATE journal_entries SET recharge_after = $2, gift_after = $3, unbilled_after = $4 WHERE id = $1', [entryId, recharge, gift, unbilled]);
    const recorded = await readEntry(client, req.key);
    await client.query('COMMIT');
    return recorded;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw unknownAccount(err, req) ?? err;
  } finally {
    client.release(broken);
  }
}

/** Creates the wallet row if missing, then locks it for the rest of the transaction. */
async function lockWallet(client: PoolClient, req: EntryRequest): Promise<WalletParts> {
  await client.query('INSERT INTO wallets (account_id, wallet) VALUES ($1, $2) ON CONFLICT DO NOTHING', [req.accountId, req.wallet]);
  const res = await client.query<WalletParts>('SELECT recharge, gift, unbilled FROM wallets WHERE account_id = $1 AND wallet = $2 FOR UPDATE', [
    req.accountId,
    req.wallet,
  ]);
  const row = res.rows[0];
  if (!row) throw new Error(`wallet ${req.accountId}/${req.wallet} vanished after its upsert`);
  return row;
}

async function readEntry(client: PoolClient, key: string): Promise<StoredEntry> {
  const res = await client.query<{
    entryId: string;
    kind: EntryKind;
    accountId: string;
    wallet: Wallet;
    amount: number;
    recharge: number;
    gift: number;
    unbilled: number;
    rechargeDelta: number;
    giftDelta: number;
    unbilledDelta: number;
  }>(
    `SELECT e.id::text AS "entryId", e.kind, e.account_id AS "accountId", e.wallet, e.amount,
            e.recharge_after AS recharge, e.gift_after AS gift, e.unbilled_after AS unbilled,
            coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:recharge'), 0)::bigint AS "rechargeDelta",
            coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:gift'), 0)::bigint AS "giftDelta",
            (-coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:unbilled'), 0))::bigint AS "unbilledDelta"
     FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id
     WHERE e.idempotency_key = $1
     GROUP BY e.id`,
    [key],
  );
  const row = res.rows[0];
  if (!row) throw new Error(`journal entry "${key}" conflicted on insert but cannot be read`);
  return {
    entryId: row.entryId,
    kind: row.kind,
    accountId: row.accountId,
    wallet: row.wallet,
    amount: row.amount,
    delta: { recharge: row.rechargeDelta, gift: row.giftDelta, unbilled: row.unbilledDelta },
    balanceAfter: balanceOf(row.accountId, row.wallet, row),
  };
}

/** A replayed key must describe the same movement; anything else is a caller bug, never silently absorbed. */
function sameRequest(recorded: StoredEntry, req: EntryRequest): StoredEntry {
  const describe = (m: { kind: string; amount: number; accountId: string; wallet: string }) => `${m.kind} of ${m.amount} on ${m.accountId}/${m.wallet}`;
  if (recorded.kind !== req.kind || recorded.accountId !== req.accountId || recorded.wallet !== req.wallet || recorded.amount !== req.amount) {
    throw new IdempotencyConflictError(req.key, describe(recorded), describe(req));
  }
  return recorded;
}

function balanceOf(accountId: string, wallet: Wallet, parts: WalletParts): WalletBalance {
  const { recharge, gift, unbilled } = parts;
  return { accountId, wallet, recharge, gift, unbilled, current: currentBalance(parts) };
}

function unknownAccount(err: unknown, req: EntryRequest): InvalidLedgerInputError | undefined {
  const fk = err as { code?: string; constraint?: string };
  if (fk.code === '23503' && fk.constraint === 'wallets_account_id_fkey') {
    return new InvalidLedgerInputError('accountId', `no account "${req.accountId}"`);
  }
  return undefined;
}

function checkWalletInput(input: { accountId: unknown; wallet: unknown; amount: unknown }): void {
  if (typeof input.accountId !== 'string' || input.accountId.length === 0) throw new InvalidLedgerInputError('accountId', 'must be a non-empty string');
  if (!WALLETS.includes(input.wallet as Wallet)) throw new InvalidLedgerInputError('wallet', `must be one of ${WALLETS.join(', ')}`);
  if (!Number.isSafeInteger(input.amount) || (input.amount as number) <= 0) {
    throw new InvalidLedgerInputError('amount', 'must be a positive safe integer (minor units, no fractions)');
  }
}

function checkKey(key: unknown, memo: unknown): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 200) throw new InvalidLedgerInputError('idempotencyKey', 'must be 1 to 200 characters');
  if (memo !== undefined && typeof memo !== 'string') throw new InvalidLedgerInputError('memo', 'must be a string when given');
}
