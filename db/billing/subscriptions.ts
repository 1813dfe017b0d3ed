/** Subscriptions (seed 002): an account's active service, created by ops or the product backend. */
import type { Pool } from 'pg';
import type { SubscriptionStatus } from '../../workflows/definitions';

/** A subscription as billing needs it. */
export interface SubscriptionRecord {
  id: string;
  accountId: string;
  product: string;
  price: number;
  cycleMonths: number;
  startDate: string;
  status: SubscriptionStatus;
  timeZone: string;
}

const SUBSCRIPTION_SELECT = `SELECT s.id, s.account_id AS "accountId", s.product, s.price, s.cycle_months AS "cycleMonths",
    to_char(s.start_date, 'YYYY-MM-DD') AS "startDate", s.status, a.time_zone AS "timeZone"
  FROM subscriptions s JOIN accounts a ON a.id = s.account_id`;

/** Reads a subscription with its account's time zone, or null. */
export async function findSubscription(pool: Pool, id: string): Promise<SubscriptionRecord | null> {
  const res = await pool.query<SubscriptionRecord>(`${SUBSCRIPTION_SELECT} WHERE s.id = $1`, [id]);
  return res.rows[0] ?? null;
}

/** An account's subscriptions (every account's when `accountId` is undefined), oldest first. */
export async function listSubscriptions(pool: Pool, accountId: string | undefined): Promise<SubscriptionRecord[]> {
  const res = await pool.query<SubscriptionRecord>(`${SUBSCRIPTION_SELECT} WHERE ($1::text IS NULL OR s.account_id = $1) ORDER BY s.created_at, s.id`, [accountId ?? null]);
  return res.rows;
}

/** What a new subscription is (it starts active, in its account's time zone), and who created it. */
export type NewSubscription = Omit<SubscriptionRecord, 'status' | 'timeZone'> & { createdBy: string };

/** Stores a new subscription (active). */
export async function insertSubscription(pool: Pool, s: NewSubscription): Promise<void> {
  await pool.query(
    'INSERT INTO subscriptions (id, account_id, product, price, cycle_months, start_date, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [s.id, s.accountId, s.product, s.price, s.cycleMonths, s.startDate, s.createdBy],
  );
}

/** Sets the subscription's status (suspended past due, active again once paid), unless it was cancelled. */
export async function setSubscriptionStatus(pool: Pool, id: string, status: 'active' | 'suspended'): Promise<void> {
  await pool.query(`UPDATE subscriptions SET status = $2, updated_at = now() WHERE id = $1 AND status <> 'cancelled'`, [id, status]);
}

/** How many active subscriptions the account has. */
export async function countActiveSubscriptions(pool: Pool, accountId: string): Promise<number> {
  const res = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM subscriptions WHERE account_id = $1 AND status = 'active'`, [accountId]);
  return res.rows[0]?.n ?? 0;
}
