/**
 * Online self top-up routes (seed 001): create the order with one line per wallet ("Top up balance"), see
 * and edit the summary ("Continue to payment"), then "Confirm payment" with a method, which issues the sales
 * invoice. Reading, deleting and finance's decisions on a late payment go through /v1/orders/{orderNumber}.
 */
import { Router, type Request } from 'express';
import { upsertOnlineOrderRow } from '../../db/orders/read-model';
import { allocateOrderNumber } from '../../db/orders/order-numbers';
import {
  confirmPaymentUpdate,
  editLinesUpdate,
  orderWorkflowId,
  type OnlineOrderInput,
  type OnlineOrderView,
  type OnlinePaymentMethod,
} from '../../workflows/definitions';
import { priceOnlineOrder, type OnlineLineRequest } from '../../workflows/online/pricing';
import { draftOnlineOrder } from '../../workflows/online/order-view';
import { ONLINE_PAYMENT_METHODS, type TopupPolicy } from '../../workflows/shared/policy';
import { requireRole, type Principal } from '../accounts/auth';
import { requireDepositEligible } from '../billing/deposit-eligibility';
import { HttpError } from '../shared/errors';
import { recordOperation } from '../../db/accounts/operation-log';
import { findVisibleOrder, onlineOrder } from '../orders/order-access';
import { ZOrderParams } from '../orders/schemas';
import { updateOrder } from '../orders/order-updates';
import { ZConfirmPaymentRequest, ZOnlineLinesRequest } from './schemas';
import type { OrderRouteDeps } from '../orders/order-routes';

const customers = requireRole('owner', 'pic');

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

/** Builds the `/v1/online-orders` router. */
export function onlineOrdersRouter(deps: OrderRouteDeps): Router {
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
    // The workflow logs the change (online_order.edit), once, with the revision it produced.
    const order = await updateOrder(deps, orderNumber, editLinesUpdate, { lines: body.lines, by: principal.userId });
    res.json({ ...order, paymentOptions: paymentOptions(order, deps.policy) });
  });

  router.post('/:orderNumber/confirm', customers, async (req, res) => {
    const { orderNumber, principal } = await pathOnlineOrder(deps, req);
    const body = ZConfirmPaymentRequest.parse(req.body ?? {});
    // The workflow logs the confirmation (online_order.confirm), once, with the revision it produced.
    const order = await updateOrder(deps, orderNumber, confirmPaymentUpdate, { paymentMethod: body.paymentMethod, by: principal.userId });
    res.json(order);
  });

  return router;
}
