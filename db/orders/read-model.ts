/**
 * The order read model: one row per order in PostgreSQL for list views, written on every transition, for
 * bank-transfer and online orders alike. Upsert semantics keyed by order number; the highest revision wins,
 * so a retried or late write of an older state never overwrites a newer one. A transition someone's message
 * made is written to the operation log in the same transaction, once per (order, revision). A new status is
 * published as an `order.status_changed` webhook event, once per (order, revision): the row remembers the revision
 * of its last status change, so a retried write whose first attempt committed still publishes it.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../transaction';
import { publishWebhookEvent, type PublishedEvent } from '../webhooks/events';
import type { AnyOrderView, OnlineOrderView, OrderChange, OrderStatus, OrderView, TopupPolicy } from '../../workflows/definitions';

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

/** A written row: its revision, the revision of its last status change, and the status before that change. */
interface WrittenRow {
  revision: number;
  statusRevision: number | null;
  previousStatus: OrderStatus | null;
}

/**
 * Writes the row if its revision is newer, or replaces the API's placeholder of the same revision; answers the row
 * as written, or null when a newer (or the same) one stood. A placeholder (the API's first row of a new order, so
 * the list reads its own writes) is written only where no row is, and publishes nothing: its status is published
 * by the workflow's own first write, whose activity wakes the endpoints.
 */
async function writeOrderRow(pool: Pool | PoolClient, row: OrderRow, placeholder: boolean): Promise<WrittenRow | null> {
  const res = await pool.query<WrittenRow>(
    `INSERT INTO orders (order_number, kind, account_id, created_by, wallet, currency, amount, payment_method, status,
                         check_result, revision, view, created_at, submitted_at, updated_at, status_revision)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now(), CASE WHEN $15 THEN NULL ELSE $11::int END)
     ON CONFLICT (order_number) DO UPDATE SET
       wallet = EXCLUDED.wallet, amount = EXCLUDED.amount, payment_method = EXCLUDED.payment_method,
       status = EXCLUDED.status, check_result = EXCLUDED.check_result, revision = EXCLUDED.revision,
       view = EXCLUDED.view, submitted_at = EXCLUDED.submitted_at, updated_at = now(),
       status_revision = CASE WHEN orders.status IS DISTINCT FROM EXCLUDED.status OR orders.status_revision IS NULL THEN EXCLUDED.revision ELSE orders.status_revision END,
       previous_status = CASE WHEN orders.status IS DISTINCT FROM EXCLUDED.status THEN orders.status ELSE orders.previous_status END
     WHERE NOT $15 AND (orders.revision < EXCLUDED.revision OR (orders.revision = EXCLUDED.revision AND orders.status_revision IS NULL))
     RETURNING revision, status_revision AS "statusRevision", previous_status AS "previousStatus"`,
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
      placeholder,
    ],
  );
  return res.rows[0] ?? null;
}

/** The row as stored, for a write that changed nothing (a retry, or the workflow's first write after the API's). */
async function readWrittenRow(pool: Pool, orderNumber: string): Promise<WrittenRow | null> {
  const res = await pool.query<WrittenRow>('SELECT revision, status_revision AS "statusRevision", previous_status AS "previousStatus" FROM orders WHERE order_number = $1', [
    orderNumber,
  ]);
  return res.rows[0] ?? null;
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

/** What recording an order did: the revision stored, and the status-change event published for it, if any. */
export interface RecordedOrder {
  revision: number;
  /** The `order.status_changed` event of this revision (new or published before), to wake its endpoints. */
  published: PublishedEvent | null;
}

/** How a row is written: by its workflow (publishing a new status), or as the API's placeholder of a new order. */
export interface RecordOptions {
  change?: OrderChange;
  placeholder?: boolean;
}

/** Writes the row, and the change that produced it when there is one, in one transaction; then publishes a new status. */
async function recordRow(pool: Pool, row: OrderRow, { change, placeholder = false }: RecordOptions): Promise<RecordedOrder> {
  const written = change
    ? await inTransaction(pool, async (client) => {
        const w = await writeOrderRow(client, row, placeholder);
        await logChange(client, row, change);
        return w;
      })
    : await writeOrderRow(pool, row, placeholder);
  if (placeholder) return { revision: row.revision, published: null };
  const stored = written ?? (await readWrittenRow(pool, row.orderNumber));
  if (!stored || stored.revision !== row.revision || stored.statusRevision !== row.revision) return { revision: stored?.revision ?? row.revision, published: null };
  const published = await publishWebhookEvent(pool, {
    sourceKey: `order:${row.orderNumber}:r${row.revision}`,
    accountId: row.accountId,
    type: 'order.status_changed',
    data: { orderNumber: row.orderNumber, status: row.status, previousStatus: stored.previousStatus, order: row.view },
  });
  return { revision: row.revision, published };
}

const bankTransferRow = (order: OrderView): OrderRow => ({ ...order, kind: 'bank_transfer', view: order });

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

/** Records a bank-transfer order's state, and the change that made it, once (the highest revision wins). */
export async function recordBankTransferOrder(pool: Pool, order: OrderView, options: RecordOptions = {}): Promise<RecordedOrder> {
  return recordRow(pool, bankTransferRow(order), options);
}

/** Records an online order's state, and the change that made it, once (the highest revision wins). */
export async function recordOnlineOrder(pool: Pool, order: OnlineOrderView, options: RecordOptions = {}): Promise<RecordedOrder> {
  return recordRow(pool, onlineRow(order), options);
}

/** An order as the read model holds it, with its account. */
export interface StoredOrder {
  view: AnyOrderView;
  accountId: string;
}

/** Reads an order's recorded view, or null. */
export async function findOrder(pool: Pool, orderNumber: string): Promise<StoredOrder | null> {
  const res = await pool.query<StoredOrder>('SELECT view, account_id AS "accountId" FROM orders WHERE order_number = $1', [orderNumber]);
  return res.rows[0] ?? null;
}

/** Keeps the policy the order was started with (its workflow's snapshot), once. */
export async function storeOrderPolicy(pool: Pool, orderNumber: string, policy: TopupPolicy): Promise<void> {
  await pool.query('UPDATE orders SET policy = $2 WHERE order_number = $1 AND policy IS NULL', [orderNumber, JSON.stringify(policy)]);
}

/** The policy the order was started with, or null for an order from before it was kept. */
export async function findOrderPolicy(pool: Pool, orderNumber: string): Promise<TopupPolicy | null> {
  const res = await pool.query<{ policy: TopupPolicy | null }>('SELECT policy FROM orders WHERE order_number = $1', [orderNumber]);
  return res.rows[0]?.policy ?? null;
}

/** Marks the order as the one paying a subscription invoice. */
export async function linkOrderToInvoice(pool: Pool, orderNumber: string, invoiceId: string): Promise<void> {
  await pool.query('UPDATE orders SET invoice_id = $2 WHERE order_number = $1', [orderNumber, invoiceId]);
}

/** An order that pays `invoiceId` and is still on its way (Unpaid, Awaiting payment, Dealing), or holds its money (Paid, Paid late), if there is one. */
export async function findOpenOrderOfInvoice(pool: Pool, invoiceId: string): Promise<string | null> {
  const res = await pool.query<{ order_number: string }>(
    `SELECT order_number FROM orders WHERE invoice_id = $1 AND status IN ('unpaid', 'awaiting_payment', 'dealing', 'paid', 'paid_late') LIMIT 1`,
    [invoiceId],
  );
  return res.rows[0]?.order_number ?? null;
}

/** How many orders hold each status. */
export async function countOrdersByStatus(pool: Pool): Promise<Array<{ status: OrderStatus; n: number }>> {
  const res = await pool.query<{ status: OrderStatus; n: number }>('SELECT status, count(*)::int AS n FROM orders GROUP BY status');
  return res.rows;
}

/** Seconds since the oldest slip still waiting on finance (Dealing) was submitted; 0 when none waits. */
export async function oldestDealingAgeSeconds(pool: Pool): Promise<number> {
  const res = await pool.query<{ age: number | null }>("SELECT EXTRACT(EPOCH FROM now() - min(submitted_at))::float8 AS age FROM orders WHERE status = 'dealing'");
  return res.rows[0]?.age ?? 0;
}
