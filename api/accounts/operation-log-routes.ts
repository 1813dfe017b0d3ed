/** `GET /v1/operation-log`: who did what, when, on the account; provider staff read every account. */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { requireRole, scopedAccountId } from './auth';
import { ZPaging } from '../orders/schemas';
import { ZOrderNumber } from '../online/schemas';

/** Query of `GET /v1/operation-log`. */
export const ZOperationLogQuery = z.strictObject({
  ...ZPaging.shape,
  orderNumber: ZOrderNumber.optional(),
  accountId: z.string().min(1).max(100).optional(),
});
export type TOperationLogQuery = z.infer<typeof ZOperationLogQuery>;

/** One logged operation as the API shows it. */
interface OperationLogItem {
  id: string;
  accountId: string;
  actor: { id: string; username: string; role: string };
  action: string;
  orderNumber: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

/** Builds the `/v1/operation-log` router. */
export function operationLogRouter(deps: { pool: Pool }): Router {
  const router = Router();
  router.get('/', requireRole('owner', 'pic', 'finance', 'ops'), async (req, res) => {
    const query = ZOperationLogQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    const where = `WHERE ($1::text IS NULL OR l.account_id = $1) AND ($2::text IS NULL OR l.order_number = $2)`;
    const filter = [accountId ?? null, query.orderNumber ?? null];
    const [rows, count] = await Promise.all([
      deps.pool.query<OperationLogItem>(
        `SELECT l.id::text AS id, l.account_id AS "accountId",
                json_build_object('id', u.id, 'username', u.username, 'role', u.role) AS actor,
                l.action, l.order_number AS "orderNumber", l.details, l.created_at AS "createdAt"
           FROM operation_log l JOIN users u ON u.id = l.actor_id
           ${where}
          ORDER BY l.id DESC LIMIT $3 OFFSET $4`,
        [...filter, query.pageSize, (query.page - 1) * query.pageSize],
      ),
      deps.pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM operation_log l ${where}`, filter),
    ]);
    res.json({ items: rows.rows, page: query.page, pageSize: query.pageSize, total: count.rows[0]?.total ?? 0 });
  });
  return router;
}
