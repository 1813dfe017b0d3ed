/**
 * Finance's review queue: Dealing orders of every account with the time left to decide, and online orders
 * "Paid late" (money that came after the invoice expired) waiting to be credited or marked for refund;
 * oldest submission first.
 */
import { Router } from 'express';
import type { AnyOrderView } from '../../workflows/definitions';
import { requireRole } from '../accounts/auth';
import { companyNames } from '../../db/accounts/accounts';
import { listOrders } from '../../db/orders/order-list';
import { ZReviewQueueQuery } from './schemas';
import type { OrderRouteDeps } from './order-routes';

/** Whole seconds from `now` until the order's review deadline, never below 0. */
function secondsLeft(order: AnyOrderView, now: Date): number | null {
  if (order.status !== 'dealing' || !order.deadline) return null;
  return Math.max(0, Math.floor((Date.parse(order.deadline) - now.getTime()) / 1000));
}

/** Builds the `/v1/review` router (finance and ops; ops only read). */
export function reviewRouter(deps: OrderRouteDeps): Router {
  const router = Router();

  router.get('/orders', requireRole('finance', 'ops'), async (req, res) => {
    const query = ZReviewQueueQuery.parse(req.query);
    const page = await listOrders(deps.pool, { accountId: query.accountId, status: ['dealing', 'paid_late'], page: query.page, pageSize: query.pageSize, sort: 'oldest-submission' });
    const now = deps.now();
    // Finance reads who the customer is, not only an account id.
    const names = await companyNames(deps.pool, [...new Set(page.items.map((o) => o.accountId))]);
    res.json({ ...page, items: page.items.map((order) => ({ ...order, companyName: names.get(order.accountId) ?? null, secondsLeft: secondsLeft(order, now) })) });
  });

  return router;
}
