/**
 * Automatic top-up attempts (issue 20): what a rule's check decided, computed and recorded in one transaction under
 * the rule's row lock, then how the charge ended. Nothing stops without a row: a charge (charging → succeeded,
 * declined, charge_refused), a stop (cap_reached, amount_above_limit, not_allowed), the rule pausing itself
 * (rule_paused). A partial unique index holds at most one charge in flight per wallet.
 */
import type { Pool, PoolClient } from 'pg';
import {
  depositEligibilityRule,
  formatRupiah,
  planAutoTopup,
  type AutoTopupDecision,
  type AutoTopupFailure,
  type AutoTopupMode,
  type AutoTopupOutcome,
  type TopupPolicy,
  type Wallet,
} from '../../workflows/definitions';
import { newId } from '../accounts/secrets';
import { creditTopup } from '../ledger/ledger';
import { allocateOrderNumber } from '../orders/order-numbers';
import { inTransaction } from '../transaction';

/** One attempt as the API shows it (and the emails and events tell it). */
export interface AutoTopupAttempt {
  id: string;
  accountId: string;
  wallet: Wallet;
  outcome: AutoTopupOutcome;
  /** The order number of a charge: on the gateway's statement, and the ledger's key. */
  orderNumber: string | null;
  /** The balance when the amount was computed, and the top-ups then on their way. */
  balance: number;
  pending: number;
  /** What the wallet receives (its unit), what the card is charged (IDR) and the card fee in it. */
  amount: number | null;
  charged: number | null;
  fee: number | null;
  cardLast4: string | null;
  reason: string | null;
  balanceAfter: number | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `a.id, a.account_id AS "accountId", a.wallet, a.outcome, a.order_number AS "orderNumber", a.balance, a.pending, a.amount, a.charged, a.fee,
  c.last4 AS "cardLast4", a.reason, a.balance_after AS "balanceAfter", a.created_at AS "createdAt", a.finished_at AS "finishedAt"`;
const FROM = 'auto_topup_attempts a LEFT JOIN saved_cards c ON c.id = a.card_id';

async function readAttempt(db: Pool | PoolClient, where: string, value: string): Promise<AutoTopupAttempt | null> {
  const res = await db.query<AutoTopupAttempt>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${where} = $1`, [value]);
  return res.rows[0] ?? null;
}

/** An attempt, or null. */
export function findAttempt(pool: Pool, id: string): Promise<AutoTopupAttempt | null> {
  return readAttempt(pool, 'a.id', id);
}

/** A page of an account's attempts (one wallet's when given), newest first. */
export async function listAttempts(pool: Pool, accountId: string, filter: { wallet?: Wallet | undefined; page: number; pageSize: number }): Promise<{ items: AutoTopupAttempt[]; total: number }> {
  const where = 'a.account_id = $1 AND ($2::text IS NULL OR a.wallet = $2)';
  const [page, total] = await Promise.all([
    pool.query<AutoTopupAttempt>(`SELECT ${COLUMNS} FROM ${FROM} WHERE ${where} ORDER BY a.created_at DESC, a.id DESC LIMIT $3 OFFSET $4`, [
      accountId,
      filter.wallet ?? null,
      filter.pageSize,
      (filter.page - 1) * filter.pageSize,
    ]),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM auto_topup_attempts a WHERE ${where}`, [accountId, filter.wallet ?? null]),
  ]);
  return { items: page.rows, total: total.rows[0]!.n };
}

/** What a check needs to know about the rule, locked for the check. */
interface LockedRule {
  enabled: boolean;
  threshold: number;
  mode: AutoTopupMode;
  amount: number;
  card_id: string;
  daily_cap: number;
  monthly_cap: number;
  status: string;
  paused_reason: string | null;
  version: number;
  time_zone: string;
}

/**
 * Top-ups of `wallet` on their way: bank transfers under review and online invoices awaiting payment, in the
 * wallet's unit (an online order's line for the wallet).
 */
async function pendingTopups(client: PoolClient, accountId: string, wallet: Wallet): Promise<number> {
  const res = await client.query<{ pending: number }>(
    `SELECT COALESCE(sum(CASE WHEN kind = 'bank_transfer' THEN amount
              ELSE (SELECT COALESCE(sum((l->>'credit')::bigint), 0) FROM jsonb_array_elements(view->'lines') l WHERE l->>'wallet' = $2) END), 0)::bigint AS pending
       FROM orders WHERE account_id = $1 AND status IN ('awaiting_payment', 'dealing') AND $2 = ANY(string_to_array(wallet, ','))`,
    [accountId, wallet],
  );
  return res.rows[0]!.pending;
}

/** Whether the account may top up its deposit now (seed 002): the rule it breaks, or null. */
async function depositRule(client: PoolClient, accountId: string): Promise<string | null> {
  const res = await client.query<{ active: number; unpaid: string[] }>(
    `SELECT (SELECT count(*)::int FROM subscriptions WHERE account_id = $1 AND status = 'active') AS active,
            ARRAY(SELECT id FROM invoices WHERE account_id = $1 AND status = 'unpaid' ORDER BY issued_at) AS unpaid`,
    [accountId],
  );
  const row = res.rows[0]!;
  return depositEligibilityRule({ activeSubscriptions: row.active, unpaidInvoiceIds: row.unpaid });
}

/** IDR charged by charges in flight or taken, since the start of the day and of the month of `at` in `timeZone`. */
async function spent(client: PoolClient, accountId: string, wallet: Wallet, at: Date, timeZone: string): Promise<{ day: number; month: number; dayLabel: string; monthLabel: string }> {
  const res = await client.query<{ day: number; month: number; day_label: string; month_label: string }>(
    `WITH bounds AS (
       SELECT date_trunc('day', $3::timestamptz AT TIME ZONE $4) AT TIME ZONE $4 AS day_start,
              date_trunc('month', $3::timestamptz AT TIME ZONE $4) AT TIME ZONE $4 AS month_start)
     SELECT COALESCE(sum(a.charged) FILTER (WHERE a.created_at >= b.day_start), 0)::bigint AS day,
            COALESCE(sum(a.charged), 0)::bigint AS month,
            to_char($3::timestamptz AT TIME ZONE $4, 'YYYY-MM-DD') AS day_label, to_char($3::timestamptz AT TIME ZONE $4, 'YYYY-MM') AS month_label
       FROM bounds b LEFT JOIN auto_topup_attempts a
         ON a.account_id = $1 AND a.wallet = $2 AND a.outcome IN ('charging', 'succeeded') AND a.created_at >= b.month_start AND a.created_at <= $3
      GROUP BY b.day_start, b.month_start`,
    [accountId, wallet, at, timeZone],
  );
  const row = res.rows[0]!;
  return { day: row.day, month: row.month, dayLabel: row.day_label, monthLabel: row.month_label };
}

/** The input of a check. */
export interface CheckInput {
  accountId: string;
  wallet: Wallet;
  evaluationKey: string;
  at: Date;
  policy: TopupPolicy;
}

/** A recorded stop, or null when the same stop was recorded before for this rule version and period (the first one told). */
async function recordStop(
  client: PoolClient,
  input: CheckInput,
  rule: LockedRule,
  stop: { outcome: Exclude<AutoTopupFailure, 'declined' | 'charge_refused' | 'rule_paused'>; dedupeKey: string; reason: string; balance: number; pending: number; amount: number | null; charged: number | null },
): Promise<AutoTopupDecision> {
  const res = await client.query<{ id: string }>(
    `INSERT INTO auto_topup_attempts (id, account_id, wallet, rule_version, evaluation_key, dedupe_key, outcome, balance, pending, amount, charged, card_id, reason, created_at, finished_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    [newId('atu'), input.accountId, input.wallet, rule.version, input.evaluationKey, stop.dedupeKey, stop.outcome, stop.balance, stop.pending, stop.amount, stop.charged, rule.card_id, stop.reason, input.at],
  );
  const id = res.rows[0]?.id;
  return id ? { kind: 'stopped', attemptId: id, reason: stop.reason } : { kind: 'idle', reason: `${stop.reason} (recorded already)` };
}

/** What an evaluation recorded before, for a retried check. */
async function decidedBefore(client: PoolClient, evaluationKey: string): Promise<AutoTopupDecision | null> {
  const res = await client.query<{ id: string; outcome: AutoTopupOutcome; reason: string | null }>('SELECT id, outcome, reason FROM auto_topup_attempts WHERE evaluation_key = $1', [evaluationKey]);
  const row = res.rows[0];
  if (!row) return null;
  return ['charging', 'succeeded', 'declined', 'charge_refused'].includes(row.outcome) ? { kind: 'charge', attemptId: row.id } : { kind: 'stopped', attemptId: row.id, reason: row.reason ?? row.outcome };
}

/**
 * Checks the wallet against its rule and records the decision (see the module comment): the amount is computed
 * once, here, from the balance and the pending top-ups now; the wallet's rules and the caps are applied; a charge is
 * recorded in flight with its order number. A retried check answers what it recorded.
 */
export async function decideAutoTopup(pool: Pool, input: CheckInput): Promise<{ decision: AutoTopupDecision; fresh: boolean }> {
  return inTransaction(pool, async (client) => {
    const before = await decidedBefore(client, input.evaluationKey);
    if (before) return { decision: before, fresh: false };
    return { decision: await decideNow(client, input), fresh: true };
  });
}

/** The decision of a check made now, recorded (but for idle). */
async function decideNow(client: PoolClient, input: CheckInput): Promise<AutoTopupDecision> {
  const ruleRes = await client.query<LockedRule>(
    `SELECT r.enabled, r.threshold, r.mode, r.amount, r.card_id, r.daily_cap, r.monthly_cap, r.status, r.paused_reason, r.version, a.time_zone
       FROM auto_topup_rules r JOIN accounts a ON a.id = r.account_id WHERE r.account_id = $1 AND r.wallet = $2 FOR UPDATE OF r`,
    [input.accountId, input.wallet],
  );
  const rule = ruleRes.rows[0];
  if (!rule) return { kind: 'idle', reason: 'the wallet has no automatic top-up rule' };
  if (!rule.enabled) return { kind: 'idle', reason: 'the rule is off' };
  if (rule.status === 'paused') return { kind: 'idle', reason: `the rule is paused: ${rule.paused_reason}` };
  const walletRes = await client.query<{ current: number }>('SELECT recharge + gift - unbilled AS current FROM wallets WHERE account_id = $1 AND wallet = $2', [input.accountId, input.wallet]);
  const balance = walletRes.rows[0]?.current ?? 0;
  const pending = await pendingTopups(client, input.accountId, input.wallet);
  const plan = planAutoTopup(input.wallet, rule, balance, pending, input.policy);
  if (plan.kind === 'none') return { kind: 'idle', reason: plan.reason };
  const { day, month, dayLabel, monthLabel } = await spent(client, input.accountId, input.wallet, input.at, rule.time_zone);
  const base = { balance, pending, amount: plan.kind === 'charge' ? plan.credit : plan.requested, charged: plan.kind === 'charge' ? plan.charged : null };
  if (plan.kind === 'above_limit') return recordStop(client, input, rule, { ...base, outcome: 'amount_above_limit', dedupeKey: `limit:${input.accountId}:${input.wallet}:v${rule.version}:${dayLabel}`, reason: plan.reason });
  const notAllowed = input.wallet === 'deposit' ? await depositRule(client, input.accountId) : null;
  if (notAllowed) return recordStop(client, input, rule, { ...base, outcome: 'not_allowed', dedupeKey: `not-allowed:${input.accountId}:${input.wallet}:v${rule.version}:${dayLabel}`, reason: notAllowed });
  if (day + plan.charged > rule.daily_cap) {
    const reason = `the daily cap of ${formatRupiah(rule.daily_cap)} is reached: ${formatRupiah(day)} charged today, this top-up would charge ${formatRupiah(plan.charged)}`;
    return recordStop(client, input, rule, { ...base, outcome: 'cap_reached', dedupeKey: `cap:day:${input.accountId}:${input.wallet}:v${rule.version}:${dayLabel}`, reason });
  }
  if (month + plan.charged > rule.monthly_cap) {
    const reason = `the monthly cap of ${formatRupiah(rule.monthly_cap)} is reached: ${formatRupiah(month)} charged this month, this top-up would charge ${formatRupiah(plan.charged)}`;
    return recordStop(client, input, rule, { ...base, outcome: 'cap_reached', dedupeKey: `cap:month:${input.accountId}:${input.wallet}:v${rule.version}:${monthLabel}`, reason });
  }
  const attemptId = newId('atu');
  const orderNumber = await allocateOrderNumber(client, input.at, rule.time_zone);
  await client.query(
    `INSERT INTO auto_topup_attempts (id, account_id, wallet, rule_version, evaluation_key, outcome, order_number, balance, pending, amount, charged, fee, card_id, reason, created_at)
     VALUES ($1, $2, $3, $4, $5, 'charging', $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [attemptId, input.accountId, input.wallet, rule.version, input.evaluationKey, orderNumber, balance, pending, plan.credit, plan.charged, plan.fee, rule.card_id, plan.adjustment, input.at],
  );
  return { kind: 'charge', attemptId };
}

/** What charging an attempt needs: the card's gateway token, the amount and the order number. */
export async function findChargeOfAttempt(pool: Pool, attemptId: string): Promise<{ cardRef: string; charged: number; orderNumber: string; wallet: Wallet; amount: number } | null> {
  const res = await pool.query<{ cardRef: string; charged: number; orderNumber: string; wallet: Wallet; amount: number }>(
    `SELECT c.gateway_ref AS "cardRef", a.charged, a.order_number AS "orderNumber", a.wallet, a.amount FROM auto_topup_attempts a JOIN saved_cards c ON c.id = a.card_id
      WHERE a.id = $1 AND a.order_number IS NOT NULL`,
    [attemptId],
  );
  return res.rows[0] ?? null;
}

/**
 * Credits the wallet for a charge taken (once: the ledger's key is the attempt's order number) and marks the attempt
 * succeeded; the rule's failures in a row start again from zero. `changed`: this call made it succeed.
 */
export async function completeAttempt(pool: Pool, attemptId: string, chargeRef: string): Promise<{ attempt: AutoTopupAttempt; changed: boolean }> {
  const attempt = await findAttempt(pool, attemptId);
  if (!attempt?.orderNumber || attempt.amount === null) throw new Error(`automatic top-up ${attemptId} is not a charge`);
  const credit = await creditTopup(pool, { orderNumber: attempt.orderNumber, accountId: attempt.accountId, wallet: attempt.wallet, amount: attempt.amount });
  const changed = await inTransaction(pool, async (client) => {
    const res = await client.query(
      `UPDATE auto_topup_attempts SET outcome = 'succeeded', charge_ref = $2, ledger_entry_id = $3, balance_after = $4, finished_at = now() WHERE id = $1 AND outcome = 'charging'`,
      [attemptId, chargeRef, credit.entryId, credit.balanceAfter.current],
    );
    if (res.rowCount === 1) await client.query('UPDATE auto_topup_rules SET consecutive_failures = 0 WHERE account_id = $1 AND wallet = $2', [attempt.accountId, attempt.wallet]);
    return res.rowCount === 1;
  });
  return { attempt: (await findAttempt(pool, attemptId))!, changed };
}

/**
 * Ends a charge that failed, counts it against the rule and, at `pauseAfter` failures in a row, pauses the rule with
 * a `rule_paused` record of its own. `changed`: this call ended it; `paused`: the pause record, if the rule paused.
 */
export async function failAttempt(
  pool: Pool,
  input: { attemptId: string; outcome: 'declined' | 'charge_refused'; reason: string; pauseAfter: number; at: Date },
): Promise<{ attempt: AutoTopupAttempt; changed: boolean; paused: AutoTopupAttempt | null }> {
  const pauseKey = `paused:${input.attemptId}`;
  const changed = await inTransaction(pool, async (client) => {
    const ended = await client.query<{ account_id: string; wallet: string; rule_version: number; balance: number; pending: number; card_id: string }>(
      `UPDATE auto_topup_attempts SET outcome = $2, reason = $3, finished_at = now() WHERE id = $1 AND outcome = 'charging'
       RETURNING account_id, wallet, rule_version, balance, pending, card_id`,
      [input.attemptId, input.outcome, input.reason],
    );
    const row = ended.rows[0];
    if (!row) return false;
    const counted = await client.query<{ failures: number; status: string }>(
      `UPDATE auto_topup_rules SET consecutive_failures = consecutive_failures + 1 WHERE account_id = $1 AND wallet = $2 RETURNING consecutive_failures AS failures, status`,
      [row.account_id, row.wallet],
    );
    const rule = counted.rows[0];
    if (rule && rule.status === 'active' && rule.failures >= input.pauseAfter) {
      const reason = `paused after ${rule.failures} failed charges in a row (the last: ${input.reason}); check the card, then save the rule again to resume`;
      await client.query(`UPDATE auto_topup_rules SET status = 'paused', paused_reason = $3, updated_at = now() WHERE account_id = $1 AND wallet = $2`, [row.account_id, row.wallet, reason]);
      await client.query(
        `INSERT INTO auto_topup_attempts (id, account_id, wallet, rule_version, dedupe_key, outcome, balance, pending, card_id, reason, created_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, 'rule_paused', $6, $7, $8, $9, $10, now())`,
        [newId('atu'), row.account_id, row.wallet, row.rule_version, pauseKey, row.balance, row.pending, row.card_id, reason, input.at],
      );
    }
    return true;
  });
  return { attempt: (await findAttempt(pool, input.attemptId))!, changed, paused: await readAttempt(pool, 'a.dedupe_key', pauseKey) };
}
