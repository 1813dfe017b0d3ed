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
