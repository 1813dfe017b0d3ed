/**
 * `POST /v1/payments/callback`: the payment gateway tells us money came in (`invoice.paid`) or a refund we asked
 * for went out (`refund.succeeded`). No bearer token: the HMAC over the raw body is the credential. An
 * unverifiable callback changes nothing: it gets one 401 whatever failed (the reason goes to the log, not to a
 * forger), and its address's failures are held back like failed bearer tokens (failure-backoff.ts); a verified
 * callback is never held.
 *
 * A verified payment is recorded once by its event id, as a gateway event and as a received payment, in one
 * transaction, before anything acts on it; then it is signalled to its order's workflow, which takes it or opens a
 * payment exception. When no workflow of the order runs (an unknown order, one paid or closed long ago), the route
 * opens the exception itself (issue 19: every incoming payment ends in exactly one place). A repeat changes nothing.
 */
import express, { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import {
  incomingGatewayPayment,
  isOnlineOrder,
  orderWorkflowId,
  paymentReceivedSignal,
  refundSettledSignal,
  type ExceptionReason,
  type PaymentExceptionInput,
  type TopupPolicy,
  type Wallet,
} from '../../workflows/definitions';
import { isCallbackApplied, markCallbackApplied, recordCallbackEvent } from '../../db/online/payment-events';
import { findOrder, type StoredOrder } from '../../db/orders/read-model';
import { recordReceivedPayment } from '../../db/reconciliation/received-payments';
import { settleRefund } from '../../db/reconciliation/refunds';
import { inTransaction } from '../../db/transaction';
import { verifyCallbackSignature, type GatewayEvent, type PaymentEvent } from './callback-signature';
import { HttpError } from '../shared/errors';
import { FailureBackoff, retryAfterSeconds } from '../shared/failure-backoff';
import { openPaymentException } from '../reconciliation/open-exception';

/** What the callback route needs. */
export interface PaymentCallbackDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  callbackSecret: string;
  now: () => Date;
  /** Failed verifications per client address. */
  failures: FailureBackoff;
}

type RefundEvent = Extract<GatewayEvent, { type: 'refund.succeeded' }>;

/** Builds the callback router (mounted before any JSON body parser: it needs the raw bytes). */
export function paymentCallbackRouter(deps: PaymentCallbackDeps): Router {
  const router = Router();
  router.post('/callback', express.raw({ type: '*/*', limit: '64kb' }), async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = verifyCallbackSignature({
      rawBody,
      timestampHeader: req.header('x-sandbox-timestamp'),
      signatureHeader: req.header('x-sandbox-signature'),
      secret: deps.callbackSecret,
      nowMs: deps.now().getTime(),
    });
    if (!verified.ok) {
      const heldMs = deps.failures.recordFailure(req.ip ?? 'unknown');
      req.log?.warn({ reason: verified.reason, heldMs }, 'payment callback refused');
      if (heldMs > 0) {
        const seconds = retryAfterSeconds(heldMs);
        res.set('Retry-After', String(seconds));
        throw new HttpError(429, 'too_many_requests', `too many unverifiable callbacks from this address; retry after ${seconds} s`);
      }
      throw new HttpError(401, 'invalid_signature', 'the callback could not be verified');
    }
    const { event } = verified;
    if (event.type === 'refund.succeeded') {
      res.json(await refundConfirmed(deps, event, req.log));
      return;
    }
    res.json(await paymentReceived(deps, event, rawBody, req.log));
  });
  return router;
}

type Log = { info(obj: object, msg: string): void; warn(obj: object, msg: string): void } | undefined;

async function paymentReceived(deps: PaymentCallbackDeps, event: PaymentEvent, rawBody: Buffer, log: Log): Promise<Record<string, unknown>> {
  const { data } = event;
  const payment = incomingGatewayPayment({ eventId: event.id, ...data }, null);
  const recorded = await inTransaction(deps.pool, async (client) => {
    const outcome = await recordCallbackEvent(client, event, rawBody);
    await recordReceivedPayment(client, payment);
    return outcome;
  });
  if (recorded === 'duplicate' && (await isCallbackApplied(deps.pool, event.id))) {
    log?.info({ eventId: event.id }, 'payment callback repeated; already applied');
    return { received: true, status: 'duplicate' };
  }
  let disposition = 'signalled';
  try {
    await deps.temporal.workflow.getHandle(orderWorkflowId(data.merchantRef)).signal(paymentReceivedSignal, {
      eventId: event.id,
      providerRef: data.providerRef,
      amount: data.amount,
      paidAt: data.paidAt,
      merchantRef: data.merchantRef,
      method: data.method,
    });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    const stored = await findNamedOrder(deps.pool, data.merchantRef);
    // This very payment took its order, whose workflow has ended since (the API stopped after the signal, before
    // marking the callback applied, and the gateway sent it again): it is applied, not a second payment.
    if (orderTookPayment(stored, event.id)) {
      await markCallbackApplied(deps.pool, event.id, disposition);
      log?.info({ eventId: event.id, orderNumber: data.merchantRef }, 'payment callback repeated; its order took it before it ended');
      return { received: true, status: 'duplicate', disposition };
    }
    // No running order takes it (unknown order, paid or closed past its late-payment watch): finance decides.
    const why = whyNoOrderTakesIt(stored, data.merchantRef, data.amount);
    const input: PaymentExceptionInput = { payment, ...why, openedBy: 'rule', policy: deps.policy };
    await openPaymentException(deps, input);
    disposition = 'exception';
    log?.warn({ eventId: event.id, orderNumber: data.merchantRef, reason: why.reason }, 'payment for no running order is a payment exception');
  }
  await markCallbackApplied(deps.pool, event.id, disposition);
  return { received: true, status: recorded, disposition };
}

/** The order a payment's `merchantRef` names, as last recorded, or null when it names none of ours. */
async function findNamedOrder(pool: Pool, merchantRef: string): Promise<StoredOrder | null> {
  return /^\d{13}$/.test(merchantRef) ? findOrder(pool, merchantRef) : null;
}

/** Whether the order is an online order holding the gateway payment of `eventId` as its own (Paid, or Paid late). */
function orderTookPayment(stored: StoredOrder | null, eventId: string): boolean {
  return !!stored && isOnlineOrder(stored.view) && stored.view.payment?.eventId === eventId;
}

/** Why a payment naming `merchantRef` (recorded as `stored`, if at all) goes to finance when no workflow of that order runs. */
function whyNoOrderTakesIt(stored: StoredOrder | null, merchantRef: string, amount: number): Pick<PaymentExceptionInput, 'reason' | 'difference' | 'suggestion' | 'note'> {
  if (!stored) {
    return { reason: 'unknown_reference', difference: null, suggestion: { orderNumber: null, accountId: null, wallet: null }, note: `no order ${merchantRef} is ours` };
  }
  const view = stored.view;
  const wallet: Wallet | null = isOnlineOrder(view) ? (view.lines.length === 1 ? view.lines[0]!.wallet : null) : view.wallet;
  const suggestion = { orderNumber: merchantRef, accountId: stored.accountId, wallet };
  const reason: ExceptionReason =
    view.status === 'paid' || view.status === 'paid_late'
      ? 'duplicate_payment'
      : isOnlineOrder(view) && view.status === 'closed' && view.invoice
        ? 'after_expiry_watch'
        : 'order_not_payable';
  const notes: Record<ExceptionReason, string> = {
    duplicate_payment: `order ${merchantRef} was paid already`,
    after_expiry_watch: `order ${merchantRef} closed and its late-payment watch has ended`,
    order_not_payable: `order ${merchantRef} is ${view.status} and takes no payment`,
    amount_mismatch: `order ${merchantRef}: the amount ${amount} differs`,
    unknown_reference: `no order ${merchantRef}`,
  };
  return { reason, difference: null, suggestion, note: notes[reason] };
}

/** The gateway confirmed a refund: recorded, and the workflow that asked for it is told. */
async function refundConfirmed(deps: PaymentCallbackDeps, event: RefundEvent, log: Log): Promise<Record<string, unknown>> {
  const { reference, refundId, amount } = event.data;
  const refund = await settleRefund(deps.pool, reference, event.id, refundId);
  if (!refund) {
    // Not one we asked for (or its claim was dropped): nothing to do, but never silently.
    log?.warn({ eventId: event.id, reference }, 'refund confirmation for no refund we asked for');
    return { received: true, disposition: 'unknown_refund' };
  }
  try {
    await deps.temporal.workflow.getHandle(refund.workflowId).signal(refundSettledSignal, { reference, amount });
  } catch (err) {
    // A late payment's order may have ended: the refund row is its record.
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  log?.info({ eventId: event.id, reference, workflowId: refund.workflowId }, 'refund confirmed');
  return { received: true, disposition: 'refund_settled' };
}
