/** Subscriptions (seed 002): an account's active service, created by ops or the product backend. */
import type { Pool } from 'pg';
import { recordOperation } from '../accounts/operation-log';
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
  /** The owner's stop: when, by whom, and the day the service ends (the end of the last period paid). */
  stop: { requestedAt: string; requestedBy: string; endsOn: string } | null;
  /** When the service ended (status `stopped`). */
  stoppedAt: string | null;
}

const SUBSCRIPTION_SELECT = `SELECT s.id, s.account_id AS "accountId", s.product, s.price, s.cycle_months AS "cycleMonths",
    to_char(s.start_date, 'YYYY-MM-DD') AS "startDate", s.status, a.time_zone AS "timeZone",
    CASE WHEN s.stop_requested_at IS NULL THEN NULL ELSE json_build_object(
      'requestedAt', to_char(s.stop_requested_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      'requestedBy', coalesce(u.username, s.stop_requested_by), 'endsOn', to_char(s.ends_on, 'YYYY-MM-DD')) END AS stop,
    to_char(s.stopped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "stoppedAt"
  FROM subscriptions s JOIN accounts a ON a.id = s.account_id LEFT JOIN users u ON u.id = s.stop_requested_by`;

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
export type NewSubscription = Omit<SubscriptionRecord, 'status' | 'timeZone' | 'stop' | 'stoppedAt'> & { createdBy: string };

/** Stores a new subscription (active). */
export async function insertSubscription(pool: Pool, s: NewSubscription): Promise<void> {
  await pool.query(
    'INSERT INTO subscriptions (id, account_id, product, price, cycle_months, start_date, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [s.id, s.accountId, s.product, s.price, s.cycleMonths, s.startDate, s.createdBy],
  );
}

/** Sets the subscription's status (suspended past due, active again once paid), unless it was cancelled or stopped. */
export async function setSubscriptionStatus(pool: Pool, id: string, status: 'active' | 'suspended'): Promise<void> {
  await pool.query(`UPDATE subscriptions SET status = $2, updated_at = now() WHERE id = $1 AND status NOT IN ('cancelled', 'stopped')`, [id, status]);
}

/**
 * Records the owner's stop (the first ask's time and user are kept) and the day the service ends, which a later
 * period paid before the stop came moves on; the operation log's entry is written once.
 */
export async function recordSubscriptionStop(pool: Pool, stop: { subscriptionId: string; by: string; requestedAt: string; endsOn: string }): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const res = await client.query<{ account_id: string }>(
      `UPDATE subscriptions SET stop_requested_at = coalesce(stop_requested_at, $2), stop_requested_by = coalesce(stop_requested_by, $3), ends_on = $4, updated_at = now()
        WHERE id = $1 RETURNING account_id`,
      [stop.subscriptionId, stop.requestedAt, stop.by, stop.endsOn],
    );
    const accountId = res.rows[0]?.account_id;
    if (!accountId) throw new Error(`subscription ${stop.subscriptionId} does not exist`);
    await recordOperation(client, {
      accountId,
      actorId: stop.by,
      action: 'subscription.stop',
      details: { subscriptionId: stop.subscriptionId, endsOn: stop.endsOn },
      onceKey: `subscription-stop:${stop.subscriptionId}`,
    });
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The service ended at `at` (its billing's clock): `stopped`, unless ops cancelled it meanwhile. */
export async function endSubscription(pool: Pool, id: string, at: string): Promise<void> {
  await pool.query(`UPDATE subscriptions SET status = 'stopped', stopped_at = coalesce(stopped_at, $2), updated_at = now() WHERE id = $1 AND status <> 'cancelled'`, [id, at]);
}

/** How many active subscriptions the account has. */
export async function countActiveSubscriptions(pool: Pool, accountId: string): Promise<number> {
  const res = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM subscriptions WHERE account_id = $1 AND status = 'active'`, [accountId]);
  return res.rows[0]?.n ?? 0;
}
