/**
 * The low-balance notice (seed 001, DOMAIN.md): when a wallet falls below a percentage (40 %) of its reference,
 * the last paid top-up, the owner is told once; a later top-up re-arms it. The claim is one conditional UPDATE,
 * so concurrent usage charges never send two notices for the same reference.
 */
import type { Pool } from 'pg';
import { lowBalanceEmail } from './low-balance-email';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import type { Locale } from '../shared/money-format';
import type { LowBalanceNoticeInput } from '../../workflows/definitions';

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

/** Marks the notice for the wallet's current reference as sent, if it is still due; null when it is not. */
export async function claimLowBalanceNotice(pool: Pool, accountId: string, wallet: string, percent: number): Promise<LowBalance | null> {
  const res = await pool.query<LowBalance>(
    `UPDATE wallet_alerts a SET notified_for = a.reference_entry_id, updated_at = now()
       FROM wallets w
      WHERE a.account_id = $1 AND a.wallet = $2 AND w.account_id = a.account_id AND w.wallet = a.wallet
        AND ${BELOW} AND a.notified_for IS DISTINCT FROM a.reference_entry_id
      RETURNING a.account_id AS "accountId", a.wallet, a.reference, a.reference_entry_id::text AS "referenceEntryId",
                (w.recharge + w.gift - w.unbilled) AS current`,
    [accountId, wallet, percent],
  );
  return res.rows[0] ?? null;
}

/** What the notice activity needs. */
export interface LowBalanceNoticeDeps {
  pool: Pool;
  providerName: string;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}


async function ownerOf(pool: Pool, accountId: string) {
  const res = await pool.query<{ email: string; company_name: string; locale: Locale }>(
    `SELECT u.email, a.company_name, a.locale FROM accounts a JOIN users u ON u.account_id = a.id AND u.role = 'owner' WHERE a.id = $1`,
    [accountId],
  );
  return res.rows[0] ?? null;
}

/** Builds the low-balance notice activity. */
export function createLowBalanceActivities(deps: LowBalanceNoticeDeps) {
  return {
    /**
     * Claims the notice for the wallet's reference and emails the owner; 'not-due' when the wallet is not below
     * the threshold or a newer top-up replaced the reference. A retry after the claim still sends (the email is
     * keyed by the reference, so it goes out once).
     */
    async sendLowBalanceNotice(input: LowBalanceNoticeInput): Promise<'sent' | 'already-sent' | 'not-due'> {
      const claimed = await claimLowBalanceNotice(deps.pool, input.accountId, input.wallet, input.percent);
      let due = claimed !== null && claimed.referenceEntryId === input.referenceEntryId ? claimed : null;
      if (!due) {
        const res = await deps.pool.query<LowBalance>(
          `SELECT a.account_id AS "accountId", a.wallet, a.reference, a.reference_entry_id::text AS "referenceEntryId",
                  (w.recharge + w.gift - w.unbilled) AS current
             FROM wallet_alerts a JOIN wallets w ON w.account_id = a.account_id AND w.wallet = a.wallet
            WHERE a.account_id = $1 AND a.wallet = $2 AND a.notified_for = $3`,
          [input.accountId, input.wallet, input.referenceEntryId],
        );
        due = res.rows[0] ?? null;
      }
      if (!due) return 'not-due';
      const owner = await ownerOf(deps.pool, input.accountId);
      if (!owner) return 'not-due';
      const email = lowBalanceEmail({
        locale: owner.locale,
        providerName: deps.providerName,
        companyName: owner.company_name,
        wallet: input.wallet,
        current: due.current,
        reference: due.reference,
        percent: input.percent,
      });
      const sent = await deps.sendEmail({ idempotencyKey: `low-balance:${input.accountId}:${input.wallet}:${input.referenceEntryId}`, to: owner.email, ...email });
      return sent.status;
    },
  };
}
