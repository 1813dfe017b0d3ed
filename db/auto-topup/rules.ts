/**
 * Automatic top-up rules (issue 20): one per wallet of an account, saved whole by its owner. Saving makes the rule
 * active again (a paused one resumes) with a new version, and is logged.
 */
import type { Pool } from 'pg';
import type { AutoTopupMode, Wallet } from '../../workflows/definitions';
import { recordOperation } from '../accounts/operation-log';
import type { Actor } from '../accounts/roles';
import { inTransaction } from '../transaction';

/** What the owner chooses. */
export interface AutoTopupRuleSettings {
  enabled: boolean;
  threshold: number;
  mode: AutoTopupMode;
  /** The target balance (target) or the amount of each top-up (fixed), in the wallet's unit. */
  amount: number;
  cardId: string;
  /** IDR charged (card fee included) per day and per month, in the account's time zone. */
  dailyCap: number;
  monthlyCap: number;
}

/** A rule as the API shows it. */
export interface AutoTopupRule extends Omit<AutoTopupRuleSettings, 'cardId'> {
  accountId: string;
  wallet: Wallet;
  card: { id: string; brand: string; last4: string; expMonth: number; expYear: number };
  /** `paused`: it paused itself after failed charges in a row; saving it again resumes it. */
  status: 'active' | 'paused';
  pausedReason: string | null;
  consecutiveFailures: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `r.account_id AS "accountId", r.wallet, r.enabled, r.threshold, r.mode, r.amount, r.daily_cap AS "dailyCap", r.monthly_cap AS "monthlyCap",
  json_build_object('id', c.id, 'brand', c.brand, 'last4', c.last4, 'expMonth', c.exp_month, 'expYear', c.exp_year) AS card,
  r.status, r.paused_reason AS "pausedReason", r.consecutive_failures AS "consecutiveFailures", r.version, r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

/** The rules of an account, by wallet. */
export async function listRules(pool: Pool, accountId: string): Promise<AutoTopupRule[]> {
  const res = await pool.query<AutoTopupRule>(`SELECT ${COLUMNS} FROM auto_topup_rules r JOIN saved_cards c ON c.id = r.card_id WHERE r.account_id = $1 ORDER BY r.wallet`, [accountId]);
  return res.rows;
}

/** The rule of one wallet, or null. */
export async function findRule(pool: Pool, accountId: string, wallet: Wallet): Promise<AutoTopupRule | null> {
  const res = await pool.query<AutoTopupRule>(`SELECT ${COLUMNS} FROM auto_topup_rules r JOIN saved_cards c ON c.id = r.card_id WHERE r.account_id = $1 AND r.wallet = $2`, [accountId, wallet]);
  return res.rows[0] ?? null;
}

/** Saves the rule of a wallet whole: active again, failures forgotten, a new version. */
export async function saveRule(pool: Pool, accountId: string, wallet: Wallet, s: AutoTopupRuleSettings, actor: Actor): Promise<AutoTopupRule> {
  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO auto_topup_rules (account_id, wallet, enabled, threshold, mode, amount, card_id, daily_cap, monthly_cap, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (account_id, wallet) DO UPDATE SET enabled = EXCLUDED.enabled, threshold = EXCLUDED.threshold, mode = EXCLUDED.mode,
         amount = EXCLUDED.amount, card_id = EXCLUDED.card_id, daily_cap = EXCLUDED.daily_cap, monthly_cap = EXCLUDED.monthly_cap,
         status = 'active', paused_reason = NULL, consecutive_failures = 0, version = auto_topup_rules.version + 1,
         updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [accountId, wallet, s.enabled, s.threshold, s.mode, s.amount, s.cardId, s.dailyCap, s.monthlyCap, actor.userId],
    );
    await recordOperation(client, { accountId, actorId: actor.userId, action: 'auto_topup.save', details: { wallet, ...s }, address: actor.address });
    const res = await client.query<AutoTopupRule>(`SELECT ${COLUMNS} FROM auto_topup_rules r JOIN saved_cards c ON c.id = r.card_id WHERE r.account_id = $1 AND r.wallet = $2`, [accountId, wallet]);
    return res.rows[0]!;
  });
}

/**
 * Whether a usage charge that left the wallet at `balance` should wake its rule: an enabled, active rule whose
 * threshold the balance is below. One indexed read per usage charge.
 */
export async function ruleWantsCheck(pool: Pool, accountId: string, wallet: string, balance: number): Promise<boolean> {
  const res = await pool.query({
    name: 'auto_topup_rule_wants_check',
    text: `SELECT 1 FROM auto_topup_rules WHERE account_id = $1 AND wallet = $2 AND enabled AND status = 'active' AND $3 < threshold`,
    values: [accountId, wallet, balance],
  });
  return res.rowCount === 1;
}
