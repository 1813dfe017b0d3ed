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
import { Router, type Request, type Response } from 'express';
import { findAccount } from '../../db/accounts/accounts';
import { findUser } from '../../db/accounts/users';
import { findOrderPolicy } from '../../db/orders/read-model';
import {
  cancelConfirmationUpdate,
  confirmPaymentUpdate,
  describeOnlineStatus,
  editLinesUpdate,
  ONLINE_PAYMENT_METHODS,
  onlineTransition,
  priceInvoicePayment,
  priceOnlineOrder,
  type OnlineLineRequest,
  type OnlineOrderView,
  type OnlinePaymentMethod,
  type TopupPolicy,
} from '../../workflows/definitions';
import { requireRole, type Principal } from '../accounts/auth';
import { requireDepositEligible } from '../billing/deposit-eligibility';
import { updateOrderWithin } from '../orders/bounded-update';
import { findVisibleOrder, onlineOrder } from '../orders/order-access';
import { updateOrder } from '../orders/order-updates';
import { ZOrderParams } from '../orders/schemas';
import { startOrder, type StartOrderDeps } from '../orders/start-order';
import { HttpError, refusalOf } from '../shared/errors';
import { ZConfirmPaymentRequest, ZOnlineLinesRequest } from './schemas';

const customers = requireRole('owner', 'pic');
const readersOfOrders = requireRole('owner', 'pic', 'finance', 'ops');

/** How long a confirm waits for the gateway's invoice before answering 503 (CONFIRM_PAYMENT_WAIT_SECONDS). */
export const DEFAULT_CONFIRM_WAIT_MS = 5_000;
/** Beyond the workflow's own wait, for its answer to come back; past both the route answers from the record. */
const ANSWER_MARGIN_MS = 2_000;
/** The most a client is told to wait before sending a pending confirm again. */
const LONGEST_RETRY_AFTER_S = 30;

/** What the online-order routes need: starting orders, and the confirm's bound. */
export type OnlineOrderRouteDeps = StartOrderDeps & { confirmWaitMs?: number };

/** Seconds until the gateway is asked again (at least 1), as the Retry-After of a pending confirm. */
function retryAfterSeconds(order: OnlineOrderView, nowMs: number): number {
  const next = order.issuing?.nextAttemptAt ? Date.parse(order.issuing.nextAttemptAt) : nowMs;
  return Math.min(LONGEST_RETRY_AFTER_S, Math.max(1, Math.ceil((next - nowMs) / 1000)));
}

/** An answer that is not the invoice: the error and the order as recorded, so the client sees what holds. */
function answerWithOrder(res: Response, error: HttpError, order: OnlineOrderView): void {
  res.status(error.status).json({ error: { code: error.code, message: error.message, fields: error.fields }, order });
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
    const bill = order.settles ? priceInvoicePayment(order.settles.invoiceId, order.subtotal, method, policy) : priceOnlineOrder(lines, method, policy);
    if (!Array.isArray(bill)) options[method] = { fee: bill.fee, total: bill.total };
  }
  return options;
}

/** The billing email the confirmation step shows first: the account's (issue 17), else the requester's own. */
async function defaultBillingEmail(deps: StartOrderDeps, principal: Principal): Promise<string | undefined> {
  const account = await findAccount(deps.pool, principal.accountId!);
  return account?.billingEmail ?? (await findUser(deps.pool, principal.userId))?.email;
}

/** The policy the order runs under (its workflow's snapshot); the one in force for an order from before it was kept. */
async function policyOf(deps: StartOrderDeps, orderNumber: string): Promise<TopupPolicy> {
  return (await findOrderPolicy(deps.pool, orderNumber)) ?? deps.policy;
}

async function pathOnlineOrder(deps: StartOrderDeps, req: Request): Promise<{ orderNumber: string; stored: OnlineOrderView; principal: Principal }> {
  const { orderNumber } = ZOrderParams.parse(req.params);
  const principal = req.principal!;
  return { orderNumber, stored: onlineOrder(await findVisibleOrder(deps.pool, orderNumber, principal)), principal };
}

async function recordedOnlineOrder(deps: StartOrderDeps, req: Request): Promise<OnlineOrderView> {
  return (await pathOnlineOrder(deps, req)).stored;
}

/**
 * What a confirm answers when the workflow's answer is not the invoice (still issuing, or no answer in time):
 * the recorded order, which GET shows too; 200 when it holds the invoice of the method asked for, 409 when the
 * rules refuse the method, else 503 invoice_pending with Retry-After.
 */
function answerPendingConfirm(res: Response, order: OnlineOrderView, paymentMethod: OnlinePaymentMethod, nowMs: number): void {
  if (order.invoice?.paymentMethod === paymentMethod) {
    res.json(order);
    return;
  }
  const rules = onlineTransition({ status: order.status, crediting: false, issuing: order.issuing, invoiceMethod: order.invoice?.paymentMethod ?? null }, 'confirmPayment', { paymentMethod });
  if ('refused' in rules) throw new HttpError(409, 'invalid_transition', rules.refused);
  const issuing = order.issuing
    ? `the payment gateway has not issued the invoice yet; the order is ${describeOnlineStatus(order)}${order.issuing.lastError ? `, last error: ${order.issuing.lastError}` : ''}`
    : 'the confirmation was not acknowledged in time';
  res.set('Retry-After', String(retryAfterSeconds(order, nowMs)));
  const message = `${issuing}. Send the same confirm again to wait for the invoice (it joins this issuance; a second invoice is never made), or cancel the confirmation (POST /v1/online-orders/${order.orderNumber}/cancel-confirmation)`;
  answerWithOrder(res, new HttpError(503, 'invoice_pending', message), order);
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
    const account = await findAccount(deps.pool, principal.accountId!);
    const view = await startOrder(deps, principal, { kind: 'online', lines: body.lines, bill, timeZone: account?.timeZone ?? 'Asia/Jakarta' });
    res.status(201).location(`/v1/orders/${view.orderNumber}`).json({ ...view, paymentOptions: paymentOptions(view, deps.policy) });
  });

  router.patch('/:orderNumber', customers, async (req, res) => {
    const { orderNumber, principal, stored } = await pathOnlineOrder(deps, req);
    const body = ZOnlineLinesRequest.parse(req.body ?? {});
    if (stored.settles) {
      const rule = `are the amount of invoice ${stored.settles.invoiceId} and cannot change`;
      throw new HttpError(400, 'invalid_input', `lines: ${rule}`, [{ path: 'lines', rule }]);
    }
    // The order's own policy, as its workflow checks it: a deployment's new limits apply to new orders only.
    const policy = await policyOf(deps, orderNumber);
    priced(body.lines, policy);
    // A deposit line is a deposit top-up: the same rules as creating one (the workflow checks them again).
    if (body.lines.some((l) => l.wallet === 'deposit')) await requireDepositEligible(deps.pool, principal.accountId!);
    // The workflow logs the change (online_order.edit), once, with the revision it produced.
    const order = await updateOrder(deps, orderNumber, editLinesUpdate, { lines: body.lines, by: principal.userId });
    res.json({ ...order, paymentOptions: paymentOptions(order, policy) });
  });

  // What each method would bill for the order as it stands, by the order's own policy (the card fee of its snapshot).
  router.get('/:orderNumber/payment-options', readersOfOrders, async (req, res) => {
    const { orderNumber, stored } = await pathOnlineOrder(deps, req);
    res.json({ orderNumber, paymentOptions: paymentOptions(stored, await policyOf(deps, orderNumber)) });
  });

  router.post('/:orderNumber/confirm', customers, async (req, res) => {
    const { orderNumber, principal } = await pathOnlineOrder(deps, req);
    const body = ZConfirmPaymentRequest.parse(req.body ?? {});
    const { paymentMethod } = body;
    const billingEmail = body.billingEmail ?? (await defaultBillingEmail(deps, principal));
    let answered: OnlineOrderView | null;
    try {
      const message = { paymentMethod, billingEmail, by: principal.userId, waitMs: confirmWaitMs };
      answered = await updateOrderWithin(deps, orderNumber, confirmPaymentUpdate, message, confirmWaitMs + ANSWER_MARGIN_MS);
    } catch (err) {
      // The confirmation ended without an invoice (cancelled, refused, given up): the error map's answer, with the order.
      const refusal = refusalOf(err);
      if (refusal?.code !== 'invoice_not_issued') throw err;
      return answerWithOrder(res, refusal, await recordedOnlineOrder(deps, req));
    }
    // The workflow logs the confirmation (online_order.confirm) once, when it records the invoice.
    if (answered?.invoice) return res.json(answered);
    answerPendingConfirm(res, await recordedOnlineOrder(deps, req), paymentMethod, deps.now().getTime());
  });

  router.post('/:orderNumber/cancel-confirmation', customers, async (req, res) => {
    const { orderNumber, principal } = await pathOnlineOrder(deps, req);
    const order = await updateOrderWithin(deps, orderNumber, cancelConfirmationUpdate, { by: principal.userId }, confirmWaitMs + ANSWER_MARGIN_MS);
    if (!order) {
      res.set('Retry-After', '1');
      const message = `the cancellation of order ${orderNumber} was not acknowledged in time (the workflow service or its worker is slow); send it again`;
      return answerWithOrder(res, new HttpError(503, 'update_not_confirmed', message), await recordedOnlineOrder(deps, req));
    }
    // The workflow logs the cancellation (online_order.cancel_confirmation), once, when it records it.
    res.json(order);
  });

  return router;
}
