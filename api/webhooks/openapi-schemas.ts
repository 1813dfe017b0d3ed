/** The webhook routes' named schemas in the OpenAPI document; the response shapes are checked against what the routes send. */
import { z } from 'zod';
import type { WebhookAttemptItem, WebhookDeliveryItem } from '../../db/webhooks/attempts';
import type { WebhookEndpoint } from '../../db/webhooks/endpoints';
import { WEBHOOK_EVENT_TYPES, type WebhookAttemptOutcome } from '../../workflows/definitions';
import { ZCreateWebhookEndpointRequest, ZUpdateWebhookEndpointRequest } from './schemas';

const ZInstant = z.iso.datetime({ offset: true });
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), page: z.int(), pageSize: z.int(), total: z.int() });

const ZWebhookEndpoint = z.object({
  id: z.string(),
  accountId: z.string(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  enabled: z.boolean().describe('a disabled endpoint is queued no new events; those queued wait'),
  status: z.enum(['active', 'failing']).describe("failing: an event's retries ran out (webhookRetryFor, 3 days); its queue waits until resumed"),
  failingSince: ZInstant.nullable(),
  failingReason: z.string().nullable(),
  secretRotatedAt: ZInstant.nullable(),
  previousSecretExpiresAt: ZInstant.nullable().describe('until when the secret before the last rotation still signs'),
  pendingEvents: z.int().describe('events queued and not delivered yet'),
  createdAt: ZInstant,
  updatedAt: ZInstant,
});
const ZAttemptOutcome = z.object({
  delivered: z.boolean(),
  statusCode: z.int().nullable().describe('null when no answer came (refused, timed out)'),
  latencyMs: z.int(),
  error: z.string().nullable(),
  at: ZInstant,
});
const ZAttempt = z.object({
  id: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  kind: z.enum(['automatic', 'redeliver', 'test']),
  attempt: z.int().describe("the attempt's number in its series"),
  attemptedAt: ZInstant,
  statusCode: z.int().nullable(),
  latencyMs: z.int(),
  delivered: z.boolean(),
  error: z.string().nullable(),
  responseExcerpt: z.string().nullable().describe('the first 500 characters of the answer'),
});
const ZDelivery = z.object({
  seq: z.int().describe("the event's place in the endpoint's queue"),
  eventId: z.string(),
  eventType: z.string(),
  eventCreatedAt: ZInstant,
  state: z.enum(['pending', 'delivered']),
  attempts: z.int(),
  lastAttemptAt: ZInstant.nullable(),
  lastStatusCode: z.int().nullable(),
  deliveredAt: ZInstant.nullable(),
});

/** Adds the webhook schemas to the document's registries. */
export function addWebhookSchemas(requests: z.core.$ZodRegistry<{ id: string }>, responses: z.core.$ZodRegistry<{ id: string }>): void {
  requests.add(ZCreateWebhookEndpointRequest, { id: 'CreateWebhookEndpointRequest' });
  requests.add(ZUpdateWebhookEndpointRequest, { id: 'UpdateWebhookEndpointRequest' });
  responses.add(ZWebhookEndpoint, { id: 'WebhookEndpoint' });
  responses.add(ZWebhookEndpoint.extend({ secret: z.string().describe('the signing secret (whsec_…): shown this once; keep it to verify signatures') }), { id: 'WebhookEndpointWithSecret' });
  responses.add(z.object({ items: z.array(ZWebhookEndpoint) }), { id: 'WebhookEndpointList' });
  responses.add(z.object({ eventId: z.string(), kind: z.enum(['redeliver', 'test']), outcome: ZAttemptOutcome.nullable().describe('null with 202') }), { id: 'WebhookSendResult' });
  responses.add(page(ZAttempt), { id: 'WebhookAttemptPage' });
  responses.add(page(ZDelivery), { id: 'WebhookDeliveryPage' });
}

// Compile-time proof that the documented shapes are the ones the routes send.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type Json<T> = T extends Date ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type DocumentedShapesMatch = [
  Assert<Same<z.infer<typeof ZWebhookEndpoint>, Json<WebhookEndpoint>>>,
  Assert<Same<z.infer<typeof ZAttemptOutcome>, WebhookAttemptOutcome>>,
  Assert<Same<z.infer<typeof ZAttempt>, Json<WebhookAttemptItem>>>,
  Assert<Same<z.infer<typeof ZDelivery>, Json<WebhookDeliveryItem>>>,
];
