/**
 * The low-balance notice's rows (seed 001): a wallet below a percentage of its reference (the last paid top-up),
 * and the claim of its one notice, a conditional UPDATE, so concurrent usage charges never claim it twice.
 */
import type { Pool } from 'pg';

/** A wallet that has fallen below its threshold and has not been notified for its current reference. */
export interface LowBalance {
  accountId: string;
  wallet: string;
  reference: number;
  referenceEntryId: string;
  current: number;
}

const BELOW = `(w.recharge + w.gift - w.unbilled) * 100 < a.reference * $3`;

/** Reads whether a wallet is below `percent` of its reference and not yet notified for it (no change). */
export async function findLowBalance(pool: Pool, accountId: string, wallet: string, percent: number): Promise<LowBalance | null> {
  const res = await pool.query<LowBalance>(
    `SELECT a.account_id AS "accountId", a.wallet, a.reference, a.reference_entry_id::text AS "referenceEntryId",
            (w.recharge + w.gift - w.unbilled) AS current
       FROM wallet_alerts a JOIN wallets w ON w.account_id = a.account_id AND w.wallet = a.wallet
      WHERE a.account_id = $1 AND a.wallet = $2 AND ${BELOW} AND a.notified_for IS DISTINCT FROM a.reference_entry_id`,
    [accountId, wallet, percent],
  );
  return res.rows[0] ?? null;
}

/**
 * Marks the notice for the wallet's current reference as sent, if it is still due, and keeps it as claimed (its
 * reference and balance) for a retry; null when it is not due.
 */
export async function claimLowBalanceNotice(pool: Pool, accountId: string, wallet: string, percent: number): Promise<LowBalance | null> {
  const res = await pool.query<LowBalance>(
    `WITH claimed AS (
       UPDATE wallet_alerts a SET notified_for = a.reference_entry_id, updated_at = now()
         FROM wallets w
        WHERE a.account_id = $1 AND a.wallet = $2 AND w.account_id = a.account_id AND w.wallet = a.wallet
          AND ${BELOW} AND a.notified_for IS DISTINCT FROM a.reference_entry_id
        RETURNING a.account_id, a.wallet, a.reference, a.reference_entry_id, (w.recharge + w.gift - w.unbilled) AS current
     ), kept AS (
       INSERT INTO low_balance_notices (account_id, wallet, reference_entry_id, reference, current)
       SELECT account_id, wallet, reference_entry_id, reference, current FROM claimed
       ON CONFLICT DO NOTHING
     )
     SELECT account_id AS "accountId", wallet, reference, reference_entry_id::text AS "referenceEntryId", current FROM claimed`,
    [accountId, wallet, percent],
  );
  return res.rows[0] ?? null;
}

/**
 * The notice for `referenceEntryId` as it was claimed (a retry after the claim), or null. Read from the claims kept,
 * not from `wallet_alerts`, whose reference a later top-up replaces: the retry still sends what was claimed.
 */
export async function findClaimedLowBalance(pool: Pool, accountId: string, wallet: string, referenceEntryId: string): Promise<LowBalance | null> {
  const res = await pool.query<LowBalance>(
    `SELECT account_id AS "accountId", wallet, reference, reference_entry_id::text AS "referenceEntryId", current
       FROM low_balance_notices WHERE account_id = $1 AND wallet = $2 AND reference_entry_id = $3`,
    [accountId, wallet, referenceEntryId],
  );
  return res.rows[0] ?? null;
}
