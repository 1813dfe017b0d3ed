/**
 * The order read model: one row per order in PostgreSQL for list views, written on every transition, for
 * bank-transfer and online orders alike. Upsert semantics keyed by order number; the highest revision wins,
 * so a retried or late write of an older state never overwrites a newer one. A transition someone's message
 * made is written to the operation log in the same transaction, once per (order, revision).
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../transaction';
import type { OnlineOrderView, OrderChange, OrderView } from '../../workflows/definitions';

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

async function writeOrderRow(pool: Pool | PoolClient, row: OrderRow): Promise<number> {
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

/**
 * Logs the change that produced `row`'s revision, unless it is logged already (a retried write). The actor is
 * the change's, the details say what it changed and the status it led to.
 */
async function logChange(client: PoolClient, row: OrderRow, change: OrderChange): Promise<void> {
  await client.query(
    `INSERT INTO operation_log (account_id, actor_id, action, order_number, revision, details)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT ON CONSTRAINT operation_log_transition DO NOTHING`,
    [row.accountId, change.by, change.action, row.orderNumber, row.revision, JSON.stringify({ ...change.details, status: row.status })],
  );
}

/** Writes the row, and the change that produced it when there is one, in one transaction. */
async function recordRow(pool: Pool, row: OrderRow, change: OrderChange | undefined): Promise<number> {
  if (!change) return writeOrderRow(pool, row);
  return inTransaction(pool, async (client) => {
    const revision = await writeOrderRow(client, row);
    await logChange(client, row, change);
    return revision;
  });
}

const bankTransferRow = (order: OrderView): OrderRow => ({ ...order, kind: 'bank_transfer', view: order });

/** Writes a bank-transfer order view; returns the revision the row holds afterwards. */
export async function upsertOrderRow(pool: Pool, order: OrderView): Promise<number> {
  return writeOrderRow(pool, bankTransferRow(order));
}

function onlineRow(order: OnlineOrderView): OrderRow {
  return {
    ...order,
    wallet: order.lines.map((l) => l.wallet).join(','),
    amount: order.invoice?.total ?? order.subtotal,
    paymentMethod: order.invoice?.paymentMethod ?? null,
    submittedAt: order.invoice?.issuedAt ?? null,
    view: order,
  };
}

/** Writes an online order view; returns the revision the row holds afterwards. */
export async function upsertOnlineOrderRow(pool: Pool, order: OnlineOrderView): Promise<number> {
  return writeOrderRow(pool, onlineRow(order));
}

/** Activities of the read model. */
export function createOrderReadModelActivities(pool: Pool) {
  return {
    /** Records a bank-transfer order's current state in the read model, and the change that made it (idempotent). */
    async recordOrder(order: OrderView, change?: OrderChange): Promise<void> {
      await recordRow(pool, bankTransferRow(order), change);
    },
    /** Records an online order's current state in the read model, and the change that made it (idempotent). */
    async recordOnlineOrder(order: OnlineOrderView, change?: OrderChange): Promise<void> {
      await recordRow(pool, onlineRow(order), change);
    },
  };
}
