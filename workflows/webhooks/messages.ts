/**
 * Outgoing webhooks (issue 20): the event types an endpoint may receive, the delivery workflow's input, id and
 * messages, shared by the API (which starts and nudges it) and the activities (which nudge it after publishing).
 */
import { defineSignal, defineUpdate } from '@temporalio/workflow';
import { SA_ACCOUNT_ID } from '../orders/search-attributes';
import type { TopupPolicy } from '../shared/policy';

/** The event types an endpoint subscribes to. `webhook.test` is sent only by "send test event", to one endpoint. */
export const WEBHOOK_EVENT_TYPES = [
  'order.status_changed',
  'balance.low',
  'balance.auto_topup_succeeded',
  'balance.auto_topup_failed',
  'invoice.issued',
  'invoice.paid',
  'invoice.unpaid',
  'payment.exception_opened',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The type of the event "send test event" sends. */
export const WEBHOOK_TEST_EVENT_TYPE = 'webhook.test';

/** The policy keys a delivery workflow runs under (a snapshot, as every workflow takes its policy). */
export type WebhookDeliveryPolicy = Pick<TopupPolicy, 'webhookAttemptTimeout' | 'webhookFirstRetryAfter' | 'webhookMaxRetryInterval' | 'webhookRetryFor'>;

/** Input of the delivery workflow of one endpoint. */
export interface WebhookDeliveryInput {
  endpointId: string;
  accountId: string;
  policy: WebhookDeliveryPolicy;
}

/** The delivery workflow of an endpoint: one per endpoint, so a slow endpoint delays only itself. */
export function webhookDeliveryWorkflowId(endpointId: string): string {
  return `webhook-endpoint-${endpointId}`;
}

/** The delivery policy keys of a policy. */
export function webhookDeliveryPolicy(policy: TopupPolicy): WebhookDeliveryPolicy {
  const { webhookAttemptTimeout, webhookFirstRetryAfter, webhookMaxRetryInterval, webhookRetryFor } = policy;
  return { webhookAttemptTimeout, webhookFirstRetryAfter, webhookMaxRetryInterval, webhookRetryFor };
}

/**
 * Wakes the delivery workflow: `events` when new events were queued for the endpoint (it delivers them when the
 * one in front is done), `endpoint` when the endpoint changed (enabled, resumed, its URL edited, deleted): a
 * retry waiting on its backoff is then made at once.
 */
export const webhookNudgeSignal = defineSignal<[{ reason: 'events' | 'endpoint' }]>('webhookNudge');

/** What a manual send asks for: the same event again (its id unchanged), or a `webhook.test` event. */
export interface ManualSend {
  kind: 'redeliver' | 'test';
  eventId: string;
}

/** How one HTTP attempt went. `statusCode` is null when no answer came (refused, timed out). */
export interface WebhookAttemptOutcome {
  delivered: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  at: string;
}

/**
 * Sends one event to the endpoint now, once, as soon as no other request to it is in flight, and answers how it
 * went (a manual redeliver or a test event; it is in the delivery log like every attempt).
 */
export const sendWebhookNowUpdate = defineUpdate<WebhookAttemptOutcome, [ManualSend]>('sendWebhookNow');

/** The arguments of a signal-with-start that nudges (and, when it is not running, starts) an endpoint's delivery. */
export function webhookNudgeStart(input: WebhookDeliveryInput, taskQueue: string, reason: 'events' | 'endpoint') {
  return {
    workflowId: webhookDeliveryWorkflowId(input.endpointId),
    taskQueue,
    args: [input] as [WebhookDeliveryInput],
    signal: webhookNudgeSignal,
    signalArgs: [{ reason }] as [{ reason: 'events' | 'endpoint' }],
    staticSummary: `Webhook deliveries of endpoint ${input.endpointId} (account ${input.accountId})`,
    typedSearchAttributes: [{ key: SA_ACCOUNT_ID, value: input.accountId }],
  };
}
