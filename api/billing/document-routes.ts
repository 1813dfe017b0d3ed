/**
 * `GET /v1/documents` (issue 21): an account's receipts (Paid bank-transfer orders), proforma invoices (online
 * orders) and subscription invoices in one list, newest first, each with the route that downloads it. Customers see
 * their account's; finance and ops every account's (or one's).
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { DOCUMENT_TYPES, listDocuments, type DocumentType } from '../../db/billing/documents';
import { requireRole, scopedAccountId } from '../accounts/auth';
import { ZPaging } from '../orders/schemas';
import { ZDay, ZDayRange } from '../shared/day-range';

const TYPE_LIST = new RegExp(`^(${DOCUMENT_TYPES.join('|')})(,(${DOCUMENT_TYPES.join('|')}))*$`);

/** `GET /v1/documents`. */
export const ZDocumentsQuery = ZDayRange(
  z.strictObject({
    ...ZPaging.shape,
    type: z.string().regex(TYPE_LIST, `must be one or more of ${DOCUMENT_TYPES.join(', ')}, separated by commas`).optional(),
    from: ZDay.optional(),
    to: ZDay.optional(),
    accountId: z.string().min(1).max(100).optional(),
  }),
);

/** Builds the `/v1/documents` router. */
export function documentsRouter(deps: { pool: Pool }): Router {
  const router = Router();
  router.get('/', requireRole('owner', 'pic', 'finance', 'ops'), async (req, res) => {
    const query = ZDocumentsQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    const types = query.type?.split(',') as DocumentType[] | undefined;
    const page = await listDocuments(deps.pool, { accountId, types, from: query.from, to: query.to, page: query.page, pageSize: query.pageSize });
    res.json({ ...page, page: query.page, pageSize: query.pageSize });
  });
  return router;
}
