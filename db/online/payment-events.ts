/**
 * The payment gateway's events (db/migrations/006_payment_events.sql), recorded once by their id. Every verified
 * event is kept, also one for an expired invoice or an unknown order: money that arrived is never dropped.
 */
import type { Pool, PoolClient } from 'pg';

/** A verified gateway event, as it is recorded. */
export interface PaymentEvent {
  id: string;
  type: 'invoice.paid';
  data: { providerRef: string; merchantRef: string; method: string; amount: number; paidAt: string };
}

/** A verified event of another kind (a refund's confirmation), which is kept with the refund, not here. */
interface OtherEvent {
  id: string;
  type: 'refund.succeeded';
}

/**
 * Records a verified payment event once: 'new' the first time its id is seen, 'duplicate' after (nothing
 * changes). Refund confirmations are not payments: they are refused here (db/reconciliation/refunds.ts keeps them).
 */
export async function recordCallbackEvent(pool: Pool | PoolClient, event: PaymentEvent | OtherEvent, rawBody: Buffer): Promise<'new' | 'duplicate'> {
  if (event.type !== 'invoice.paid') throw new Error(`event ${event.id} is a ${event.type}, not a payment`);
  const { rowCount } = await pool.query(
    `INSERT INTO payment_events (id, type, provider_ref, merchant_ref, method, amount, paid_at, raw)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
     ON CONFLICT (id) DO NOTHING`,
    [event.id, event.type, event.data.providerRef, event.data.merchantRef, event.data.method, event.data.amount, event.data.paidAt, rawBody.toString('utf8')],
  );
  return rowCount === 1 ? 'new' : 'duplicate';
}

/**
 * Marks a recorded event as applied to its order, with what was done (e.g. 'paid', 'paid_late'). The first
 * mark stands: marking again changes nothing. Throws when no event has this id.
 */
export async function markCallbackApplied(pool: Pool, eventId: string, disposition: string): Promise<void> {
  const { rowCount } = await pool.query(
    `UPDATE payment_events SET applied_at = coalesce(applied_at, now()), disposition = coalesce(disposition, $2) WHERE id = $1`,
    [eventId, disposition],
  );
  if (rowCount !== 1) throw new Error(`no payment event ${eventId} was recorded`);
}

/** True when the event was applied to its order already (a repeated callback). */
export async function isCallbackApplied(pool: Pool, eventId: string): Promise<boolean> {
  const res = await pool.query<{ applied: boolean }>('SELECT applied_at IS NOT NULL AS applied FROM payment_events WHERE id = $1', [eventId]);
  return res.rows[0]?.applied ?? false;
}
