/** The deposit rules that need the database (seed 002): an active service, and no unpaid invoice. */
import type { Pool } from 'pg';
import { depositEligibilityRule, type DepositStanding } from '../../workflows/bank-transfer/amount-rules';
import { HttpError } from '../shared/errors';

/** The account's subscriptions and unpaid invoices, as the deposit rules see them. */
export async function depositStanding(pool: Pool, accountId: string): Promise<DepositStanding> {
  const [subs, unpaid] = await Promise.all([
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM subscriptions WHERE account_id = $1 AND status = 'active'`, [accountId]),
    pool.query<{ id: string }>(`SELECT id FROM invoices WHERE account_id = $1 AND status = 'unpaid' ORDER BY issued_at`, [accountId]),
  ]);
  return { activeSubscriptions: Number(subs.rows[0]?.n ?? 0), unpaidInvoiceIds: unpaid.rows.map((r) => r.id) };
}

/** 409 naming the rule when the account may not top up its deposit now. */
export async function requireDepositEligible(pool: Pool, accountId: string): Promise<void> {
  const rule = depositEligibilityRule(await depositStanding(pool, accountId));
  if (rule) throw new HttpError(409, 'deposit_not_allowed', rule, [{ path: 'wallet', rule }]);
}
