/** Starts a bank-transfer order: a new order number, its workflow, the first read-model row, the log entry. */
import { upsertOrderRow } from '../../db/orders/read-model';
import { allocateOrderNumber } from '../../db/orders/order-numbers';
import { newBankTransferOrder } from '../../workflows/bank-transfer/order-view';
import { orderWorkflowId, type InvoiceSettlement, type OrderView, type TopupOrderInput } from '../../workflows/definitions';
import type { Wallet } from '../../workflows/shared/policy';
import type { Principal } from '../accounts/auth';
import { recordOperation } from '../../db/accounts/operation-log';
import type { OrderRouteDeps } from './order-routes';

/** What the order buys, and the unpaid invoice it pays, if any. */
export interface NewBankTransferOrder {
  wallet: Wallet;
  amount: number;
  settles: InvoiceSettlement | null;
}

/** Starts the order's workflow and answers its first view (Unpaid). */
export async function startBankTransferOrder(deps: OrderRouteDeps, principal: Principal, req: NewBankTransferOrder): Promise<OrderView> {
  const now = deps.now();
  const orderNumber = await allocateOrderNumber(deps.pool, now);
  const input: TopupOrderInput = {
    orderNumber,
    accountId: principal.accountId!,
    createdBy: principal.userId,
    wallet: req.wallet,
    amount: req.amount,
    currency: 'IDR',
    createdAt: now.toISOString(),
    policy: deps.policy,
    settles: req.settles,
  };
  await deps.temporal.workflow.start('topupOrder', {
    taskQueue: deps.taskQueue,
    workflowId: orderWorkflowId(orderNumber),
    args: [input],
    staticSummary: `Top-up ${orderNumber}: ${req.wallet} IDR ${req.amount}${req.settles ? ` for invoice ${req.settles.invoiceId}` : ''}`,
  });
  const view = newBankTransferOrder(input, null);
  // The workflow writes the same revision-0 row; writing it here too makes the list read-your-writes.
  await upsertOrderRow(deps.pool, view);
  if (req.settles) await deps.pool.query('UPDATE orders SET invoice_id = $2 WHERE order_number = $1', [orderNumber, req.settles.invoiceId]);
  await recordOperation(deps.pool, {
    accountId: view.accountId,
    actorId: principal.userId,
    action: 'order.create',
    orderNumber,
    details: { wallet: view.wallet, amount: view.amount, status: view.status, ...(req.settles ? { invoiceId: req.settles.invoiceId } : {}) },
  });
  return view;
}
