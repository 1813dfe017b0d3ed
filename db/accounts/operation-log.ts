/** The operation log: who did what, when, on which account; written by the API and by the order workflows' read-model writes. */
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
 * Claims the decision logged for `orderNumber` at `revision` (by its workflow, see read-model.ts)
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

/** One logged operation as the API shows it. */
export interface OperationLogItem {
  id: string;
  accountId: string;
  actor: { id: string; username: string; role: string };
  action: string;
  orderNumber: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** One page of the log, newest first, of one account (every account's when undefined) and one order if given. */
export async function listOperations(
  pool: Pool,
  filter: { accountId: string | undefined; orderNumber: string | undefined; page: number; pageSize: number },
): Promise<{ items: OperationLogItem[]; total: number }> {
  const where = `WHERE ($1::text IS NULL OR l.account_id = $1) AND ($2::text IS NULL OR l.order_number = $2)`;
  const params = [filter.accountId ?? null, filter.orderNumber ?? null];
  const [rows, count] = await Promise.all([
    pool.query<OperationLogItem>(
      `SELECT l.id::text AS id, l.account_id AS "accountId",
              json_build_object('id', u.id, 'username', u.username, 'role', u.role) AS actor,
              l.action, l.order_number AS "orderNumber", l.details, l.created_at AS "createdAt"
         FROM operation_log l JOIN users u ON u.id = l.actor_id
         ${where}
        ORDER BY l.id DESC LIMIT $3 OFFSET $4`,
      [...params, filter.pageSize, (filter.page - 1) * filter.pageSize],
    ),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM operation_log l ${where}`, params),
  ]);
  return { items: rows.rows, total: count.rows[0]?.total ?? 0 };
}
