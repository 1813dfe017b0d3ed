/**
 * The double-entry ledger: top-ups, usage charges and gifts as balanced journal entries in PostgreSQL, with the
 * `wallets` row of each (account, wallet) kept equal to its postings in the same transaction.
 *
 * Each movement is one statement, so one transaction, on one wallet (`ledger_post`, db/migrations/010): create-if-
 * missing and lock the wallet row (the only lock taken, so concurrent movements queue instead of losing updates or
 * deadlocking), answer a claimed idempotency key with the stored entry exactly as the first call answered, else
 * post and update the wallet. Sign convention: see ledger-rules.ts. Gifts are kept as lots (db/migrations/050): usage
 * spends the lot that expires first first, and a lot past its expiry leaves the balance as its own `gift_expiry`
 * entry before any later movement of its wallet, and when its expiry workflow's timer fires.
 */
import type { Pool, PoolClient } from 'pg';
import { WALLETS, type Wallet } from '../../workflows/definitions';
import { IdempotencyConflictError, InsufficientBalanceError, InvalidLedgerInputError } from './ledger-errors';
import { currentBalance, type WalletParts } from './ledger-rules';

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
  /** The product's service the usage was for (the usage report's breakdown). */
  service?: string;
}

/** Credit granted for free: finance's reason is the memo; an expiring gift's remainder leaves the balance then. */
export interface GrantGiftInput {
  accountId: string;
  wallet: Wallet;
  amount: number;
  idempotencyKey: string;
  memo?: string;
  /** When the gift's remainder expires; never when absent. */
  expiresAt?: Date | null;
  /** Who granted it (a finance user). */
  grantedBy?: string | null;
}

/** What a gift's expiry took away: nothing when usage had spent it all. */
export interface GiftExpiryResult {
  /** The `gift_expiry` entry, or null when nothing was left to take. */
  entryId: string | null;
  expired: number;
  balanceAfter: WalletBalance | null;
}

/**
 * The idempotency key of a paid top-up: `topup:<orderNumber>:paid` for a one-wallet order, and
 * `topup:<orderNumber>:<wallet>:paid` for each line of an online order that tops up several wallets.
 */
export function topupKey(orderNumber: string, lineWallet?: Wallet): string {
  return lineWallet ? `topup:${orderNumber}:${lineWallet}:paid` : `topup:${orderNumber}:paid`;
}

/** Credits a paid top-up (key `topup:<orderNumber>:paid`): settles unbilled usage first, adds the rest to recharge. */
export async function creditTopup(pool: Pool | PoolClient, input: CreditTopupInput): Promise<TopupCreditResult> {
  return topupResultOf(await post(pool, entryRequestOf({ kind: 'topup', ...input })));
}

/** Charges usage: gift first, then recharge, the rest to unbilled if allowed; otherwise InsufficientBalanceError. */
export async function recordUsage(pool: Pool | PoolClient, input: RecordUsageInput): Promise<UsageResult> {
  return usageResultOf(await post(pool, entryRequestOf({ kind: 'usage', ...input })));
}

/** Grants gift credit; it does not settle unbilled usage (see planGift). */
export async function grantGift(pool: Pool, input: GrantGiftInput): Promise<GiftResult> {
  const entry = await post(pool, entryRequestOf({ kind: 'gift', ...input }));
  return { entryId: entry.entryId, balanceAfter: entry.balanceAfter };
}

/** A movement as creditTopup, recordUsage and grantGift take it, tagged with its kind (applyMovements takes a list). */
export type MovementRequest = ({ kind: 'topup' } & CreditTopupInput) | ({ kind: 'usage' } & RecordUsageInput) | ({ kind: 'gift' } & GrantGiftInput);

/** Why a movement was refused; nothing was changed. */
export type RefusalReason = 'insufficient_balance' | 'unknown_account' | 'out_of_range' | 'invalid_input' | 'idempotency_conflict';

/**
 * The answer to one movement: applied now, already applied (its key recorded the same movement before; the stored
 * entry, exactly as the first call answered), or refused with its reason and the error the single-movement
 * functions throw for it.
 */
export type MovementAnswer =
  | { status: 'applied' | 'already_applied'; entry: LedgerEntry }
  | { status: 'refused'; reason: RefusalReason; error: InsufficientBalanceError | InvalidLedgerInputError | IdempotencyConflictError };

/** Applies one movement and answers it (a refusal is an answer, not a throw); errors that are no refusal throw. */
export async function applyMovement(pool: Pool | PoolClient, movement: MovementRequest): Promise<MovementAnswer> {
  let req: EntryRequest;
  try {
    req = entryRequestOf(movement);
  } catch (err) {
    if (err instanceof InvalidLedgerInputError) return { status: 'refused', reason: 'invalid_input', error: err };
    throw err;
  }
  return applyEntry(pool, req);
}

/** What a top-up's entry did, as creditTopup answers it. */
export function topupResultOf(entry: LedgerEntry): TopupCreditResult {
  return { entryId: entry.entryId, settled: 0 - entry.delta.unbilled, added: entry.delta.recharge, balanceAfter: entry.balanceAfter };
}

/** What a usage charge's entry did, as recordUsage answers it. */
export function usageResultOf(entry: LedgerEntry): UsageResult {
  return {
    entryId: entry.entryId,
    fromGift: 0 - entry.delta.gift,
    fromRecharge: 0 - entry.delta.recharge,
    toUnbilled: entry.delta.unbilled,
    balanceAfter: entry.balanceAfter,
  };
}

/**
 * The entry request of a movement, its input checked (InvalidLedgerInputError naming the field and the rule). A
 * top-up's key is `topup:<orderNumber>:paid`, and the entry also re-arms the wallet's low-balance notice: its
 * reference is the last paid top-up (seed 001).
 */
export function entryRequestOf(m: MovementRequest): EntryRequest {
  checkWalletInput(m);
  if (m.kind === 'topup') {
    if (typeof m.orderNumber !== 'string' || !/^[0-9]{13}$/.test(m.orderNumber)) {
      throw new InvalidLedgerInputError('orderNumber', 'must be a 13-digit order number');
    }
    const key = topupKey(m.orderNumber, m.perWalletKey ? m.wallet : undefined);
    return { kind: 'topup', key, accountId: m.accountId, wallet: m.wallet, amount: m.amount, orderNumber: m.orderNumber, allowNegative: null, memo: null };
  }
  checkKey(m.idempotencyKey, m.memo);
  if (m.kind === 'usage') {
    if (typeof m.allowNegative !== 'boolean') throw new InvalidLedgerInputError('allowNegative', 'must be true or false');
    if (m.service !== undefined && (typeof m.service !== 'string' || m.service.length === 0 || m.service.length > 100)) {
      throw new InvalidLedgerInputError('service', 'must be 1 to 100 characters when given');
    }
    const service = m.service ?? null;
    return { kind: 'usage', key: m.idempotencyKey, accountId: m.accountId, wallet: m.wallet, amount: m.amount, orderNumber: null, allowNegative: m.allowNegative, memo: m.memo ?? null, service };
  }
  if (m.kind === 'gift') {
    if (m.expiresAt != null && !(m.expiresAt instanceof Date && Number.isFinite(m.expiresAt.getTime()))) {
      throw new InvalidLedgerInputError('expiresAt', 'must be a valid instant when given');
    }
    const gift = { expiresAt: m.expiresAt ?? null, grantedBy: m.grantedBy ?? null };
    return { kind: 'gift', key: m.idempotencyKey, accountId: m.accountId, wallet: m.wallet, amount: m.amount, orderNumber: null, allowNegative: null, memo: m.memo ?? null, ...gift };
  }
  throw new InvalidLedgerInputError('kind', 'must be topup, usage or gift');
}

/**
 * Takes what is left of the gift granted by entry `giftEntryId` out of its wallet (key `gift-expiry:<id>`), once:
 * its expiry workflow calls it when the gift's timer fires, and a retry answers the same.
 */
export async function expireGift(pool: Pool, giftEntryId: string): Promise<GiftExpiryResult> {
  if (!/^[1-9][0-9]{0,18}$/.test(giftEntryId)) throw new InvalidLedgerInputError('giftEntryId', 'must be a journal entry id');
  let row: PostRow | undefined;
  try {
    const res = await pool.query<PostRow>({
      name: 'ledger_expire_gift',
      text: `SELECT outcome, entry_id::text, kind, account_id, wallet, amount, recharge_after, gift_after, unbilled_after, recharge_delta, gift_delta, unbilled_delta
               FROM ledger_expire_gift($1)`,
      values: [giftEntryId],
    });
    row = res.rows[0];
  } catch (err) {
    if ((err as { code?: string }).code === 'LB002') throw new InvalidLedgerInputError('giftEntryId', `no gift was granted by entry ${giftEntryId}`);
    throw err;
  }
  if (!row) return { entryId: null, expired: 0, balanceAfter: null };
  return { entryId: row.entry_id, expired: row.amount, balanceAfter: balanceOf(row.account_id, row.wallet, { recharge: row.recharge_after, gift: row.gift_after, unbilled: row.unbilled_after }) };
}

/** All four wallets of an account, zeros for a wallet that never moved. */
export async function getBalances(pool: Pool, accountId: string): Promise<WalletBalance[]> {
  const res = await pool.query<WalletParts & { wallet: Wallet }>('SELECT wallet, recharge, gift, unbilled FROM wallets WHERE account_id = $1', [accountId]);
  return allWallets(accountId, res.rows);
}

/** One account's balances, with each wallet's low-balance reference (its last paid top-up) where it has one. */
export interface AccountBalances {
  wallets: WalletBalance[];
  references: Partial<Record<Wallet, number>>;
}

/**
 * The balances of several accounts in one query, each wallet with its low-balance reference (the API groups
 * concurrent balance reads into one, see api/ledger/balance-reader.ts, and a read answers the low-balance flag from
 * the same row rather than a second query); an account that does not exist is absent from the map.
 */
export async function findAccountsBalances(pool: Pool, accountIds: readonly string[]): Promise<Map<string, AccountBalances>> {
  const res = await pool.query<Partial<WalletParts> & { account_id: string; wallet: Wallet | null; reference: number | null }>({
    name: 'find_accounts_balances_with_references',
    text: `SELECT a.id AS account_id, w.wallet, w.recharge, w.gift, w.unbilled, al.reference
             FROM accounts a
             LEFT JOIN wallets w ON w.account_id = a.id
             LEFT JOIN wallet_alerts al ON al.account_id = w.account_id AND al.wallet = w.wallet
            WHERE a.id = ANY($1::text[])`,
    values: [accountIds],
  });
  const rows = new Map<string, { parts: Array<WalletParts & { wallet: Wallet }>; references: Partial<Record<Wallet, number>> }>();
  for (const r of res.rows) {
    const found = rows.get(r.account_id) ?? { parts: [], references: {} };
    if (r.wallet !== null) {
      found.parts.push({ wallet: r.wallet, recharge: r.recharge ?? 0, gift: r.gift ?? 0, unbilled: r.unbilled ?? 0 });
      if (r.reference !== null) found.references[r.wallet] = r.reference;
    }
    rows.set(r.account_id, found);
  }
  return new Map([...rows].map(([accountId, { parts, references }]) => [accountId, { wallets: allWallets(accountId, parts), references }]));
}

function allWallets(accountId: string, rows: Array<WalletParts & { wallet: Wallet }>): WalletBalance[] {
  return WALLETS.map((wallet) => {
    const row = rows.find((r) => r.wallet === wallet);
    return balanceOf(accountId, wallet, row ?? { recharge: 0, gift: 0, unbilled: 0 });
  });
}

type EntryKind = 'topup' | 'usage' | 'gift' | 'gift_expiry';

/** One movement as the database functions take it. */
export interface EntryRequest {
  kind: Exclude<EntryKind, 'gift_expiry'>;
  key: string;
  accountId: string;
  wallet: Wallet;
  amount: number;
  orderNumber: string | null;
  allowNegative: boolean | null;
  memo: string | null;
  service?: string | null;
  expiresAt?: Date | null;
  grantedBy?: string | null;
}

/** An entry as stored: its request, the change it made to each wallet part, and the wallet after it. */
export interface LedgerEntry {
  entryId: string;
  kind: EntryKind;
  accountId: string;
  wallet: Wallet;
  amount: number;
  delta: { recharge: number; gift: number; unbilled: number };
  balanceAfter: WalletBalance;
}

/** What db/migrations/010's ledger_post answers: the entry, posted now or replayed. */
export interface PostRow {
  outcome: 'posted' | 'replayed';
  entry_id: string;
  kind: EntryKind;
  account_id: string;
  wallet: Wallet;
  amount: number;
  recharge_after: number;
  gift_after: number;
  unbilled_after: number;
  recharge_delta: number;
  gift_delta: number;
  unbilled_delta: number;
}

/**
 * Records one movement on one wallet, or answers with the entry its key already recorded; throws the refusal.
 * The database applies the rule (ledger_post, one statement and one round trip under the wallet's row lock);
 * ledger-rules.ts is the reference it is checked against (checkLedger, test/ledger/ledger-properties.test.ts).
 */
async function post(pool: Pool | PoolClient, req: EntryRequest): Promise<LedgerEntry> {
  const answer = await applyEntry(pool, req);
  if (answer.status === 'refused') throw answer.error;
  return answer.entry;
}

/** ledger_post for one request, answered; a named statement, so each connection parses and plans it once. */
async function applyEntry(pool: Pool | PoolClient, req: EntryRequest): Promise<MovementAnswer> {
  let row: PostRow | undefined;
  try {
    const res = await pool.query<PostRow>({
      name: 'ledger_post',
      text: 'SELECT outcome, entry_id::text, kind, account_id, wallet, amount, recharge_after, gift_after, unbilled_after, recharge_delta, gift_delta, unbilled_delta FROM ledger_post($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)',
      values: [req.kind, req.key, req.accountId, req.wallet, req.amount, req.orderNumber, req.allowNegative, req.memo, req.service ?? null, req.expiresAt ?? null, req.grantedBy ?? null],
    });
    row = res.rows[0];
  } catch (err) {
    const refusal = ledgerRefusal(err, req);
    if (refusal) return refusal;
    throw err;
  }
  if (!row) throw new Error(`ledger_post answered nothing for "${req.key}"`);
  return answerOf(row, req);
}

/** A row of ledger_post (or ledger_post_batch) as the movement's answer; a replayed key must describe the same movement. */
export function answerOf(row: PostRow, req: EntryRequest): MovementAnswer {
  const parts = { recharge: row.recharge_after, gift: row.gift_after, unbilled: row.unbilled_after };
  const entry: LedgerEntry = {
    entryId: row.entry_id,
    kind: row.kind,
    accountId: row.account_id,
    wallet: row.wallet,
    amount: row.amount,
    delta: { recharge: row.recharge_delta, gift: row.gift_delta, unbilled: row.unbilled_delta },
    balanceAfter: balanceOf(row.account_id, row.wallet, parts),
  };
  if (row.outcome === 'posted') return { status: 'applied', entry };
  // Anything else under a recorded key is a caller bug, never silently absorbed.
  const describe = (m: { kind: string; amount: number; accountId: string; wallet: string }) => `${m.kind} of ${m.amount} on ${m.accountId}/${m.wallet}`;
  if (entry.kind !== req.kind || entry.accountId !== req.accountId || entry.wallet !== req.wallet || entry.amount !== req.amount) {
    return { status: 'refused', reason: 'idempotency_conflict', error: new IdempotencyConflictError(req.key, describe(entry), describe(req)) };
  }
  return { status: 'already_applied', entry };
}

/** The refusal of a charge the wallet cannot cover, with the balance it had. */
export function insufficientBalance(req: EntryRequest, balance: number): MovementAnswer {
  return { status: 'refused', reason: 'insufficient_balance', error: new InsufficientBalanceError(req.accountId, req.wallet, balance, req.amount) };
}

/** The refusal of a movement on an account that does not exist. */
export function unknownAccount(req: EntryRequest): MovementAnswer {
  return { status: 'refused', reason: 'unknown_account', error: new InvalidLedgerInputError('accountId', `no account "${req.accountId}"`) };
}

function balanceOf(accountId: string, wallet: Wallet, parts: WalletParts): WalletBalance {
  const { recharge, gift, unbilled } = parts;
  return { accountId, wallet, recharge, gift, unbilled, current: currentBalance(parts) };
}

/** The database's refusals of the caller's input: a charge not covered, an unknown account, a balance past 2^53 − 1. */
function ledgerRefusal(err: unknown, req: EntryRequest): MovementAnswer | undefined {
  const pgErr = err as { code?: string; constraint?: string; detail?: string };
  if (pgErr.code === 'LB001') return insufficientBalance(req, Number(pgErr.detail));
  if (pgErr.code === '23503' && pgErr.constraint === 'wallets_account_id_fkey') return unknownAccount(req);
  if (pgErr.code === '22003') {
    return { status: 'refused', reason: 'out_of_range', error: new InvalidLedgerInputError('amount', 'would take the wallet balance beyond the safe integer range') };
  }
  return undefined;
}

function checkWalletInput(input: { accountId: unknown; wallet: unknown; amount: unknown }): void {
  if (typeof input !== 'object' || input === null) throw new InvalidLedgerInputError('movement', 'must be an object');
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
