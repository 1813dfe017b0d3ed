/**
 * The bank-transfer routes under /v1/orders (DOMAIN.md "Bank transfer"): create ("Top Up"), edit, "Transfer
 * Remittance" with the provider's bank account, and the payment slip, uploaded (judged by decoders before it is
 * stored) and downloaded. Which message a new slip is, the first submission or a resubmission after Payment
 * Failure, is the workflow's rules' (slipMessage).
 */
import { Router, type Request } from 'express';
import type { Pool } from 'pg';
import type { ProviderInfo } from '../../config/provider';
import { deleteSlip, loadSlip, storeSlip } from '../../db/bank-transfer/slips';
import {
  bankTransferAmountViolation,
  choosePaymentMethodUpdate,
  editOrderUpdate,
  formatRupiah,
  slipMessage,
  submitSlipUpdate,
  type OrderView,
  type SlipRef,
} from '../../workflows/definitions';
import type { Principal } from '../accounts/auth';
import { requireDepositEligible } from '../billing/deposit-eligibility';
import { customers, pathOrder, readers } from '../orders/order-routes';
import { bankTransferOrder, liveOrder } from '../orders/order-access';
import { isRefusedUpdate, updateOrder } from '../orders/order-updates';
import { startOrder, type StartOrderDeps } from '../orders/start-order';
import { HttpError } from '../shared/errors';
import { ZChoosePaymentMethodRequest, ZCreateOrderRequest, ZEditOrderRequest, ZSlipFormFields } from './schemas';
import { inspectSlip } from './slip-inspection';
import { receiveSlipUpload, slipExtension, uploadedSlip } from './slip-upload';

/** What the bank-transfer routes need. */
export interface BankTransferRouteDeps extends StartOrderDeps {
  provider: ProviderInfo;
}

/** Like {@link pathOrder}, for the routes of bank-transfer orders only (409 for an online order). */
async function bankPathOrder(pool: Pool, req: Request): Promise<{ orderNumber: string; stored: OrderView; principal: Principal }> {
  const found = await pathOrder(pool, req);
  return { ...found, stored: bankTransferOrder(found.stored) };
}

/** Sends a stored slip as the message the order's status makes it; a slip the workflow refused is removed again. */
async function sendSlip(deps: BankTransferRouteDeps, order: OrderView, slip: SlipRef, by: string, amount: number | undefined): Promise<OrderView> {
  try {
    return slipMessage(order.status) === 'edit'
      ? await updateOrder(deps, order.orderNumber, editOrderUpdate, { slip, by, ...(amount === undefined ? {} : { amount }) })
      : await updateOrder(deps, order.orderNumber, submitSlipUpdate, { slip, by });
  } catch (err) {
    // Refused for good: the workflow never took the slip, so nothing may point at it.
    if (isRefusedUpdate(err)) await deleteSlip(deps.pool, slip.fileId);
    throw err;
  }
}

/** Builds the `/v1/orders` router of bank-transfer orders: a list of thin routes, long only by their count. */
export function bankTransferRouter(deps: BankTransferRouteDeps): Router {
  const router = Router();

  router.post('/', customers, async (req, res) => {
    const body = ZCreateOrderRequest.parse(req.body);
    const violation = bankTransferAmountViolation(body.wallet, body.amount, deps.policy);
    if (violation) throw new HttpError(400, 'invalid_input', `${violation.field}: ${violation.rule}`, [{ path: violation.field, rule: violation.rule }]);
    const principal = req.principal!;
    if (body.wallet === 'deposit') await requireDepositEligible(deps.pool, principal.accountId!);
    const view = await startOrder(deps, principal, { kind: 'bank_transfer', wallet: body.wallet, amount: body.amount, settles: null });
    res.status(201).location(`/v1/orders/${view.orderNumber}`).json(view);
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
    // The live order is asked for while the body streams in (liveOrder never throws: the read model answers then).
    const live = liveOrder(deps.temporal, stored);
    await receiveSlipUpload(req, res);
    const fields = ZSlipFormFields.parse(req.body ?? {});
    const slip = uploadedSlip(req.file);
    const current = await live;
    if (fields.amount !== undefined && slipMessage(current.status) !== 'edit') {
      const rule = 'can change with a slip only after Payment Failure; edit an Unpaid order with PATCH';
      throw new HttpError(400, 'invalid_input', `amount: ${rule}`, [{ path: 'amount', rule }]);
    }
    const ref = await storeSlip(deps.pool, { accountId: stored.accountId, orderNumber, uploadedBy: principal.userId }, await inspectSlip(slip));
    const order = await sendSlip(deps, current, ref, principal.userId, fields.amount);
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

  return router;
}
