/**
 * Who may see an order: a customer (owner, pic) only its own account's, provider staff (finance, ops) all.
 * Another account's order answers 404 exactly like a missing one, so nothing about it leaks.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { findOrder } from '../../db/orders/read-model';
import { getAnyOrderQuery, isOnlineOrder, orderWorkflowId, type AnyOrderView, type OnlineOrderView, type OrderView } from '../../workflows/definitions';
import type { Principal } from '../accounts/auth';
import { HttpError } from '../shared/errors';

/** The account a caller is limited to, or null for provider staff who see every account. */
export function accountScope(principal: Principal): string | null {
  if (principal.role === 'finance' || principal.role === 'ops') return null;
  if (!principal.accountId) throw new HttpError(403, 'forbidden', 'this credential reaches no account\'s orders');
  return principal.accountId;
}

/** Reads the read-model view of an order the caller may see, or answers 404. */
export async function findVisibleOrder(pool: Pool, orderNumber: string, principal: Principal): Promise<AnyOrderView> {
  const row = await findOrder(pool, orderNumber);
  const scope = accountScope(principal);
  if (!row || (scope !== null && row.accountId !== scope)) throw new HttpError(404, 'not_found', `order ${orderNumber} was not found`);
  return row.view;
}

/** A bank-transfer order's view, or 409 for an online order sent to a bank-transfer route. */
export function bankTransferOrder(view: AnyOrderView): OrderView {
  if (isOnlineOrder(view)) throw new HttpError(409, 'invalid_transition', `order ${view.orderNumber} is an online order; use /v1/online-orders/${view.orderNumber}`);
  return view;
}

/** An online order's view, or 409 for a bank-transfer order sent to an online-order route. */
export function onlineOrder(view: AnyOrderView): OnlineOrderView {
  if (!isOnlineOrder(view)) throw new HttpError(409, 'invalid_transition', `order ${view.orderNumber} is a bank-transfer order; use /v1/orders/${view.orderNumber}`);
  return view;
}

/**
 * The order as its workflow sees it now; the stored view when the workflow cannot answer. Only for routing a
 * request (the workflow's validators decide): what a caller is shown is the recorded view, see GET /v1/orders/{n}.
 */
export async function liveOrder<V extends AnyOrderView>(temporal: Client, stored: V): Promise<V> {
  try {
    return (await temporal.workflow.getHandle(orderWorkflowId(stored.orderNumber)).query(getAnyOrderQuery)) as V;
  } catch {
    // A finished workflow past retention, or Temporal briefly away: the read model is the answer.
    return stored;
  }
}
