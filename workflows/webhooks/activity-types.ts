/** The activities the webhook delivery workflow calls, declared here and implemented by activities/ (`satisfies`). */
import type { WebhookAttemptOutcome } from './messages';

/** What is in front of an endpoint's queue. */
export type NextWebhookDelivery =
  | { state: 'pending'; seq: number; eventId: string }
  /** Nothing queued. */
  | { state: 'idle' }
  /** Deliveries wait: the owner disabled the endpoint, or it is failing until the owner resumes it. */
  | { state: 'disabled' | 'failing' }
  | { state: 'deleted' };

/** One HTTP attempt: which event, to which endpoint, why, and its number in its series. */
export interface WebhookAttemptRequest {
  endpointId: string;
  eventId: string;
  /** The queue position of an automatic attempt (marked delivered on 2xx); null for a manual send. */
  seq: number | null;
  kind: 'automatic' | 'redeliver' | 'test';
  attempt: number;
  /** The policy's webhookAttemptTimeout, in ms. */
  timeoutMs: number;
}

/**
 * How an attempt went; an automatic attempt that delivered also says what is in front of the queue now (read after
 * marking it delivered), so the next event goes without another round trip. `skipped`: the endpoint's state stopped
 * an automatic attempt before it was sent (disabled or deleted meanwhile).
 */
export type WebhookAttemptResult = (WebhookAttemptOutcome & { next?: NextWebhookDelivery }) | { skipped: 'disabled' | 'deleted' };

/** The side effects of webhook delivery. */
export interface WebhookActivities {
  /** The oldest event queued for the endpoint and not delivered yet, or why there is none to send now. */
  nextWebhookDelivery(input: { endpointId: string }): Promise<NextWebhookDelivery>;
  /** POSTs the event, signed, once; logs the attempt; marks an automatic delivery delivered on 2xx. */
  attemptWebhookDelivery(request: WebhookAttemptRequest): Promise<WebhookAttemptResult>;
  /** Logs an attempt whose outcome was lost with its worker (the request may have reached the endpoint). */
  recordLostWebhookAttempt(input: WebhookAttemptRequest & { error: string }): Promise<void>;
  /** Marks the endpoint failing (its retries ran out on `eventId`) and emails the owner, once per episode. */
  markWebhookEndpointFailing(input: { endpointId: string; eventId: string; seq: number; firstAttemptAt: string; attempts: number }): Promise<void>;
}
