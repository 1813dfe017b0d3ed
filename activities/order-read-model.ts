/**
 * The order read model: one row per order in PostgreSQL for list views, written on every transition, for
 * bank-transfer and online orders alike. Upsert semantics keyed by order number; the highest revision wins,
 * so a retried or late write of an older state never overwrites a newer one.
 */
import type { Pool } from 'pg';
import type { OnlineOrderView, OrderView } from '../workflows/definitions';

/** The columns of one read-model row. */
interface OrderRow {
  orderNumber: string;
  kind: 'bank_transfer' | 'online';
  accountId: string;
  createdBy: string;
  /** The wallet, or the wallets of an online order joined by commas. */
  wallet: string;
  currency: string;
  /** IDR: requested (bank transfer), or billed (online: the invoice total, the draft's subtotal before it). */
  amount: number;
  paymentMethod: string | null;
  status: string;
  checkResult: string | null;
  revision: number;
  view: OrderView | OnlineOrderView;
  createdAt: string;
  submittedAt: string | null;
}

async function writeOrderRow(pool: Pool, row: OrderRow): Promise<number> {
  const res = await pool.query<{ revision: number }>(
    `INSERT INTO orders (order_number, kind, account_id, created_by, wallet, currency, amount, payment_method, status,
                         check_result, revision, view, created_at, submitted_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())
     ON CONFLICT (order_number) DO UPDATE SET
       wallet = EXCLUDED.wallet, amount = EXCLUDED.amount, payment_method = EXCLUDED.payment_method,
       status = EXCLUDED.status, check_result = EXCLUDED.check_result, revision = EXCLUDED.revision,
       view = EXCLUDED.view, submitted_at = EXCLUDED.submitted_at, updated_at = now()
     WHERE orders.revision < EXCLUDED.revision
     RETURNING revision`,
    [
      row.orderNumber,
      row.kind,
      row.accountId,
      row.createdBy,
      row.wallet,
      row.currency,
      row.amount,
      row.paymentMethod,
      row.status,
      row.checkResult,
      row.revision,
      JSON.stringify(row.view),
      row.createdAt,
      row.submittedAt,
    ],
  );
  return res.rows[0]?.revision ?? row.revision;
}

/** Writes a bank-transfer order view; returns the revision the row holds afterwards. */
export async function upsertOrderRow(pool: Pool, order: OrderView): Promise<number> {
  return writeOrderRow(pool, { ...order, kind: 'bank_transfer', view: order });
}

/** Writes an online order view; returns the revision the row holds afterwards. */
export async function upsertOnlineOrderRow(pool: Pool, order: OnlineOrderView): Promise<number> {
  return writeOrderRow(pool, {
    ...order,
    wallet: order.lines.map((l) => l.wallet).join(','),
    amount: order.invoice?.total ?? order.subtotal,
    paymentMethod: order.invoice?.paymentMethod ?? null,
    submittedAt: order.invoice?.issuedAt ?? null,
    view: order,
  });
}

/** Activities of the read model. */
export function createOrderReadModelActivities(pool: Pool) {
  return {
    /** Records a bank-transfer order's current state in the read model (idempotent). */
    async recordOrder(order: OrderView): Promise<void> {
      await upsertOrderRow(pool, order);
    },
    /** Records an online order's current state in the read model (idempotent). */
    async recordOnlineOrder(order: OnlineOrderView): Promise<void> {
      await upsertOnlineOrderRow(pool, order);
    },
  };
}
