/** Publishing a webhook event from an activity: stored once (db/webhooks/events.ts), then its endpoints are woken. */
import type { Pool } from 'pg';
import { publishWebhookEvent, type WebhookEventInput } from '../../db/webhooks/events';
import type { TopupPolicy } from '../../workflows/definitions';
import { nudgeEndpoints } from './nudge';

/**
 * Publishes `event` (a retry finds it published) and wakes the endpoints it is queued for. Call it from an
 * activity whose retry publishes again, so a nudge lost with a killed worker is sent by the retry.
 */
export async function publishEvent(pool: Pool, policy: TopupPolicy, event: WebhookEventInput): Promise<void> {
  await nudgeEndpoints(await publishWebhookEvent(pool, event), event.accountId, policy);
}
