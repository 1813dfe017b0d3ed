/**
 * `/v1/webhook-endpoints` (issue 20): an account's owner (or an admin, for any account) registers endpoints, with
 * the event types each takes; the signing secret is answered once, when made or rotated. Each endpoint's queue and
 * its delivery log are readable by its owner, admins and ops; a failing endpoint is resumed here; one event can be
 * redelivered, and a test event sent. Thin: the rules live in db/webhooks and the delivery workflow.
 */
import { Router, type Request } from 'express';
import type { Pool } from 'pg';
import { listWebhookAttempts, listWebhookDeliveries } from '../../db/webhooks/attempts';
import { createEndpoint, deleteEndpoint, findEndpoint, listEndpoints, resumeEndpoint, rotateEndpointSecret, updateEndpoint, type WebhookEndpoint } from '../../db/webhooks/endpoints';
import { createTestEvent, endpointHasEvent } from '../../db/webhooks/events';
import { durationMs, type ManualSend } from '../../workflows/definitions';
import { actorOf, requireRole, scopedAccountId } from '../accounts/auth';
import { HttpError } from '../shared/errors';
import { nudgeDelivery, sendThroughWorkflow, type DeliveryWorkflowDeps } from './delivery-workflow';
import { webhookUrlProblem, type WebhookUrlRule } from './endpoint-url';
import { ZCreateWebhookEndpointRequest, ZEndpointId, ZEventId, ZUpdateWebhookEndpointRequest, ZWebhookAttemptsQuery, ZWebhookDeliveriesQuery, ZWebhookEndpointsQuery } from './schemas';

/** What the webhook routes need. */
export interface WebhookRouteDeps extends DeliveryWorkflowDeps {
  pool: Pool;
  /** WEBHOOK_SECRET_KEY: new signing secrets are sealed under it. */
  webhookSecretKey: string;
  webhookUrls?: WebhookUrlRule;
}

const managers = requireRole('owner', 'admin');
const readers = requireRole('owner', 'admin', 'ops');

/** 400 naming `url` when the deployment does not accept it. */
function checkUrl(url: string | undefined, rule: WebhookUrlRule): void {
  if (url === undefined) return;
  const problem = webhookUrlProblem(url, rule);
  if (problem) throw new HttpError(400, 'invalid_input', `url: ${problem}`, [{ path: 'url', rule: problem }]);
}

/** The endpoint of the path, if the caller may see it: a customer only its account's (404 otherwise, as if missing). */
async function pathEndpoint(pool: Pool, req: Request): Promise<WebhookEndpoint> {
  const id = ZEndpointId.parse(req.params.endpointId);
  const endpoint = await findEndpoint(pool, id);
  const { accountId } = req.principal!;
  if (!endpoint || (accountId !== null && endpoint.accountId !== accountId)) throw new HttpError(404, 'not_found', `webhook endpoint ${id} was not found`);
  return endpoint;
}

/** The account a new endpoint belongs to: the owner's own; an admin names it. */
function newEndpointAccount(req: Request, requested: string | undefined): string {
  const accountId = scopedAccountId(req.principal!, requested);
  if (accountId === undefined) throw new HttpError(400, 'invalid_input', 'accountId: is required', [{ path: 'accountId', rule: 'must name the customer account the endpoint is for' }]);
  return accountId;
}

/** Wakes the endpoint's workflow after a change that is saved; a Temporal outage answers 503 (send it again). */
async function wake(deps: WebhookRouteDeps, endpoint: { id: string; accountId: string }): Promise<void> {
  try {
    await nudgeDelivery(deps, endpoint, 'endpoint');
  } catch (err) {
    throw new HttpError(503, 'temporarily_unavailable', `the change is saved, but the endpoint's delivery workflow could not be told (${err instanceof Error ? err.message : String(err)}); send the request again`);
  }
}

/** Sends one event now through the endpoint's workflow: 200 with how it went, or 202 while it is still on its way. */
async function manualSend(deps: WebhookRouteDeps, endpoint: WebhookEndpoint, send: ManualSend): Promise<{ status: number; body: unknown }> {
  const outcome = await sendThroughWorkflow(deps, endpoint, send);
  return { status: outcome ? 200 : 202, body: { eventId: send.eventId, kind: send.kind, outcome } };
}

/** Builds the `/v1/webhook-endpoints` router: a list of thin routes. */
export function webhookEndpointsRouter(deps: WebhookRouteDeps): Router {
  const router = Router();
  const urlRule = deps.webhookUrls ?? 'https-only';

  router.get('/', readers, async (req, res) => {
    const query = ZWebhookEndpointsQuery.parse(req.query);
    res.json({ items: await listEndpoints(deps.pool, scopedAccountId(req.principal!, query.accountId)) });
  });

  router.post('/', managers, async (req, res) => {
    const body = ZCreateWebhookEndpointRequest.parse(req.body);
    checkUrl(body.url, urlRule);
    const accountId = newEndpointAccount(req, body.accountId);
    const { url, eventTypes, description, enabled } = body;
    const created = await createEndpoint(deps.pool, {
      accountId,
      settings: { url, eventTypes, description, enabled },
      secretKey: deps.webhookSecretKey,
      maxEndpoints: deps.policy.webhookMaxEndpoints,
      actor: actorOf(req),
    });
    if (created === 'no-account') throw new HttpError(404, 'not_found', `account ${accountId} was not found`);
    if (created === 'limit') throw new HttpError(409, 'endpoint_limit', `the account has ${deps.policy.webhookMaxEndpoints} webhook endpoints, the most it may have; delete one first`);
    await wake(deps, created.endpoint);
    res.status(201).location(`/v1/webhook-endpoints/${created.endpoint.id}`).json({ ...created.endpoint, secret: created.secret });
  });

  router.get('/:endpointId', readers, async (req, res) => {
    res.json(await pathEndpoint(deps.pool, req));
  });

  router.patch('/:endpointId', managers, async (req, res) => {
    const { id } = await pathEndpoint(deps.pool, req);
    const changes = ZUpdateWebhookEndpointRequest.parse(req.body);
    checkUrl(changes.url, urlRule);
    const endpoint = await updateEndpoint(deps.pool, id, changes, actorOf(req));
    if (!endpoint) throw new HttpError(404, 'not_found', `webhook endpoint ${id} was not found`);
    await wake(deps, endpoint);
    res.json(endpoint);
  });

  router.delete('/:endpointId', managers, async (req, res) => {
    const endpoint = await pathEndpoint(deps.pool, req);
    await deleteEndpoint(deps.pool, endpoint.id, actorOf(req));
    await wake(deps, endpoint);
    res.status(204).end();
  });

  router.post('/:endpointId/rotate-secret', managers, async (req, res) => {
    const { id } = await pathEndpoint(deps.pool, req);
    const rotated = await rotateEndpointSecret(deps.pool, id, { secretKey: deps.webhookSecretKey, overlapMs: durationMs(deps.policy.webhookSecretOverlap), actor: actorOf(req) });
    if (!rotated) throw new HttpError(404, 'not_found', `webhook endpoint ${id} was not found`);
    res.json({ ...rotated.endpoint, secret: rotated.secret });
  });

  router.post('/:endpointId/resume', managers, async (req, res) => {
    const { id } = await pathEndpoint(deps.pool, req);
    const endpoint = await resumeEndpoint(deps.pool, id, actorOf(req));
    if (!endpoint) throw new HttpError(404, 'not_found', `webhook endpoint ${id} was not found`);
    await wake(deps, endpoint);
    res.json(endpoint);
  });

  router.post('/:endpointId/test', managers, async (req, res) => {
    const endpoint = await pathEndpoint(deps.pool, req);
    const eventId = await createTestEvent(deps.pool, { accountId: endpoint.accountId, endpointId: endpoint.id, by: req.principal!.userId });
    const { status, body } = await manualSend(deps, endpoint, { kind: 'test', eventId });
    res.status(status).json(body);
  });

  router.post('/:endpointId/events/:eventId/redeliver', managers, async (req, res) => {
    const endpoint = await pathEndpoint(deps.pool, req);
    const eventId = ZEventId.parse(req.params.eventId);
    if (!(await endpointHasEvent(deps.pool, endpoint.id, eventId))) throw new HttpError(404, 'not_found', `event ${eventId} was never queued for webhook endpoint ${endpoint.id}`);
    const { status, body } = await manualSend(deps, endpoint, { kind: 'redeliver', eventId });
    res.status(status).json(body);
  });

  router.get('/:endpointId/attempts', readers, async (req, res) => {
    const { id } = await pathEndpoint(deps.pool, req);
    const query = ZWebhookAttemptsQuery.parse(req.query);
    res.json({ ...(await listWebhookAttempts(deps.pool, id, query)), page: query.page, pageSize: query.pageSize });
  });

  router.get('/:endpointId/deliveries', readers, async (req, res) => {
    const { id } = await pathEndpoint(deps.pool, req);
    const query = ZWebhookDeliveriesQuery.parse(req.query);
    res.json({ ...(await listWebhookDeliveries(deps.pool, id, query)), page: query.page, pageSize: query.pageSize });
  });

  return router;
}
