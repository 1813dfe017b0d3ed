/**
 * Refunds asked of the gateway (db/migrations/030), under our reference: claimed before the gateway is asked (so
 * the money is counted as leaving from then on), marked requested when it took the refund, succeeded when its
 * signed callback confirmed it. Each step is idempotent.
 */
import type { Pool } from 'pg';

/** A refund to claim. */
export interface RefundClaim {
  reference: string;
  paymentId: string;
  amount: number;
  reason: string;
  requestedBy: string | null;
  workflowId: string;
}

/** Claims the refund's reference; a second claim of it (a retried activity) changes nothing. */
export async function claimRefund(pool: Pool, claim: RefundClaim): Promise<void> {
  await pool.query(
    `INSERT INTO refunds (reference, payment_id, amount, reason, requested_by, workflow_id, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'requesting') ON CONFLICT (reference) DO NOTHING`,
    [claim.reference, claim.paymentId, claim.amount, claim.reason, claim.requestedBy, claim.workflowId],
  );
}

/** The gateway took the refund: its id is kept (a refund it confirmed already stays succeeded). */
export async function markRefundRequested(pool: Pool, reference: string, gatewayRefundId: string): Promise<void> {
  await pool.query(
    `UPDATE refunds SET gateway_refund_id = coalesce(gateway_refund_id, $2), status = CASE WHEN status = 'succeeded' THEN status ELSE 'requested' END WHERE reference = $1`,
    [reference, gatewayRefundId],
  );
}

/** Drops a claim the gateway refused for good: no money left. */
export async function dropRefusedRefund(pool: Pool, reference: string): Promise<void> {
  await pool.query(`DELETE FROM refunds WHERE reference = $1 AND status = 'requesting'`, [reference]);
}

/** The gateway confirmed the refund (its signed callback): the workflow to tell, or null for a reference we never asked. */
export async function settleRefund(pool: Pool, reference: string, eventId: string, gatewayRefundId: string): Promise<{ workflowId: string; amount: number } | null> {
  const res = await pool.query<{ workflowId: string; amount: number }>(
    `UPDATE refunds SET status = 'succeeded', succeeded_at = coalesce(succeeded_at, now()), confirmed_by = coalesce(confirmed_by, $2),
            gateway_refund_id = coalesce(gateway_refund_id, $3)
      WHERE reference = $1 RETURNING workflow_id AS "workflowId", amount`,
    [reference, eventId, gatewayRefundId],
  );
  return res.rows[0] ?? null;
}
