/**
 * The side effects of webhook delivery (issue 20): read an endpoint's queue, make one signed HTTP attempt and log
 * it, mark an endpoint failing and email its owner. Secrets are opened here, never passed through a workflow's
 * history. Each attempt is counted in `topup_webhook_attempts_total{kind,outcome}` and timed in
 * `topup_webhook_attempt_latency` (ms).
 */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { findAccountOwner } from '../../db/accounts/accounts';
import { recordWebhookAttempt } from '../../db/webhooks/attempts';
import { findEndpointTarget, markEndpointFailing } from '../../db/webhooks/endpoints';
import { findWebhookEvent, nextPendingDelivery, webhookEventBody } from '../../db/webhooks/events';
import type { TopupPolicy, WebhookActivities, WebhookAttemptRequest } from '../../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { endpointFailingEmail } from './failing-email';
import { postWebhook } from './post-webhook';
import { SIGNATURE_HEADER, signatureHeader } from './signature';

/** What the webhook activities need. */
export interface WebhookActivityDeps {
  pool: Pool;
  /** WEBHOOK_SECRET_KEY: the signing secrets are sealed under it. */
  secretKey: string;
  providerName: string;
  /** Where the console is: the failing email links to its webhook page. */
  publicUrl: string;
  policy: TopupPolicy;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/** Counts and times an attempt in the worker's metrics. */
function observe(kind: string, delivered: boolean, latencyMs: number): void {
  const meter = Context.current().metricMeter;
  meter.createCounter('topup_webhook_attempts_total', undefined, 'Webhook HTTP attempts').add(1, { kind, outcome: delivered ? 'delivered' : 'failed' });
  meter.createHistogram('topup_webhook_attempt_latency', 'int', 'ms', 'Time to a webhook answer').record(latencyMs, { kind });
}

/** Builds the webhook activities. */
export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { pool } = deps;
  return {
    nextWebhookDelivery: ({ endpointId }) => nextPendingDelivery(pool, endpointId),

    async attemptWebhookDelivery(request: WebhookAttemptRequest) {
      // Whether a rotated secret still signs is judged on Temporal's clock, the one the retries' backoff runs on.
      const scheduledAt = new Date(Context.current().info.currentAttemptScheduledTimestampMs);
      const target = await findEndpointTarget(pool, request.endpointId, deps.secretKey, scheduledAt);
      if (!target || target.deleted) return { skipped: 'deleted' as const };
      // Manual sends go to a disabled endpoint too: its owner asked for them.
      if (request.kind === 'automatic' && !target.enabled) return { skipped: 'disabled' as const };
      const event = await findWebhookEvent(pool, request.eventId);
      if (!event) throw new Error(`webhook event ${request.eventId} does not exist`);
      const body = webhookEventBody(event);
      const attemptedAt = new Date();
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Topup-Webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(target.secrets, Math.floor(attemptedAt.getTime() / 1000), body),
        'idempotency-key': event.id,
        'topup-event-id': event.id,
        'topup-event-type': event.type,
        'topup-delivery-attempt': String(request.attempt),
      };
      const outcome = await postWebhook(target.url, body, headers, request.timeoutMs);
      await recordWebhookAttempt(pool, { ...request, attemptedAt, ...outcome });
      observe(request.kind, outcome.delivered, outcome.latencyMs);
      const answer = { delivered: outcome.delivered, statusCode: outcome.statusCode, latencyMs: outcome.latencyMs, error: outcome.error, at: attemptedAt.toISOString() };
      return request.kind === 'automatic' && outcome.delivered ? { ...answer, next: await nextPendingDelivery(pool, request.endpointId) } : answer;
    },

    async recordLostWebhookAttempt(input) {
      const { error, timeoutMs: _timeout, ...request } = input;
      await recordWebhookAttempt(pool, { ...request, attemptedAt: new Date(), statusCode: null, latencyMs: 0, delivered: false, error, responseExcerpt: null });
    },

    async markWebhookEndpointFailing({ endpointId, eventId, seq, firstAttemptAt, attempts }) {
      const retryFor = deps.policy.webhookRetryFor;
      await markEndpointFailing(pool, endpointId, `event ${eventId} was not delivered in ${attempts} attempts over ${retryFor}`);
      const target = await findEndpointTarget(pool, endpointId, deps.secretKey, new Date());
      const owner = target ? await findAccountOwner(pool, target.accountId) : null;
      if (!target || !owner) return;
      const email = endpointFailingEmail({
        locale: owner.locale,
        providerName: deps.providerName,
        companyName: owner.companyName,
        url: target.url,
        eventId,
        attempts,
        firstAttemptAt,
        retryFor,
        consoleUrl: `${deps.publicUrl}/#/webhooks`,
      });
      // One email per failing episode: the event in front and when its attempts began name it.
      await deps.sendEmail({ idempotencyKey: `webhook-failing:${endpointId}:${seq}:${firstAttemptAt}`, to: owner.email, ...email });
    },
  } satisfies WebhookActivities;
}
