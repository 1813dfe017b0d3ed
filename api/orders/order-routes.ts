/**
 * Order routes: thin, they validate, check who may see the order, and hand over to the order workflow. Every
 * change is the workflow's decision (its validators refuse what the status does not allow), and the workflow
 * writes it to the operation log with the revision it produced (db/orders/read-model.ts): once, with the
 * user whose message made it, however many requests asked for it.
 */
import { Router, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { findInvoiceDocument } from '../../activities/online/online-order-activities';
import { findReceipt } from '../../activities/bank-transfer/order-notifications';
import type { ProviderInfo } from '../../config/provider';
import { bankTransferAmountViolation } from '../../workflows/bank-transfer/amount-rules';
import {
  approveAnyOrderUpdate,
  choosePaymentMethodUpdate,
  deleteAnyOrderUpdate,
  editOrderUpdate,
  rejectAnyOrderUpdate,
  submitSlipUpdate,
  type AnyOrderView,
  type OrderView,
} from '../../workflows/definitions';
import type { TopupPolicy } from '../../workflows/shared/policy';
import { formatRupiah } from '../../workflows/shared/rupiah';
import { requireRole, scopedAccountId, type Principal } from '../accounts/auth';
import { HttpError } from '../shared/errors';
import type { ApiMetrics, Decision } from '../shared/metrics';
import { claimDecisionTiming } from '../../db/accounts/operation-log';
import { bankTransferOrder, findVisibleOrder, liveOrder, onlineOrder } from './order-access';
import { listOrders } from '../../db/orders/order-list';
import {
  ZApproveRequest,
  ZChoosePaymentMethodRequest,
  ZEditOrderRequest,
  ZListOrdersQuery,
  ZOrderParams,
  ZRejectRequest,
  ZSlipFormFields,
} from './schemas';
import { requireDepositEligible } from '../billing/deposit-eligibility';
import { isRefusedUpdate, updateOrder } from './order-updates';
import { startBankTransferOrder } from './start-order';
import { ZCreateOrderRequest } from '../online/schemas';
import { deleteSlip, loadSlip, storeSlip } from '../../db/bank-transfer/slips';
import { inspectSlip } from '../bank-transfer/slip-inspection';
import { receiveSlipUpload, slipExtension, uploadedSlip } from '../bank-transfer/slip-upload';

/** What the order routes need. */
export interface OrderRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  provider: ProviderInfo;
  now: () => Date;
  /** Where finance's decisions are timed (`topup_order_decision_seconds`). */
  metrics?: Pick<ApiMetrics, 'observeDecision'>;
}

/** Customers change their orders; finance decides; everyone but services reads. */
const customers = requireRole('owner', 'pic');
const readers = requireRole('owner', 'pic', 'finance', 'ops');
const finance = requireRole('finance');

/** The order of the path, as the read model holds it, if the caller may see it (404 otherwise). */
async function pathOrder(pool: Pool, req: Request): Promise<{ orderNumber: string; stored: AnyOrderView; principal: Principal }> {
  const { orderNumber } = ZOrderParams.parse(req.params);
  const principal = req.principal!;
  return { orderNumber, stored: await findVisibleOrder(pool, orderNumber, principal), principal };
}

/** Like {@link pathOrder}, for the routes of bank-transfer orders only (409 for an online order). */
async function bankPathOrder(pool: Pool, req: Request): Promise<{ orderNumber: string; stored: OrderView; principal: Principal }> {
  const found = await pathOrder(pool, req);
  return { ...found, stored: bankTransferOrder(found.stored) };
}

/**
 * Times finance's decision in `topup_order_decision_seconds`, once: the first request answered with the decision's
 * revision claims its log entry; the others (repeats, racing twins) and refusals time nothing.
 */
async function timeDecision(deps: OrderRouteDeps, order: AnyOrderView, action: 'order.approve' | 'order.reject', decision: Decision): Promise<void> {
  if (deps.metrics && (await claimDecisionTiming(deps.pool, order.orderNumber, order.revision, action))) deps.metrics.observeDecision(order, decision, deps.now());
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

/** Builds the `/v1/orders` router. */
export function ordersRouter(deps: OrderRouteDeps): Router {
  const router = Router();

  router.post('/', customers, async (req, res) => {
    const body = ZCreateOrderRequest.parse(req.body);
    const violation = bankTransferAmountViolation(body.wallet, body.amount, deps.policy);
    if (violation) throw new HttpError(400, 'invalid_input', `${violation.field}: ${violation.rule}`, [{ path: violation.field, rule: violation.rule }]);
    const principal = req.principal!;
    if (body.wallet === 'deposit') await requireDepositEligible(deps.pool, principal.accountId!);
    const view = await startBankTransferOrder(deps, principal, { wallet: body.wallet, amount: body.amount, settles: null });
    res.status(201).location(`/v1/orders/${view.orderNumber}`).json(view);
  });

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

  router.patch('/:orderNumber', customers, async (req, res) => {
    const { orderNumber, stored, principal } = await bankPathOrder(deps.pool, req);
    const body = ZEditOrderRequest.parse(req.body ?? {});
    let view = stored;
    if (body.paymentMethod) view = await updateOrder(deps, orderNumber, choosePaymentMethodUpdate, { paymentMethod: body.paymentMethod, by: principal.userId });
    if (body.amount !== undefined) view = await updateOrder(deps, orderNumber, editOrderUpdate, { amount: body.amount, by: principal.userId });
    res.json(view);
  });

  router.post('/:orderNumber/payment-method', customers, async (req, res) => {
    const { orderNumber, principal } = await bankPathOrder(deps.pool, req);
    const body = ZChoosePaymentMethodRequest.parse(req.body ?? {});
    const order = await updateOrder(deps, orderNumber, choosePaymentMethodUpdate, { paymentMethod: body.paymentMethod, by: principal.userId });
    const { bankName, accountName, accountNumber } = deps.provider.bank;
    res.json({
      order,
      bankTransfer: {
        bankName,
        accountName,
        accountNumber,
        orderNumber,
        amount: order.amount,
        currency: order.currency,
        transferNote: orderNumber,
        instruction: `Transfer ${formatRupiah(order.amount)} to ${bankName} account ${accountNumber} (${accountName}) and write the order number ${orderNumber} in the transfer note, then upload the payment slip.`,
      },
    });
  });

  router.post('/:orderNumber/slip', customers, async (req, res) => {
    const { orderNumber, stored, principal } = await bankPathOrder(deps.pool, req);
    await receiveSlipUpload(req, res);
    const fields = ZSlipFormFields.parse(req.body ?? {});
    const slip = uploadedSlip(req.file);
    const current = await liveOrder(deps.temporal, stored);
    // After a rejection (or an expired review window) a new slip is an edit; otherwise it is the first submission.
    const resubmission = current.status === 'Payment Failure';
    if (fields.amount !== undefined && !resubmission) {
      const rule = 'can change with a slip only after Payment Failure; edit an Unpaid order with PATCH';
      throw new HttpError(400, 'invalid_input', `amount: ${rule}`, [{ path: 'amount', rule }]);
    }
    const ref = await storeSlip(deps.pool, { accountId: stored.accountId, orderNumber, uploadedBy: principal.userId }, await inspectSlip(slip));
    let order: OrderView;
    try {
      order = resubmission
        ? await updateOrder(deps, orderNumber, editOrderUpdate, { slip: ref, by: principal.userId, ...(fields.amount === undefined ? {} : { amount: fields.amount }) })
        : await updateOrder(deps, orderNumber, submitSlipUpdate, { slip: ref, by: principal.userId });
    } catch (err) {
      // Refused for good: the workflow never took the slip, so nothing may point at it.
      if (isRefusedUpdate(err)) await deleteSlip(deps.pool, ref.fileId);
      throw err;
    }
    res.status(201).location(`/v1/orders/${orderNumber}/slip`).json(order);
  });

  router.get('/:orderNumber/slip', readers, async (req, res) => {
    const { orderNumber, stored } = await pathOrder(deps.pool, req);
    const ref = 'slip' in stored ? stored.slip : null;
    const slip = ref ? await loadSlip(deps.pool, orderNumber, ref.fileId) : null;
    if (!slip) throw new HttpError(404, 'not_found', `order ${orderNumber} has no payment slip`);
    res.set({
      'Content-Type': slip.contentType,
      'Content-Disposition': `attachment; filename="slip-${orderNumber}.${slipExtension(slip.contentType)}"`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, no-store',
    });
    res.send(slip.content);
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
    const order = await updateOrder(deps, orderNumber, deleteAnyOrderUpdate, { by: principal.userId }, { repeatOf: 'Deleted' });
    res.json(order);
  });

  router.post('/:orderNumber/approve', finance, async (req, res) => {
    const { orderNumber, principal } = await pathOrder(deps.pool, req);
    const body = ZApproveRequest.parse(req.body ?? {});
    const order = await updateOrder(deps, orderNumber, approveAnyOrderUpdate, { by: principal.userId, ...(body.checkResult ? { checkResult: body.checkResult } : {}) }, { repeatOf: 'Paid' });
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
