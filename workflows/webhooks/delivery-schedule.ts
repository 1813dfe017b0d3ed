/**
 * When a webhook event that failed is tried again (pure, shared by the workflow and its tests): exponential backoff
 * from `webhookFirstRetryAfter`, doubling, capped at `webhookMaxRetryInterval`, for `webhookRetryFor` from the first
 * attempt; the last attempt is made at that instant, then the endpoint is marked failing.
 */
import { durationMs } from '../shared/policy';
import type { WebhookDeliveryPolicy } from './messages';

/** The wait after the `failures`-th failed attempt in a row (1-based). */
export function webhookRetryDelayMs(failures: number, policy: WebhookDeliveryPolicy): number {
  const first = durationMs(policy.webhookFirstRetryAfter);
  const max = durationMs(policy.webhookMaxRetryInterval);
  // 2^(failures-1) overflows nothing: past ~40 doublings the cap has long applied.
  return Math.min(max, first * 2 ** Math.min(failures - 1, 40));
}

/**
 * The instant (epoch ms) of the next attempt of an event whose `failures`-th attempt, made at `lastAttemptAt`,
 * failed, its first attempt having been made at `firstAttemptAt`; null when its retries are over.
 */
export function nextWebhookAttemptAt(firstAttemptAt: number, lastAttemptAt: number, failures: number, policy: WebhookDeliveryPolicy): number | null {
  const deadline = firstAttemptAt + durationMs(policy.webhookRetryFor);
  if (lastAttemptAt >= deadline) return null;
  return Math.min(lastAttemptAt + webhookRetryDelayMs(failures, policy), deadline);
}
