/** Finance's review queue: Dealing orders of every account, oldest submission first, with the time left to decide. */
import { Router } from 'express';
import type { OrderView } from '../../workflows/definitions';
import { requireRole } from '../auth';
import { listOrders } from '../order-list';
import { ZReviewQueueQuery } from '../order-schemas';
import type { OrderRouteDeps } from './orders';

/** Whole seconds from `now` until the order's review deadline, never below 0. */
function secondsLeft(order: OrderView, now: Date): number | null {
  if (!order.deadline) return null;
  return Math.max(0, Math.floor((Date.parse(order.deadline) - now.getTime()) / 1000));
}

/** Builds the `/v1/review` router (finance and ops; ops only read). */
export function reviewRouter(deps: OrderRouteDeps): Router {
  const router = Router();

  router.get('/orders', requireRole('finance', 'ops'), async (req, res) => {
    const query = ZReviewQueueQuery.parse(req.query);
    const page = await listOrders(deps.pool, { accountId: query.accountId, status: 'Dealing', page: query.page, pageSize: query.pageSize, sort: 'oldest-submission' });
    const now = deps.now();
    res.json({ ...page, items: page.items.map((order) => ({ ...order, secondsLeft: secondsLeft(order, now) })) });
  });

  return router;
}
