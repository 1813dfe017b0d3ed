/**
 * Sends an update to an order's workflow and waits for its answer at most a bounded time, so a request never
 * hangs on something the workflow waits for (the payment gateway) or on a worker that is away: the update is
 * started (the workflow's validator runs; a refusal reaches the error handler as it is), then its result is
 * awaited until `waitMs` passes, when every pending call to Temporal is cancelled and the caller learns that the
 * answer did not come in time. The update itself is durable once accepted and carries on in the workflow.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { orderWorkflowId, type Actor, type AnyOrderView } from '../../workflows/definitions';
import { answerUpdateNotFound, type OrderUpdateDeps } from './order-updates';

/** The update's answer, or `null` when it did not come within the bound. */
export type BoundedAnswer<V> = V | null;

/** Starts `update` and waits at most `waitMs` (ms) for its result. */
export async function updateOrderWithin<V extends AnyOrderView, A extends Actor>(
  deps: OrderUpdateDeps,
  orderNumber: string,
  update: UpdateDefinition<V, [A]>,
  arg: A,
  waitMs: number,
): Promise<BoundedAnswer<V>> {
  const timeUp = new AbortController();
  const timer = setTimeout(() => timeUp.abort(), waitMs);
  try {
    return await deps.temporal.withAbortSignal(timeUp.signal, async () => {
      const handle = await deps.temporal.workflow.getHandle(orderWorkflowId(orderNumber)).startUpdate(update, { args: [arg], waitForStage: 'ACCEPTED' });
      return handle.result();
    });
  } catch (err) {
    // The workflow's own answer (a refusal or a failure of the update) stands even when it came at the bound.
    if (err instanceof WorkflowUpdateFailedError) throw err;
    if (timeUp.signal.aborted) return null;
    if (err instanceof WorkflowNotFoundError) return (await answerUpdateNotFound(deps, orderNumber)) as V;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
