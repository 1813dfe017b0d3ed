/** The operation log: who did what, when, on which account. */
import type { Pool, PoolClient } from 'pg';

/** One operation to record. */
export interface OperationEntry {
  accountId: string;
  actorId: string;
  action: string;
  orderNumber?: string;
  details?: Record<string, unknown>;
}

/** Appends an operation to the log (pass a transaction's client to log in the same transaction). */
export async function recordOperation(pool: Pool | PoolClient, entry: OperationEntry): Promise<void> {
  await pool.query('INSERT INTO operation_log (account_id, actor_id, action, order_number, details) VALUES ($1, $2, $3, $4, $5)', [
    entry.accountId,
    entry.actorId,
    entry.action,
    entry.orderNumber ?? null,
    JSON.stringify(entry.details ?? {}),
  ]);
}

/**
 * Claims the decision logged for `orderNumber` at `revision` (by its workflow, see db/orders/read-model.ts)
 * for the decision-time metric: true for the first caller only, so the decision is timed once, on one API instance,
 * however many requests were answered with it; false when there is no such decision (a refused or repeated one).
 */
export async function claimDecisionTiming(pool: Pool, orderNumber: string, revision: number, action: string): Promise<boolean> {
  const res = await pool.query('UPDATE operation_log SET timed_at = now() WHERE order_number = $1 AND revision = $2 AND action = $3 AND timed_at IS NULL', [
    orderNumber,
    revision,
    action,
  ]);
  return res.rowCount === 1;
}
