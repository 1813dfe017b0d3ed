/**
 * The payment exceptions' read model (db/migrations/030): one row per exception, written by its workflow on
 * every change (the highest revision wins), with the decision that made the change in the operation log once per
 * (exception, revision); and the queue finance works from, oldest payment first.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../transaction';
import type { ExceptionChange, ExceptionReason, ExceptionStatus, PaymentExceptionView } from '../../workflows/definitions';

/** Writes an exception's row unless a row of a higher (or the same) revision is there; inside a caller's transaction too. */
export async function writeExceptionRow(db: Pool | PoolClient, view: PaymentExceptionView): Promise<void> {
  const { allocations: a, payment, suggestion, resolution } = view;
  await db.query(
    `INSERT INTO payment_exceptions (id, reason, status, resolution, amount, credited, refunded, dismissed, held, account_id, order_number,
                                     received_at, opened_at, revision, view, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now())
     ON CONFLICT (id) DO UPDATE SET
       status = EXCLUDED.status, resolution = EXCLUDED.resolution, credited = EXCLUDED.credited, refunded = EXCLUDED.refunded,
       dismissed = EXCLUDED.dismissed, held = EXCLUDED.held, account_id = EXCLUDED.account_id, order_number = EXCLUDED.order_number,
       revision = EXCLUDED.revision, view = EXCLUDED.view, updated_at = now()
     WHERE payment_exceptions.revision < EXCLUDED.revision`,
    [
      view.exceptionId,
      view.reason,
      view.status,
      resolution?.action ?? null,
      payment.amount,
      a.credited,
      a.refunded,
      a.dismissed,
      a.held,
      resolution?.accountId ?? suggestion.accountId,
      resolution?.orderNumber ?? suggestion.orderNumber,
      payment.receivedAt,
      view.openedAt,
      view.revision,
      JSON.stringify(view),
    ],
  );
}

/** Records an exception's state, and the decision that made it (once per revision), in one transaction. */
export async function recordException(pool: Pool, view: PaymentExceptionView, change?: ExceptionChange): Promise<void> {
  if (!change) return writeExceptionRow(pool, view);
  await inTransaction(pool, async (client) => {
    await writeExceptionRow(client, view);
    await client.query(
      `INSERT INTO operation_log (account_id, actor_id, action, exception_id, revision, details)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ON CONSTRAINT operation_log_exception_change DO NOTHING`,
      [view.resolution?.accountId ?? view.suggestion.accountId, change.by, change.action, view.exceptionId, view.revision, JSON.stringify({ ...change.details, status: view.status })],
    );
  });
}

/** An exception as the read model holds it, or null. */
export async function findException(db: Pool | PoolClient, exceptionId: string): Promise<PaymentExceptionView | null> {
  const res = await db.query<{ view: PaymentExceptionView }>('SELECT view FROM payment_exceptions WHERE id = $1', [exceptionId]);
  return res.rows[0]?.view ?? null;
}

/** Which exceptions a list shows: a status, or every one not resolved yet. */
export type ExceptionStatusFilter = ExceptionStatus | 'unresolved' | 'all';

/** One page of exceptions, oldest payment first. */
export async function listExceptions(
  pool: Pool,
  filter: { status: ExceptionStatusFilter; reason?: ExceptionReason; page: number; pageSize: number },
): Promise<{ items: PaymentExceptionView[]; total: number }> {
  const status = filter.status === 'all' ? null : filter.status;
  const where = `WHERE ($1::text IS NULL OR ($1 = 'unresolved' AND status <> 'resolved') OR status = $1) AND ($2::text IS NULL OR reason = $2)`;
  const params = [status, filter.reason ?? null];
  const [rows, count] = await Promise.all([
    pool.query<{ view: PaymentExceptionView }>(`SELECT view FROM payment_exceptions ${where} ORDER BY received_at, id LIMIT $3 OFFSET $4`, [
      ...params,
      filter.pageSize,
      (filter.page - 1) * filter.pageSize,
    ]),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM payment_exceptions ${where}`, params),
  ]);
  return { items: rows.rows.map((r) => r.view), total: count.rows[0]?.total ?? 0 };
}

/** Open exceptions (not resolved) by reason, for the metric. */
export async function countUnresolvedByReason(pool: Pool): Promise<Array<{ reason: ExceptionReason; n: number }>> {
  const res = await pool.query<{ reason: ExceptionReason; n: number }>(`SELECT reason, count(*)::int AS n FROM payment_exceptions WHERE status <> 'resolved' GROUP BY reason`);
  return res.rows;
}

/** Seconds since the oldest exception still in front of finance (status open) was received; 0 when none is. */
export async function oldestOpenExceptionAgeSeconds(pool: Pool): Promise<number> {
  const res = await pool.query<{ age: number | null }>(`SELECT EXTRACT(EPOCH FROM now() - min(received_at))::float8 AS age FROM payment_exceptions WHERE status = 'open'`);
  return Math.max(0, res.rows[0]?.age ?? 0);
}

/** The decisions logged on an exception, oldest first, with who made them. */
export async function exceptionLog(pool: Pool, exceptionId: string): Promise<Array<{ action: string; actor: string | null; details: Record<string, unknown>; createdAt: Date }>> {
  const res = await pool.query<{ action: string; actor: string | null; details: Record<string, unknown>; createdAt: Date }>(
    `SELECT l.action, u.username AS actor, l.details, l.created_at AS "createdAt"
       FROM operation_log l LEFT JOIN users u ON u.id = l.actor_id WHERE l.exception_id = $1 ORDER BY l.id`,
    [exceptionId],
  );
  return res.rows;
}
