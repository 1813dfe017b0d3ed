/**
 * Starts an order of either kind, the one way orders begin: a new order number, its workflow (started by its
 * typed name), the first read-model row (revision 0, which the workflow writes too: writing it here makes the
 * list read-your-writes), and the log entry of its creation.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { findAccount } from '../../db/accounts/accounts';
import { recordOperation } from '../../db/accounts/operation-log';
import { allocateOrderNumber } from '../../db/orders/order-numbers';
import { linkOrderToInvoice, recordBankTransferOrder, recordOnlineOrder, storeOrderPolicy } from '../../db/orders/read-model';
import {
  draftOnlineOrder,
  newBankTransferOrder,
  orderWorkflowId,
  type InvoiceSettlement,
  type OnlineBill,
  type OnlineLineRequest,
  type OnlineOrderView,
  type OrderView,
  type TopupPolicy,
  type Wallet,
  CURRENCIES,
  isSupportedCurrency,
  type Currency,
} from '../../workflows/definitions';
import { HttpError } from '../shared/errors';
import type { Principal } from '../accounts/auth';
import { startWorkflow } from '../shared/start-workflow';

/** What starting an order needs. */
export interface StartOrderDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  now: () => Date;
}

/** A bank-transfer order: what it buys, and the unpaid invoice it pays, if any. */
export interface NewBankTransferOrder {
  kind: 'bank_transfer';
  wallet: Wallet;
  amount: number;
  settles: InvoiceSettlement | null;
}

/** An online order: its lines as asked for and as priced, and the account's time zone its invoice expires in. */
export interface NewOnlineOrder {
  kind: 'online';
  lines: OnlineLineRequest[];
  bill: Pick<OnlineBill, 'lines' | 'subtotal'>;
  timeZone: string;
  /** The unpaid invoice it pays (one deposit line of its amount), if any. */
  settles?: InvoiceSettlement | null;
}

/**
 * The currency of the account's orders (the account's own, stored with it) and its time zone, whose day an order
 * number carries. A currency the service does not handle (the database allows only those it does, so this is a
 * guard for a schema that drifted) refuses the order.
 */
async function accountTerms(pool: Pool, accountId: string): Promise<{ currency: Currency; timeZone: string }> {
  const account = await findAccount(pool, accountId);
  if (!account) throw new HttpError(404, 'not_found', `account ${accountId} was not found`);
  if (!isSupportedCurrency(account.currency)) {
    throw new HttpError(409, 'unsupported_currency', `the account's currency ${String(account.currency)} is not one the service handles (${CURRENCIES.join(', ')}); an admin sets it`);
  }
  return { currency: account.currency, timeZone: account.timeZone };
}

/** Starts the order's workflow and answers its first view (Unpaid). */
export async function startOrder(deps: StartOrderDeps, principal: Principal, order: NewBankTransferOrder): Promise<OrderView>;
export async function startOrder(deps: StartOrderDeps, principal: Principal, order: NewOnlineOrder): Promise<OnlineOrderView>;
export async function startOrder(deps: StartOrderDeps, principal: Principal, order: NewBankTransferOrder | NewOnlineOrder): Promise<OrderView | OnlineOrderView> {
  const { currency, timeZone } = await accountTerms(deps.pool, principal.accountId!);
  const now = deps.now();
  // The number carries the day of the order in the account's own time zone, as its customer reads the date.
  const orderNumber = await allocateOrderNumber(deps.pool, now, timeZone);
  const base = { orderNumber, accountId: principal.accountId!, createdBy: principal.userId, currency, createdAt: now.toISOString(), policy: deps.policy };
  const started = { taskQueue: deps.taskQueue, workflowId: orderWorkflowId(orderNumber) };
  if (order.kind === 'bank_transfer') {
    const { wallet, amount, settles } = order;
    const input = { ...base, wallet, amount, settles };
    const forInvoice = settles ? ` for invoice ${settles.invoiceId}` : '';
    await startWorkflow(deps.temporal, 'topupOrder', { ...started, args: [input], staticSummary: `Top-up ${orderNumber}: ${wallet} ${currency} ${amount}${forInvoice}` });
    const view = newBankTransferOrder(input, null);
    await recordBankTransferOrder(deps.pool, view, { placeholder: true });
    await storeOrderPolicy(deps.pool, orderNumber, deps.policy);
    if (settles) await linkOrderToInvoice(deps.pool, orderNumber, settles.invoiceId);
    const details = { wallet, amount, status: view.status, ...(settles ? { invoiceId: settles.invoiceId } : {}) };
    await recordOperation(deps.pool, { accountId: view.accountId, actorId: principal.userId, action: 'order.create', orderNumber, details });
    return view;
  }
  const settles = order.settles ?? null;
  const input = { ...base, lines: order.lines, timeZone: order.timeZone, settles };
  const forInvoice = settles ? ` for invoice ${settles.invoiceId}` : '';
  const summary = `Online top-up ${orderNumber}: ${order.bill.lines.map((l) => l.wallet).join(', ')}, ${currency} ${order.bill.subtotal}${forInvoice}`;
  await startWorkflow(deps.temporal, 'onlineTopupOrder', { ...started, args: [input], staticSummary: summary });
  const view = draftOnlineOrder(input, order.bill, null);
  await recordOnlineOrder(deps.pool, view, { placeholder: true });
  await storeOrderPolicy(deps.pool, orderNumber, deps.policy);
  if (settles) await linkOrderToInvoice(deps.pool, orderNumber, settles.invoiceId);
  const details = { lines: order.lines, ...(settles ? { invoiceId: settles.invoiceId } : {}) };
  await recordOperation(deps.pool, { accountId: view.accountId, actorId: principal.userId, action: 'online_order.create', orderNumber, details });
  return view;
}
