/**
 * `GET /v1/operation-log`: who did what, when, from which address. Customers read their account's entries; finance
 * and ops every account's (or one's); admins everything, the provider's own identity events too.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { listOperations, type OperationLogScope } from '../../db/accounts/operation-log';
import { requireRole, scopedAccountId } from './auth';
import { ZOrderNumber, ZPaging } from '../orders/schemas';

/** Query of `GET /v1/operation-log`. */
export const ZOperationLogQuery = z.strictObject({
  ...ZPaging.shape,
  orderNumber: ZOrderNumber.optional(),
  accountId: z.string().min(1).max(100).optional(),
});
export type TOperationLogQuery = z.infer<typeof ZOperationLogQuery>;

/** Builds the `/v1/operation-log` router. */
export function operationLogRouter(deps: { pool: Pool }): Router {
  const router = Router();
  router.get('/', requireRole('owner', 'pic', 'finance', 'ops', 'admin'), async (req, res) => {
    const query = ZOperationLogQuery.parse(req.query);
    const principal = req.principal!;
    const accountId = scopedAccountId(principal, query.accountId);
    const scope: OperationLogScope = accountId ? { accountId } : principal.role === 'admin' ? 'everything' : 'customer-accounts';
    const { items, total } = await listOperations(deps.pool, { scope, orderNumber: query.orderNumber, page: query.page, pageSize: query.pageSize });
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });
  return router;
}
