/**
 * The deliveries of one webhook endpoint (issue 20) as one long-running workflow, `webhook-endpoint-<id>`: the
 * events queued for the endpoint (db/webhooks: in order of creation) are sent one at a time, the next only once the
 * one in front is delivered (2xx within the policy's `webhookAttemptTimeout`). A failed attempt is tried again with
 * exponential backoff for `webhookRetryFor` (3 days) from its first attempt; then the endpoint is marked failing, its
 * owner emailed, and its queue waits (nothing is dropped) until the owner resumes it. Never more than one request
 * is in flight: the automatic attempts and the manual sends (redeliver, test event) take turns. Delivery is at least
 * once: an attempt whose answer was lost with its worker is made again, with the same event id.
 * The workflow holds no queue of its own: PostgreSQL does, so continue-as-new carries nothing but its input.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { durationMs } from '../shared/policy';
import { uncancelledTimer } from '../shared/uncancelled-timer';
import { workflowNow } from '../shared/workflow-clock';
import type { NextWebhookDelivery, WebhookActivities, WebhookAttemptRequest, WebhookAttemptResult } from './activity-types';
import { nextWebhookAttemptAt } from './delivery-schedule';
import { OneAtATime } from './one-at-a-time';
import { sendWebhookNowUpdate, webhookNudgeSignal, type ManualSend, type WebhookAttemptOutcome, type WebhookDeliveryInput } from './messages';

/** Past this many events the run continues as new while idle, so its history stays short. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 5_000;

/** The attempts of the event in front of the queue. */
interface Series {
  seq: number;
  eventId: string;
  firstAttemptAt: number | null;
  failures: number;
}

/** Delivers the endpoint's events until it is deleted. */
export async function webhookDelivery(input: WebhookDeliveryInput): Promise<'endpoint-deleted'> {
  const timeoutMs = durationMs(input.policy.webhookAttemptTimeout);
  // Reading the queue and logging are quick; one HTTP attempt is bounded by the policy, and is made once: the
  // workflow makes the next one after its backoff, so every attempt is counted and logged.
  const { nextWebhookDelivery, recordLostWebhookAttempt, markWebhookEndpointFailing } = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '1s', maximumInterval: '10s' },
  });
  // The request's bound and a few seconds to log it: an attempt lost with a killed worker is made again that soon.
  const { attemptWebhookDelivery } = proxyActivities<WebhookActivities>({ startToCloseTimeout: timeoutMs + 5_000, retry: { maximumAttempts: 1 } });

  let eventsQueued = false;
  let endpointChanged = false;
  /** The one request in flight: automatic attempts and manual sends take turns, in the order they asked. */
  const turns = new OneAtATime();
  /** A manual send just succeeded: the endpoint is back, so a retry waiting on its backoff goes now. */
  let backNow = false;
  let series = null as Series | null;

  /** One attempt, once no other request is in flight; a lost answer (a killed worker) is logged and counts as failed. */
  async function attempt(request: WebhookAttemptRequest): Promise<WebhookAttemptResult> {
    await turns.take();
    try {
      return await attemptWebhookDelivery(request);
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const error = `no answer recorded: ${err.cause?.message ?? err.message} (the request may have reached the endpoint)`;
      await recordLostWebhookAttempt({ ...request, error });
      return { delivered: false, statusCode: null, latencyMs: 0, error, at: workflowNow().toISOString() };
    } finally {
      turns.give();
    }
  }

  async function sendNow(send: ManualSend): Promise<WebhookAttemptOutcome> {
    const result = await attempt({ endpointId: input.endpointId, eventId: send.eventId, seq: null, kind: send.kind, attempt: 1, timeoutMs });
    if ('skipped' in result) return { delivered: false, statusCode: null, latencyMs: 0, error: `the endpoint is ${result.skipped}`, at: workflowNow().toISOString() };
    if (result.delivered) backNow = true;
    return result;
  }

  /**
   * One attempt of the event in front; after a failure, its backoff (cut short when the endpoint changes or is back).
   * Answers what is in front of the queue now when the attempt delivered and read it, else null (read it again).
   */
  async function deliverInFront(current: Series): Promise<NextWebhookDelivery | null> {
    const startedAt = workflowNow().getTime();
    current.firstAttemptAt ??= startedAt;
    setCurrentDetails(`Delivering ${current.eventId}, attempt ${current.failures + 1}`);
    // Cleared before the attempt reads the queue, so a nudge that comes after that read is not lost.
    eventsQueued = false;
    endpointChanged = false;
    const result = await attempt({ endpointId: input.endpointId, eventId: current.eventId, seq: current.seq, kind: 'automatic', attempt: current.failures + 1, timeoutMs });
    if ('skipped' in result || result.delivered) {
      series = null;
      return 'skipped' in result ? null : (result.next ?? null);
    }
    current.failures += 1;
    const nextAt = nextWebhookAttemptAt(current.firstAttemptAt, startedAt, current.failures, input.policy);
    if (nextAt === null) {
      const { endpointId } = input;
      await markWebhookEndpointFailing({ endpointId, eventId: current.eventId, seq: current.seq, firstAttemptAt: new Date(current.firstAttemptAt).toISOString(), attempts: current.failures });
      series = null;
      return null;
    }
    setCurrentDetails(`Retrying ${current.eventId} at ${new Date(nextAt).toISOString()} after ${current.failures} failed attempts (last: ${result.statusCode ?? result.error})`);
    backNow = false;
    const backoff = uncancelledTimer(nextAt - workflowNow().getTime());
    await condition(() => backoff.fired() || endpointChanged || backNow);
    return null;
  }

  setHandler(webhookNudgeSignal, ({ reason }) => {
    if (reason === 'events') eventsQueued = true;
    else endpointChanged = true;
  });
  setHandler(sendWebhookNowUpdate, sendNow);

  /** What is in front of the queue, as the last delivered attempt read it. */
  let prefetched: NextWebhookDelivery | null = null;
  for (;;) {
    // Between events (no retries to carry), a long history continues as new: the queue is in PostgreSQL.
    if (series === null && (workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE)) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof webhookDelivery>(input);
    }
    let next = prefetched;
    prefetched = null;
    if (next === null) {
      eventsQueued = false;
      endpointChanged = false;
      next = await nextWebhookDelivery({ endpointId: input.endpointId });
    }
    if (next.state === 'deleted') {
      await condition(allHandlersFinished);
      return 'endpoint-deleted';
    }
    if (next.state !== 'pending') {
      series = null;
      setCurrentDetails(next.state === 'idle' ? 'Idle: every queued event is delivered' : `Waiting: the endpoint is ${next.state}; its events stay queued`);
      await condition(() => eventsQueued || endpointChanged);
      continue;
    }
    if (series?.seq !== next.seq) series = { seq: next.seq, eventId: next.eventId, firstAttemptAt: null, failures: 0 };
    prefetched = await deliverInFront(series);
  }
}
