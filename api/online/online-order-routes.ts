/**
 * Online self top-up routes (seed 001): create the order with one line per wallet ("Top up balance"), see
 * and edit the summary ("Continue to payment"), then "Confirm payment" with a method, which issues the sales
 * invoice. Reading, deleting and finance's decisions on a late payment go through /v1/orders/{orderNumber}.
 */
import { Router, type Request } from 'express';
import { findAccount } from '../../db/accounts/accounts';
import { findUser } from '../../db/accounts/users';
import {
  confirmPaymentUpdate,
  editLinesUpdate,
  ONLINE_PAYMENT_METHODS,
  priceOnlineOrder,
  type OnlineLineRequest,
  type OnlineOrderView,
  type OnlinePaymentMethod,
  type TopupPolicy,
} from '../../workflows/definitions';
import { requireRole, type Principal } from '../accounts/auth';
import { requireDepositEligible } from '../billing/deposit-eligibility';
import { findVisibleOrder, onlineOrder } from '../orders/order-access';
import { updateOrder } from '../orders/order-updates';
import { ZOrderParams } from '../orders/schemas';
import { startOrder, type StartOrderDeps } from '../orders/start-order';
import { HttpError } from '../shared/errors';
import { ZConfirmPaymentRequest, ZOnlineLinesRequest } from './schemas';

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

/** The billing email the confirmation step shows first: the account's (issue 17), else the requester's own. */
async function defaultBillingEmail(deps: StartOrderDeps, principal: Principal): Promise<string | undefined> {
  const account = await findAccount(deps.pool, principal.accountId!);
  return account?.billingEmail ?? (await findUser(deps.pool, principal.userId))?.email;
}

async function pathOnlineOrder(deps: StartOrderDeps, req: Request): Promise<{ orderNumber: string; stored: OnlineOrderView; principal: Principal }> {
  const { orderNumber } = ZOrderParams.parse(req.params);
  const principal = req.principal!;
  return { orderNumber, stored: onlineOrder(await findVisibleOrder(deps.pool, orderNumber, principal)), principal };
}

/** Builds the `/v1/online-orders` router. */
export function onlineOrdersRouter(deps: StartOrderDeps): Router {
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
    const billingEmail = body.billingEmail ?? (await defaultBillingEmail(deps, principal));
    // The workflow logs the confirmation (online_order.confirm), once, with the revision it produced.
    const order = await updateOrder(deps, orderNumber, confirmPaymentUpdate, { paymentMethod: body.paymentMethod, billingEmail, by: principal.userId });
    res.json(order);
  });

  return router;
}
