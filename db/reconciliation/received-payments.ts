/**
 * Received payments (db/migrations/030): every incoming payment, from the gateway's callbacks or a bank
 * statement's lines, recorded once by its id before anything acts on it. The money proof starts from here.
 */
import type { Pool, PoolClient } from 'pg';
import type { IncomingPayment } from '../../workflows/definitions';

/** Records a payment once; 'new' the first time, 'duplicate' after (nothing changes). */
export async function recordReceivedPayment(db: Pool | PoolClient, payment: IncomingPayment): Promise<'new' | 'duplicate'> {
  const res = await db.query(
    `INSERT INTO received_payments (id, source, amount, currency, received_at, reference, order_number, payment)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
    [payment.paymentId, payment.source, payment.amount, payment.currency, payment.receivedAt, payment.reference, payment.orderNumber, JSON.stringify(payment)],
  );
  return res.rowCount === 1 ? 'new' : 'duplicate';
}

/** A recorded payment, or null. */
export async function findReceivedPayment(db: Pool | PoolClient, paymentId: string): Promise<IncomingPayment | null> {
  const res = await db.query<{ payment: IncomingPayment }>('SELECT payment FROM received_payments WHERE id = $1', [paymentId]);
  return res.rows[0]?.payment ?? null;
}
