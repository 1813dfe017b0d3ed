/**
 * `GET /v1/held-payments` (issue 21): money paid for a subscription invoice that neither the invoice (paid already,
 * or void since its service stopped) nor the deposit (outside its per-top-up limits) could take, held for finance to
 * credit elsewhere or refund. Finance and ops see every account's; a customer its own.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { listHeldPayments } from '../../db/billing/invoice-payments';
import { requireRole, scopedAccountId } from '../accounts/auth';

/** `GET /v1/held-payments`. */
export const ZHeldPaymentsQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });

/** Builds the `/v1/held-payments` router. */
export function heldPaymentsRouter(deps: { pool: Pool }): Router {
  const router = Router();
  router.get('/', requireRole('owner', 'pic', 'finance', 'ops'), async (req, res) => {
    const query = ZHeldPaymentsQuery.parse(req.query);
    res.json({ items: await listHeldPayments(deps.pool, scopedAccountId(req.principal!, query.accountId)) });
  });
  return router;
}
