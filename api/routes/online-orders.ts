/**
 * Online self top-up routes (seed 001): create the order with one line per wallet ("Top up balance"), see
 * and edit the summary ("Continue to payment"), then "Confirm payment" with a method, which issues the sales
 * invoice, or cancel a confirmation whose invoice the gateway has not issued yet. Reading, deleting and
 * finance's decisions on a late payment go through /v1/orders/{orderNumber}.
 *
 * A confirm waits for the gateway's invoice a bounded time (`confirmWaitMs`): when the gateway cannot issue it in
 * time, it answers 503 with Retry-After and the order as recorded, "issuing" the invoice; the same confirm sent
 * again joins that issuance (never a second invoice) and answers the invoice once there is one.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Router, type Request, type Response } from 'express';
import { upsertOnlineOrderRow } from '../../activities/order-read-model';
import { allocateOrderNumber } from '../../db/order-numbers';
import {
  cancelConfirmationUpdate,
  confirmPaymentUpdate,
  editLinesUpdate,
  FAILURE_TYPES,
  orderWorkflowId,
  type OnlineOrderInput,
  type OnlineOrderView,
  type OnlinePaymentMethod,
} from '../../workflows/definitions';
import { priceOnlineOrder, type OnlineLineRequest } from '../../workflows/online-rules';
import { draftOnlineOrder } from '../../workflows/online-order-view';
import { ONLINE_PAYMENT_METHODS, type TopupPolicy } from '../../workflows/policy';
import { describeOnlineStatus } from '../../workflows/invoice-issuing';
import { requireRole, type Principal } from '../auth';
import { updateOrderWithin } from '../bounded-update';
import { requireDepositEligible } from '../deposit-eligibility';
import { HttpError } from '../errors';
import { recordOperation } from '../operation-log';
import { findVisibleOrder, onlineOrder } from '../order-access';
import { ZOrderParams } from '../order-schemas';
import { updateOrder } from '../order-updates';
import { ZConfirmPaymentRequest, ZOnlineLinesRequest } from '../schemas';
import type { OrderRouteDeps } from './orders';

const customers = requireRole('owner', 'pic');

/** How long a confirm waits for the gateway's invoice before answering 503 (CONFIRM_PAYMENT_WAIT_SECONDS). */
export const DEFAULT_CONFIRM_WAIT_MS = 5_000;
/** Beyond the workflow's own wait, for its answer to come back; past both the route answers from the record. */
const ANSWER_MARGIN_MS = 2_000;
/** The most a client is told to wait before sending a pending confirm again. */
const LONGEST_RETRY_AFTER_S = 30;

/** What the online-order routes need: the order routes' dependencies and the confirm's bound. */
export type OnlineOrderRouteDeps = OrderRouteDeps & { confirmWaitMs?: number };

/** Seconds until the gateway is asked again (at least 1), as the Retry-After of a pending confirm. */
function retryAfterSeconds(order: OnlineOrderView, nowMs: number): number {
  const next = order.issuing?.nextAttemptAt ? Date.parse(order.issuing.nextAttemptAt) : nowMs;
  return Math.min(LONGEST_RETRY_AFTER_S, Math.max(1, Math.ceil((next - nowMs) / 1000)));
}

/** An answer that is not the invoice: the error and the order as recorded, so the client sees what holds. */
function answerWithOrder(res: Response, status: number, code: string, message: string, order: OnlineOrderView): void {
  res.status(status).json({ error: { code, message, fields: [] }, order });
}

/** The lines priced, or 400 naming every broken rule. */
function priced(lines: OnlineLineRequest[], policy: TopupPolicy) {
  const bill = priceOnlineOrder(lines, 'virtual_account', policy);
  if (Array.isArray(bill)) {
    const fields = bill.map((v) => ({ path: v.field, rule: v.rule }));
    throw new HttpError(400, 'invalid_input', fields.map((f) => `${f.path}: ${f.rule}`).join('; '), fields);
  }
  return bill;
}

/** What each payment method would bill for the order as it stands (the card fee included), for the summary. */
function paymentOptions(order: OnlineOrderView, policy: TopupPolicy): Record<OnlinePaymentMethod, { fee: number; total: number }> {
  const lines = order.lines.map((l) => ({ wallet: l.wallet, amount: l.requested }));
  const options = {} as Record<OnlinePaymentMethod, { fee: number; total: number }>;
  for (const method of ONLINE_PAYMENT_METHODS as OnlinePaymentMethod[]) {
    const bill = priceOnlineOrder(lines, method, policy);
    if (!Array.isArray(bill)) options[method] = { fee: bill.fee, total: bill.total };
  }
  return options;
}

async function pathOnlineOrder(deps: OrderRouteDeps, req: Request): Promise<{ orderNumber: string; stored: OnlineOrderView; principal: Principal }> {
  const { orderNumber } = ZOrderParams.parse(req.params);
  const principal = req.principal!;
  return { orderNumber, stored: onlineOrder(await findVisibleOrder(deps.pool, orderNumber, principal)), principal };
}

async function recordedOnlineOrder(deps: OrderRouteDeps, req: Request): Promise<OnlineOrderView> {
  return (await pathOnlineOrder(deps, req)).stored;
}

/** Builds the `/v1/online-orders` router. */
export function onlineOrdersRouter(deps: OnlineOrderRouteDeps): Router {
  const confirmWaitMs = deps.confirmWaitMs ?? DEFAULT_CONFIRM_WAIT_MS;
  const router = Router();

  router.post('/', customers, async (req, res) => {
    const body = ZOnlineLinesRequest.parse(req.body);
    const bill = priced(body.lines, deps.policy);
    const principal = req.principal!;
    if (body.lines.some((l) => l.wallet === 'deposit')) await requireDepositEligible(deps.pool, principal.accountId!);
    const account = await deps.pool.query<{ time_zone: string }>('SELECT time_zone FROM accounts WHERE id = $1', [principal.accountId]);
    const now = deps.now();
    const orderNumber = await allocateOrderNumber(deps.pool, now);
    const input: OnlineOrderInput = {
      orderNumber,
      accountId: principal.accountId!,
      createdBy: principal.userId,
      lines: body.lines,
      currency: 'IDR',
      createdAt: now.toISOString(),
      timeZone: account.rows[0]?.time_zone ?? 'Asia/Jakarta',
      policy: deps.policy,
    };
    await deps.temporal.workflow.start('onlineTopupOrder', {
      taskQueue: deps.taskQueue,
      workflowId: orderWorkflowId(orderNumber),
      args: [input],
      staticSummary: `Online top-up ${orderNumber}: ${bill.lines.map((l) => l.wallet).join(', ')}, IDR ${bill.subtotal}`,
    });
    // The workflow writes the same revision-0 row; writing it here too makes the list read-your-writes.
    const view = draftOnlineOrder(input, bill, null);
    await upsertOnlineOrderRow(deps.pool, view);
    await recordOperation(deps.pool, { accountId: view.accountId, actorId: principal.userId, action: 'online_order.create', orderNumber, details: { lines: body.lines } });
    res.status(201).location(`/v1/orders/${orderNumber}`).json({ ...view, paymentOptions: paymentOptions(view, deps.policy) });
  });

  router.patch('/:orderNumber', customers, async (req, res) => {
    const { orderNumber, principal } = await pathOnlineOrder(deps, req);
    const body = ZOnlineLinesRequest.parse(req.body ?? {});
    priced(body.lines, deps.policy);
    const order = await updateOrder(deps, orderNumber, editLinesUpdate, { lines: body.lines, by: principal.userId });
    // The workflow logs the change (online_order.edit), once, with the revision it produced.
    res.json({ ...order, paymentOptions: paymentOptions(order, deps.policy) });
  });

  router.post('/:orderNumber/confirm', customers, async (req, res) => {
    const { orderNumber, principal } = await pathOnlineOrder(deps, req);
    const body = ZConfirmPaymentRequest.parse(req.body ?? {});
    let answered: OnlineOrderView | null;
    try {
      answered = await updateOrderWithin(deps, orderNumber, confirmPaymentUpdate, { paymentMethod: body.paymentMethod, by: principal.userId, waitMs: confirmWaitMs }, confirmWaitMs + ANSWER_MARGIN_MS);
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === FAILURE_TYPES.invoiceNotIssued)) throw err;
      return answerWithOrder(res, 409, 'invoice_not_issued', `the invoice of order ${orderNumber} was not issued: ${err.cause.message}`, await recordedOnlineOrder(deps, req));
    }
    // Without the invoice (still issuing, or no answer in time) the answer is the record, which GET shows too.
    const order = answered?.invoice ? answered : await recordedOnlineOrder(deps, req);
    // The workflow logs the confirmation (online_order.confirm) once, when it records the invoice.
    if (order.invoice?.paymentMethod === body.paymentMethod) return res.json(order);
    if (order.invoice) throw new HttpError(409, 'invalid_transition', `payment can be confirmed only for an Unpaid order; this one is ${describeOnlineStatus(order)}`);
    const issuing = order.issuing
      ? `the payment gateway has not issued the invoice yet; the order is ${describeOnlineStatus(order)}${order.issuing.lastError ? `, last error: ${order.issuing.lastError}` : ''}`
      : 'the confirmation was not acknowledged in time';
    res.set('Retry-After', String(retryAfterSeconds(order, deps.now().getTime())));
    answerWithOrder(
      res,
      503,
      'invoice_pending',
      `${issuing}. Send the same confirm again to wait for the invoice (it joins this issuance; a second invoice is never made), or cancel the confirmation (POST /v1/online-orders/${orderNumber}/cancel-confirmation)`,
      order,
    );
  });

  router.post('/:orderNumber/cancel-confirmation', customers, async (req, res) => {
    const { orderNumber, principal } = await pathOnlineOrder(deps, req);
    const order = await updateOrderWithin(deps, orderNumber, cancelConfirmationUpdate, { by: principal.userId }, confirmWaitMs + ANSWER_MARGIN_MS);
    if (!order) {
      res.set('Retry-After', '1');
      return answerWithOrder(res, 503, 'update_not_confirmed', `the cancellation of order ${orderNumber} was not acknowledged in time (the workflow service or its worker is slow); send it again`, await recordedOnlineOrder(deps, req));
    }
    // The workflow logs the cancellation (online_order.cancel_confirmation), once, when it records it.
    res.json(order);
  });

  return router;
}
