/**
 * Subscriptions (seed 002): an account's active service, created by ops or the product backend (service
 * credential), read by the account, stopped by its owner at the end of the period paid. Creating one starts its
 * billing workflow, which issues every renewal invoice and pays it from the deposit; the stop is that workflow's
 * update, so it and the renewal never race.
 */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { recordOperation } from '../../db/accounts/operation-log';
import { findAccount } from '../../db/accounts/accounts';
import { findSubscription, insertSubscription, listSubscriptions } from '../../db/billing/subscriptions';
import { BILLING_CYCLES, billingWorkflowId, parseLocalDate, stopSubscriptionUpdate, type SubscriptionBillingInput, type TopupPolicy } from '../../workflows/definitions';
import { requireRole, scopedAccountId } from '../accounts/auth';
import { HttpError } from '../shared/errors';
import { startWorkflow } from '../shared/start-workflow';

/** `POST /v1/subscriptions`. */
export const ZCreateSubscriptionRequest = z.strictObject({
  accountId: z.string().min(1).max(100),
  product: z.string().trim().min(1).max(200),
  price: z.number().int('must be a whole number of rupiah').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER),
  cycleMonths: z.union(BILLING_CYCLES.map((c) => z.literal(c)), { error: `must be one of ${BILLING_CYCLES.join(', ')} months` }),
  startDate: z.string().refine(
    (s) => {
      try {
        parseLocalDate(s);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a calendar date YYYY-MM-DD (local to the account)' },
  ),
});

/** `GET /v1/subscriptions`. */
export const ZSubscriptionsQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });

/** `{subscriptionId}` in a path. */
export const ZSubscriptionId = z.string().regex(/^sub_[0-9a-f]{16}$/, 'must be a subscription id such as sub_0123456789abcdef');
const ZSubscriptionParams = z.object({ subscriptionId: ZSubscriptionId });

/** What the subscription routes need. */
export interface SubscriptionRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
}

/** Builds the `/v1/subscriptions` router. */
export function subscriptionsRouter(deps: SubscriptionRouteDeps): Router {
  const router = Router();

  router.post('/', requireRole('ops', 'service'), async (req, res) => {
    const body = ZCreateSubscriptionRequest.parse(req.body);
    const timeZone = (await findAccount(deps.pool, body.accountId))?.timeZone;
    if (!timeZone) throw new HttpError(404, 'not_found', `account ${body.accountId} was not found`, [{ path: 'accountId', rule: 'must name an existing account' }]);
    const id = `sub_${randomBytes(8).toString('hex')}`;
    await insertSubscription(deps.pool, { id, ...body, createdBy: req.principal!.userId });
    const input: SubscriptionBillingInput = { subscriptionId: id, startDate: body.startDate, cycleMonths: body.cycleMonths, timeZone, periodIndex: 0, invoiceLeadDays: deps.policy.invoiceLeadDays };
    try {
      await startWorkflow(deps.temporal, 'subscriptionBilling', {
        taskQueue: deps.taskQueue,
        workflowId: billingWorkflowId(id),
        args: [input],
        staticSummary: `Billing of ${body.product} (${id}) for ${body.accountId}: IDR ${body.price} every ${body.cycleMonths} month(s)`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    await recordOperation(deps.pool, { accountId: body.accountId, actorId: req.principal!.userId, action: 'subscription.create', details: { subscriptionId: id, ...body } });
    res.status(201).location(`/v1/subscriptions/${id}`).json(await findSubscription(deps.pool, id));
  });

  router.get('/', requireRole('owner', 'pic', 'finance', 'ops', 'service'), async (req, res) => {
    const query = ZSubscriptionsQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    res.json({ items: await listSubscriptions(deps.pool, accountId) });
  });

  // The owner stops the service at the end of the period paid; asking again answers the same stop.
  router.post('/:subscriptionId/stop', requireRole('owner'), async (req, res) => {
    const { subscriptionId } = ZSubscriptionParams.parse(req.params);
    const found = await findSubscription(deps.pool, subscriptionId);
    if (!found || found.accountId !== req.principal!.accountId) throw new HttpError(404, 'not_found', `subscription ${subscriptionId} was not found`);
    if (found.status === 'stopped' || found.status === 'cancelled') {
      throw new HttpError(409, 'invalid_transition', `subscription ${subscriptionId} is ${found.status} already; there is nothing to stop`);
    }
    try {
      await deps.temporal.workflow.getHandle(billingWorkflowId(subscriptionId)).executeUpdate(stopSubscriptionUpdate, { args: [{ by: req.principal!.userId }] });
    } catch (err) {
      // Its billing ended meanwhile (the service stopped or was cancelled): say so; anything else is the error it is.
      const now = await findSubscription(deps.pool, subscriptionId);
      if (now?.status === 'stopped' || now?.status === 'cancelled') throw new HttpError(409, 'invalid_transition', `subscription ${subscriptionId} is ${now.status} already; there is nothing to stop`);
      throw err;
    }
    res.json(await findSubscription(deps.pool, subscriptionId));
  });

  return router;
}
