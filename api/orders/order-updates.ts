/**
 * Sends an update to an order's workflow. A refusal by the workflow's validator reaches the error handler
 * as it is (409 or 400 with the workflow's reason); an update to a workflow that has already finished (Paid,
 * Closed, Deleted, final Payment Failure) answers 409 naming the order's status, unless that status is what
 * the update asked for (a repeated approval or deletion), which answers the order as it is.
 *
 * NOT_FOUND does not always mean finished: a Temporal server that restarts while an update is still in a
 * speculative workflow task (not yet written to history) forgets it, and the client's wait for its outcome
 * answers NOT_FOUND for a workflow that runs on. That answers 503, so the caller sends the update again (every
 * update here is idempotent), instead of a 409 that would tell it the order can no longer change.
 */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import { findOrder } from '../../db/orders/read-model';
import { orderWorkflowId, statusName, type Actor, type AnyOrderView, type OrderStatus } from '../../workflows/definitions';
import { HttpError, refusalOf } from '../shared/errors';

/** What sending an update needs. */
export interface OrderUpdateDeps {
  pool: Pool;
  temporal: Client;
}

/** The status that makes a repeat of the update a success rather than a conflict. */
export interface OrderUpdateOptions {
  repeatOf?: OrderStatus;
}

/** True when the workflow refused the update for good: nothing of it was applied. */
export function isRefusedUpdate(err: unknown): boolean {
  if (err instanceof HttpError) return err.status === 409;
  return refusalOf(err) !== null;
}

async function storedView(pool: Pool, orderNumber: string): Promise<AnyOrderView> {
  const view = (await findOrder(pool, orderNumber))?.view;
  if (!view) throw new HttpError(404, 'not_found', `order ${orderNumber} was not found`);
  return view;
}

/** True when the order's workflow is still running (describe answers; a missing workflow is not running). */
async function workflowRuns(temporal: Client, orderNumber: string): Promise<boolean> {
  try {
    const description = await temporal.workflow.getHandle(orderWorkflowId(orderNumber)).describe();
    return description.status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

function describeStatus(view: AnyOrderView): string {
  const name = statusName(view.status, 'en');
  return view.status === 'payment_failure' && 'final' in view && view.final ? `${name} (final)` : name;
}

/** Executes `update` on the order's workflow and answers the order after it. */
export async function updateOrder<V extends AnyOrderView, A extends Actor>(
  deps: OrderUpdateDeps,
  orderNumber: string,
  update: UpdateDefinition<V, [A]>,
  arg: A,
  opts: OrderUpdateOptions = {},
): Promise<V> {
  try {
    return await deps.temporal.workflow.getHandle(orderWorkflowId(orderNumber)).executeUpdate(update, { args: [arg] });
  } catch (err) {
    // The server answers NOT_FOUND for an update to a finished workflow ("workflow execution already completed").
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    return (await answerUpdateNotFound(deps, orderNumber, opts)) as V;
  }
}

/**
 * What an update that answered NOT_FOUND means for the caller: 503 while the workflow still runs (the server
 * lost the update), the order as it is when its status is what the update asked for, else 409.
 */
export async function answerUpdateNotFound(deps: OrderUpdateDeps, orderNumber: string, opts: OrderUpdateOptions = {}): Promise<AnyOrderView> {
  if (await workflowRuns(deps.temporal, orderNumber)) {
    throw new HttpError(503, 'update_not_confirmed', `order ${orderNumber} did not confirm the change (the workflow service restarted); send it again`);
  }
  const view = await storedView(deps.pool, orderNumber);
  if (opts.repeatOf && view.status === opts.repeatOf) return view;
  throw new HttpError(409, 'invalid_transition', `order ${orderNumber} is ${describeStatus(view)} and can no longer change`);
}
