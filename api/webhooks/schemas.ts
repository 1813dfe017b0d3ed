/** The zod schemas of the webhook routes: bodies, queries and path parameters. */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../../workflows/definitions';

/** An endpoint id in a path. */
export const ZEndpointId = z.string().regex(/^whe_[0-9a-f]{16}$/, 'must be a webhook endpoint id (whe_…)');

/** An event id in a path. */
export const ZEventId = z.string().regex(/^evt_[0-9a-f]{24}$/, 'must be an event id (evt_…)');

const ZEventTypes = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, `must be one of: ${WEBHOOK_EVENT_TYPES.join(', ')}`))
  .min(1, 'must name at least one event type')
  .refine((t) => new Set(t).size === t.length, 'must not repeat an event type');

const ZUrl = z.string().trim().min(1, 'is required').max(2_000, 'must be at most 2000 characters');
const ZDescription = z.string().trim().max(200, 'must be at most 200 characters');

/** `POST /v1/webhook-endpoints`. An admin names the account; an owner's is its own. */
export const ZCreateWebhookEndpointRequest = z.strictObject({
  url: ZUrl,
  eventTypes: ZEventTypes,
  description: ZDescription.default(''),
  enabled: z.boolean().default(true),
  accountId: z.string().min(1).max(100).optional(),
});
export type TCreateWebhookEndpointRequest = z.infer<typeof ZCreateWebhookEndpointRequest>;

/** `PATCH /v1/webhook-endpoints/{endpointId}`: the fields to change. */
export const ZUpdateWebhookEndpointRequest = z
  .strictObject({ url: ZUrl.optional(), eventTypes: ZEventTypes.optional(), description: ZDescription.optional(), enabled: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'must change at least one of url, eventTypes, description, enabled');

/** `GET /v1/webhook-endpoints`: an admin or ops may name an account. */
export const ZWebhookEndpointsQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });

const ZPage = z.coerce.number({ error: 'must be a whole number from 1' }).int('must be a whole number from 1').min(1, 'must be a whole number from 1').default(1);
const ZPageSize = z.coerce.number({ error: 'must be a whole number from 1 to 100' }).int().min(1).max(100, 'must be a whole number from 1 to 100').default(20);

/** `GET …/attempts`: the delivery log, optionally of one event. */
export const ZWebhookAttemptsQuery = z.strictObject({ eventId: ZEventId.optional(), page: ZPage, pageSize: ZPageSize });

/** `GET …/deliveries`: the endpoint's queue, optionally in one state. */
export const ZWebhookDeliveriesQuery = z.strictObject({ state: z.enum(['pending', 'delivered']).optional(), page: ZPage, pageSize: ZPageSize });
