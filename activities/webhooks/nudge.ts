/**
 * Wakes the delivery workflows of endpoints that have new events, from inside an activity: a signal-with-start on
 * the worker's own client, so a workflow that is not running (never started, or ended) is started. Extra nudges
 * cost nothing: the workflow reads its queue from PostgreSQL.
 */
import { Context } from '@temporalio/activity';
import { WORKFLOW_NAMES, webhookDeliveryPolicy, webhookNudgeStart, type TopupPolicy, type WebhookDeliveryInput } from '../../workflows/definitions';
import type { PublishedEvent } from '../../db/webhooks/events';

/** Nudges the endpoints of a published event (nothing for null: no endpoint took it). */
export async function nudgeEndpoints(published: PublishedEvent | null, accountId: string, policy: TopupPolicy): Promise<void> {
  if (!published || published.endpointIds.length === 0) return;
  const { client, info } = Context.current();
  await Promise.all(
    published.endpointIds.map((endpointId) => {
      const input: WebhookDeliveryInput = { endpointId, accountId, policy: webhookDeliveryPolicy(policy) };
      return client.workflow.signalWithStart(WORKFLOW_NAMES.webhookDelivery, webhookNudgeStart(input, info.taskQueue, 'events'));
    }),
  );
}
