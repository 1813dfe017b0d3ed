/** The webhook routes in the OpenAPI route table (api/shared/openapi.ts), from which the authorization matrix is made. */
import type { Role } from '../../db/accounts/roles';
import { WEBHOOK_EVENT_TYPES } from '../../workflows/definitions';
import type { Operation } from '../shared/openapi-operation';
import { ZWebhookAttemptsQuery, ZWebhookDeliveriesQuery, ZWebhookEndpointsQuery } from './schemas';

const MANAGERS: readonly Role[] = ['owner', 'admin'];
const READERS: readonly Role[] = ['owner', 'admin', 'ops'];
const ENDPOINT = '/v1/webhook-endpoints/{endpointId}';
const SENDS =
  'Sent once, as soon as no other request to the endpoint is in flight (an automatic attempt may be); answers how it went, or 202 when that takes longer than twice webhookAttemptTimeout and 5 s (it still happens; see the delivery log)';

/** The webhook operations. */
export const WEBHOOK_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/v1/webhook-endpoints',
    operationId: 'listWebhookEndpoints',
    summary: "The account's webhook endpoints (admins and ops: every account's, or ?accountId=)",
    tag: 'webhooks',
    roles: READERS,
    query: ZWebhookEndpointsQuery,
    ok: { status: 200, description: 'the endpoints', schema: 'WebhookEndpointList' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/webhook-endpoints',
    operationId: 'createWebhookEndpoint',
    summary: `Register an endpoint (at most webhookMaxEndpoints, 10, per account) for some of the event types: ${WEBHOOK_EVENT_TYPES.join(', ')}. Answers its signing secret, once. An admin names the account`,
    tag: 'webhooks',
    roles: MANAGERS,
    body: 'CreateWebhookEndpointRequest',
    ok: { status: 201, description: 'the endpoint with its signing secret (shown this once)', schema: 'WebhookEndpointWithSecret', location: true },
    errors: [404, 409, 503],
  },
  { method: 'get', path: ENDPOINT, operationId: 'getWebhookEndpoint', summary: 'One endpoint', tag: 'webhooks', roles: READERS, ok: { status: 200, description: 'the endpoint', schema: 'WebhookEndpoint' }, errors: [404] },
  {
    method: 'patch',
    path: ENDPOINT,
    operationId: 'updateWebhookEndpoint',
    summary: 'Change its URL, event types, description or enabled flag (a disabled endpoint receives no new events; its queued ones wait)',
    tag: 'webhooks',
    roles: MANAGERS,
    body: 'UpdateWebhookEndpointRequest',
    ok: { status: 200, description: 'the endpoint', schema: 'WebhookEndpoint' },
    errors: [404, 503],
  },
  { method: 'delete', path: ENDPOINT, operationId: 'deleteWebhookEndpoint', summary: 'Delete it: its queue is dropped, its delivery log kept', tag: 'webhooks', roles: MANAGERS, ok: { status: 204, description: 'deleted' }, errors: [404, 503] },
  {
    method: 'post',
    path: `${ENDPOINT}/rotate-secret`,
    operationId: 'rotateWebhookSecret',
    summary: 'A new signing secret, shown once; the old one still signs for webhookSecretOverlap (24 h): each request carries both signatures meanwhile',
    tag: 'webhooks',
    roles: MANAGERS,
    ok: { status: 200, description: 'the endpoint with its new secret', schema: 'WebhookEndpointWithSecret' },
    errors: [404],
  },
  {
    method: 'post',
    path: `${ENDPOINT}/resume`,
    operationId: 'resumeWebhookEndpoint',
    summary: 'Resume a failing endpoint: its queued events are sent again, in order, the one in front first (a new 3 days of retries)',
    tag: 'webhooks',
    roles: MANAGERS,
    ok: { status: 200, description: 'the endpoint, active', schema: 'WebhookEndpoint' },
    errors: [404, 503],
  },
  {
    method: 'post',
    path: `${ENDPOINT}/test`,
    operationId: 'sendTestWebhook',
    summary: `Send a webhook.test event, signed like any other. ${SENDS}`,
    tag: 'webhooks',
    roles: MANAGERS,
    ok: { status: 200, description: 'the test event and how its attempt went', schema: 'WebhookSendResult' },
    answers: [{ status: 202, description: 'the attempt did not finish within the wait; it still happens', schema: 'WebhookSendResult' }],
    errors: [404],
  },
  {
    method: 'post',
    path: `${ENDPOINT}/events/{eventId}/redeliver`,
    operationId: 'redeliverWebhookEvent',
    summary: `Send one event of the endpoint's queue again, with the same event id (receivers deduplicate by it). ${SENDS}`,
    tag: 'webhooks',
    roles: MANAGERS,
    ok: { status: 200, description: 'how the attempt went', schema: 'WebhookSendResult' },
    answers: [{ status: 202, description: 'the attempt did not finish within the wait; it still happens', schema: 'WebhookSendResult' }],
    errors: [404],
  },
  {
    method: 'get',
    path: `${ENDPOINT}/attempts`,
    operationId: 'listWebhookAttempts',
    summary: 'The delivery log: every attempt, newest first, with its status code, latency and the start of the answer',
    tag: 'webhooks',
    roles: READERS,
    query: ZWebhookAttemptsQuery,
    ok: { status: 200, description: 'a page of attempts', schema: 'WebhookAttemptPage' },
    errors: [404],
  },
  {
    method: 'get',
    path: `${ENDPOINT}/deliveries`,
    operationId: 'listWebhookDeliveries',
    summary: "The endpoint's queue: each event it is to receive, in order (newest first here), pending or delivered",
    tag: 'webhooks',
    roles: READERS,
    query: ZWebhookDeliveriesQuery,
    ok: { status: 200, description: 'a page of deliveries', schema: 'WebhookDeliveryPage' },
    errors: [404],
  },
];
