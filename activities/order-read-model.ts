/**
 * The order read model: one row per order in PostgreSQL for list views, written on every transition.
 * Upsert semantics keyed by order number; the highest revision wins, so a retried or late write of an
 * older state never overwrites a newer one.
 */
import type { Pool } from 'pg';
import type { OrderView } from '../workflows/definitions';

/** Writes an order view; returns the revision the row holds afterwards. */
export async function upsertOrderRow(pool: Pool, order: OrderView): Promise<number> {
  const res = await pool.query<{ revision: number }>(
    `INSERT INTO orders (order_number, account_id, created_by, wallet, currency, amount, payment_method, status,
                         check_result, revision, view, created_at, submitted_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now())
     ON CONFLICT (order_number) DO UPDATE SET
       amount = EXCLUDED.amount, payment_method = EXCLUDED.payment_method, status = EXCLUDED.status,
       check_result = EXCLUDED.check_result, revision = EXCLUDED.revision, view = EXCLUDED.view,
       submitted_at = EXCLUDED.submitted_at, updated_at = now()
     WHERE orders.revision < EXCLUDED.revision
     RETURNING revision`,
    [
      order.orderNumber,
      order.accountId,
      order.createdBy,
      order.wallet,
      order.currency,
      order.amount,
      order.paymentMethod,
      order.status,
      order.checkResult,
      order.revision,
      JSON.stringify(order),
      order.createdAt,
      order.submittedAt,
    ],
  );
  return res.rows[0]?.revision ?? order.revision;
}

/** Activities of the read model. */
export function createOrderReadModelActivities(pool: Pool) {
  return {
    /** Records the order's current state in the read model (idempotent). */
    async recordOrder(order: OrderView): Promise<void> {
      await upsertOrderRow(pool, order);
    },
  };
}
