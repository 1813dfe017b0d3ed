/**
 * `GET /v1/operation-log`: who did what, when, from which address. Customers read their account's entries; finance
 * and ops every account's (or one's); admins everything, the provider's own identity events too.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { listOperations, type OperationLogScope } from '../../db/accounts/operation-log';
import { findAccount } from '../../db/accounts/accounts';
import { requireRole, scopedAccountId } from './auth';
import { ZOrderNumber, ZPaging } from '../orders/schemas';
import { ZDay, ZDayRange } from '../shared/day-range';

/** The time zone of days a reader across accounts filters by (the provider's). */
const PROVIDER_TIME_ZONE = 'Asia/Jakarta';

/** Query of `GET /v1/operation-log`. */
export const ZOperationLogQuery = ZDayRange(
  z.strictObject({
    ...ZPaging.shape,
    orderNumber: ZOrderNumber.optional(),
    accountId: z.string().min(1).max(100).optional(),
    from: ZDay.optional(),
    to: ZDay.optional(),
    actor: z.string().min(1).max(64, 'must be at most 64 characters').optional(),
    action: z
      .string()
      .regex(/^[a-z_]+(\.[a-z_]+)?$/, 'must be an action such as order.approve, or a kind of actions such as order, usage, gift, session')
      .optional(),
  }),
);
export type TOperationLogQuery = z.infer<typeof ZOperationLogQuery>;

/** Builds the `/v1/operation-log` router. */
export function operationLogRouter(deps: { pool: Pool }): Router {
  const router = Router();
  router.get('/', requireRole('owner', 'pic', 'finance', 'ops', 'admin'), async (req, res) => {
    const query = ZOperationLogQuery.parse(req.query);
    const principal = req.principal!;
    const accountId = scopedAccountId(principal, query.accountId);
    const scope: OperationLogScope = accountId ? { accountId } : principal.role === 'admin' ? 'everything' : 'customer-accounts';
    // Days are the account's when one is read, the provider's across accounts.
    const timeZone = accountId ? ((await findAccount(deps.pool, accountId))?.timeZone ?? PROVIDER_TIME_ZONE) : PROVIDER_TIME_ZONE;
    const { from, to, actor, action, orderNumber, page, pageSize } = query;
    const { items, total } = await listOperations(deps.pool, { scope, orderNumber, from, to, timeZone, actor, action, page, pageSize });
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });
  return router;
}
