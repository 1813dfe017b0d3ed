/**
 * The routes both kinds of order share under /v1/orders: the list, one order, its documents, deletion and
 * finance's decisions. Thin: they validate, check who may see the order, and hand over to the order's workflow,
 * whose validators decide every change; the workflow writes it to the operation log with the revision it produced
 * (db/orders/read-model.ts): once, with the user whose message made it, however many requests asked for it.
 */
import { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { claimDecisionTiming } from '../../db/accounts/operation-log';
import { findReceipt } from '../../db/bank-transfer/receipts';
import { findInvoiceDocument } from '../../db/online/invoice-documents';
import { listOrders } from '../../db/orders/order-list';
import { approveAnyOrderUpdate, deleteAnyOrderUpdate, rejectAnyOrderUpdate, type AnyOrderView } from '../../workflows/definitions';
import { requireRole, scopedAccountId, type Principal } from '../accounts/auth';
import { HttpError } from '../shared/errors';
import type { ApiMetrics, Decision } from '../shared/metrics';
import { findVisibleOrder, onlineOrder } from './order-access';
import { updateOrder } from './order-updates';
import { ZApproveRequest, ZListOrdersQuery, ZOrderParams, ZRejectRequest } from './schemas';

/** What the order routes need. */
export interface OrderRouteDeps {
  pool: Pool;
  temporal: Client;
  now: () => Date;
  /** Where finance's decisions are timed (`topup_order_decision_seconds`). */
  metrics?: Pick<ApiMetrics, 'observeDecision'>;
}

/** Customers change their orders; finance decides; everyone but services reads. */
export const customers = requireRole('owner', 'pic');
export const readers = requireRole('owner', 'pic', 'finance', 'ops');
const finance = requireRole('finance');

/** The order of the path, as the read model holds it, if the caller may see it (404 otherwise). */
export async function pathOrder(pool: Pool, req: Request): Promise<{ orderNumber: string; stored: AnyOrderView; principal: Principal }> {
  const { orderNumber } = ZOrderParams.parse(req.params);
  const principal = req.principal!;
  return { orderNumber, stored: await findVisibleOrder(pool, orderNumber, principal), principal };
}

/** Answers a stored PDF as a download. */
function sendPdf(res: Response, fileName: string, pdf: Buffer): void {
  res.set({
    'Content-Type': 'application/pdf',
    'Content-Disposition': `attachment; filename="${fileName.replace(/[^\w.-]/g, '_')}"`,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'private, no-store',
  });
  res.send(pdf);
}

/**
 * Times finance's decision in `topup_order_decision_seconds`, once: the first request answered with the decision's
 * revision claims its log entry; the others (repeats, racing twins) and refusals time nothing.
 */
async function timeDecision(deps: OrderRouteDeps, order: AnyOrderView, action: 'order.approve' | 'order.reject', decision: Decision): Promise<void> {
  if (deps.metrics && (await claimDecisionTiming(deps.pool, order.orderNumber, order.revision, action))) deps.metrics.observeDecision(order, decision, deps.now());
}

/** Builds the `/v1/orders` router of what both kinds of order share: a list of thin routes, long only by their count. */
export function ordersRouter(deps: OrderRouteDeps): Router {
  const router = Router();

  router.get('/', readers, async (req, res) => {
    const query = ZListOrdersQuery.parse(req.query);
    const page = await listOrders(deps.pool, {
      accountId: scopedAccountId(req.principal!, query.accountId),
      status: query.status,
      from: query.from,
      to: query.to,
      orderNumberPrefix: query.orderNumber,
      page: query.page,
      pageSize: query.pageSize,
      sort: 'newest',
      cursor: query.cursor,
    });
    res.json(page);
  });

  // The order as last recorded, not a query to its workflow: a query can see an update the Temporal server has not
  // yet written to history (a speculative workflow task), which a server restart discards, so a caller could be
  // shown a change that never happened. Every recorded state is durable; an update answers only once recorded.
  router.get('/:orderNumber', readers, async (req, res) => {
    const { stored } = await pathOrder(deps.pool, req);
    res.json(stored);
  });

  router.get('/:orderNumber/receipt.pdf', readers, async (req, res) => {
    const { orderNumber } = await pathOrder(deps.pool, req);
    const receipt = await findReceipt(deps.pool, orderNumber);
    if (!receipt) throw new HttpError(404, 'not_found', `order ${orderNumber} has no receipt: it is issued when the order is Paid`);
    sendPdf(res, receipt.fileName, receipt.pdf);
  });

  router.get('/:orderNumber/invoice.pdf', readers, async (req, res) => {
    const { orderNumber, stored } = await pathOrder(deps.pool, req);
    onlineOrder(stored);
    const invoice = await findInvoiceDocument(deps.pool, orderNumber);
    if (!invoice) throw new HttpError(404, 'not_found', `order ${orderNumber} has no invoice: it is issued when payment is confirmed`);
    sendPdf(res, invoice.fileName, invoice.pdf);
  });

  router.delete('/:orderNumber', customers, async (req, res) => {
    const { orderNumber, principal } = await pathOrder(deps.pool, req);
    const order = await updateOrder(deps, orderNumber, deleteAnyOrderUpdate, { by: principal.userId }, { repeatOf: 'deleted' });
    res.json(order);
  });

  router.post('/:orderNumber/approve', finance, async (req, res) => {
    const { orderNumber, principal } = await pathOrder(deps.pool, req);
    const body = ZApproveRequest.parse(req.body ?? {});
    const order = await updateOrder(deps, orderNumber, approveAnyOrderUpdate, { by: principal.userId, ...(body.checkResult ? { checkResult: body.checkResult } : {}) }, { repeatOf: 'paid' });
    await timeDecision(deps, order, 'order.approve', 'approved');
    res.json(order);
  });

  router.post('/:orderNumber/reject', finance, async (req, res) => {
    const { orderNumber, principal } = await pathOrder(deps.pool, req);
    const body = ZRejectRequest.parse(req.body ?? {});
    const order = await updateOrder(deps, orderNumber, rejectAnyOrderUpdate, { reason: body.reason, by: principal.userId });
    await timeDecision(deps, order, 'order.reject', 'rejected');
    res.json(order);
  });

  return router;
}
