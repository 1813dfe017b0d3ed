/**
 * The API's side of an endpoint's delivery workflow: wake it (starting it when it is not running) after a change to
 * the endpoint, and ask it for a manual send, waiting a bounded time for the answer.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  durationMs,
  sendWebhookNowUpdate,
  WORKFLOW_NAMES,
  webhookDeliveryPolicy,
  webhookDeliveryWorkflowId,
  webhookNudgeStart,
  type ManualSend,
  type TopupPolicy,
  type WebhookAttemptOutcome,
} from '../../workflows/definitions';

/** What talking to delivery workflows needs. */
export interface DeliveryWorkflowDeps {
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
}

/** Wakes (or starts) the endpoint's delivery workflow: `endpoint` after a change to it, `events` otherwise. */
export async function nudgeDelivery(deps: DeliveryWorkflowDeps, endpoint: { id: string; accountId: string }, reason: 'events' | 'endpoint'): Promise<void> {
  const input = { endpointId: endpoint.id, accountId: endpoint.accountId, policy: webhookDeliveryPolicy(deps.policy) };
  await deps.temporal.workflow.signalWithStart(WORKFLOW_NAMES.webhookDelivery, webhookNudgeStart(input, deps.taskQueue, reason));
}

/**
 * Asks the endpoint's workflow to send `send` now, and waits for how it went: as long as an attempt in flight and
 * this one can take, plus a margin. Null when the answer did not come in time (the send still happens).
 */
export async function sendThroughWorkflow(deps: DeliveryWorkflowDeps, endpoint: { id: string; accountId: string }, send: ManualSend): Promise<WebhookAttemptOutcome | null> {
  await nudgeDelivery(deps, endpoint, 'events');
  const waitMs = 2 * durationMs(deps.policy.webhookAttemptTimeout) + 5_000;
  const timeUp = new AbortController();
  const timer = setTimeout(() => timeUp.abort(), waitMs);
  try {
    return await deps.temporal.withAbortSignal(timeUp.signal, async () => {
      const handle = await deps.temporal.workflow.getHandle(webhookDeliveryWorkflowId(endpoint.id)).startUpdate(sendWebhookNowUpdate, { args: [send], waitForStage: 'ACCEPTED' });
      return handle.result();
    });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw err;
    if (timeUp.signal.aborted) return null;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
