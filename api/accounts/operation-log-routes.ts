/** `GET /v1/operation-log`: who did what, when, on the account; provider staff read every account. */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { listOperations } from '../../db/accounts/operation-log';
import { requireRole, scopedAccountId } from './auth';
import { ZPaging } from '../orders/schemas';
import { ZOrderNumber } from '../orders/schemas';

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
  router.get('/', requireRole('owner', 'pic', 'finance', 'ops'), async (req, res) => {
    const query = ZOperationLogQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    const { items, total } = await listOperations(deps.pool, { accountId, orderNumber: query.orderNumber, page: query.page, pageSize: query.pageSize });
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });
  return router;
}
