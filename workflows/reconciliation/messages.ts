/**
 * Payment exceptions (issue 19, DOMAIN.md "Received money"): money that arrived and fits no order is never
 * ignored. Each such payment is one exception, held open by its own workflow (`payment-exception-<paymentId>`)
 * until finance credits it to a wallet, attaches it to an open order, refunds it through the gateway, or
 * dismisses it with a reason. This module is its input, view, ids and messages, which the API, db/ and the
 * order workflows share.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../orders/order-change';
import type { Currency } from '../shared/currency';
import type { DurationText, TopupPolicy, Wallet } from '../shared/policy';
import { formatRupiah } from '../shared/rupiah';

/** Why a payment did not go to an order by itself. */
export const EXCEPTION_REASONS = ['amount_mismatch', 'duplicate_payment', 'after_expiry_watch', 'unknown_reference', 'order_not_payable'] as const;
export type ExceptionReason = (typeof EXCEPTION_REASONS)[number];

/**
 * Where an exception stands: `open` (in front of finance), `in_progress` (a resolution is moving the money),
 * `attached` (held by an open order that still waits for the rest of its amount), `resolved` (every rupiah
 * credited, refunded or dismissed).
 */
export const EXCEPTION_STATUSES = ['open', 'in_progress', 'attached', 'resolved'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

/** Finance's four actions. */
export const EXCEPTION_ACTIONS = ['credit', 'attach', 'refund', 'dismiss'] as const;
export type ExceptionAction = (typeof EXCEPTION_ACTIONS)[number];

/** Where a received payment came from. */
export type PaymentSource = 'gateway' | 'bank_statement';

/** A line of a bank statement, as a received payment names it. */
export interface StatementLineRef {
  statementId: string;
  fileName: string;
  /** 1-based position of the transaction in the file. */
  line: number;
}

/** One incoming payment, as recorded once in `received_payments` (db/migrations/030). */
export interface IncomingPayment {
  /** `gw_<gateway event id>` or `bank_<hash of the statement line's key>`. */
  paymentId: string;
  source: PaymentSource;
  /** IDR. */
  amount: number;
  currency: Currency;
  /** When the money arrived: the gateway's paid-at, or the statement line's value date. */
  receivedAt: string;
  /** What the payer wrote (the remittance text) or the gateway's merchant reference. */
  reference: string;
  /** The 13-digit order number the payment names, if it names one. */
  orderNumber: string | null;
  /** Gateway payments: the invoice paid and the method; the refund goes back the same way. */
  providerRef: string | null;
  method: string | null;
  /** Bank-statement payments: the statement and line, and who sent it (the refund goes back there). */
  statement: StatementLineRef | null;
  payer: string | null;
}

/** Where the money of an exception went, in IDR; their sum never exceeds the payment's amount. */
export interface ExceptionAllocations {
  /** Credited to wallets through Paid orders. */
  credited: number;
  /** Sent back through the gateway. */
  refunded: number;
  /** Dismissed with a reason (not ours, a test transfer …). */
  dismissed: number;
  /** Held by an open order that still waits for the rest of its amount. */
  held: number;
}

/** One step of an exception's history: who did what, when, why. */
export interface ExceptionEvent {
  action: ExceptionAction | 'opened' | 'held_payment_credited' | 'held_payment_released' | 'refund_settled';
  by: string | null;
  at: string;
  note: string | null;
  orderNumber?: string;
  amount?: number;
}

/** What finance chose to do with the money left after an overpayment paid its order. */
export type OverpaymentRest = 'credit' | 'refund';

/** A resolution finance has started or finished. */
export interface ExceptionResolution {
  action: ExceptionAction;
  by: string;
  note: string;
  /** credit: the account and wallet credited; attach: the order's account and wallet (for a credited rest). */
  accountId: string | null;
  wallet: Wallet | null;
  /** attach: the order the payment went to; credit: the new order that credited the wallet. */
  orderNumber: string | null;
  /** attach: what finance chose for an overpayment's rest. */
  rest: OverpaymentRest | null;
  /** Orders created to credit the money (the whole payment, or an overpayment's rest). */
  creditOrders: string[];
  /** The gateway refund's reference, once asked for. */
  refundReference: string | null;
}

/** The live view of an exception, answered by its query and stored in the read model. */
export interface PaymentExceptionView {
  exceptionId: string;
  payment: IncomingPayment;
  reason: ExceptionReason;
  /** amount_mismatch: received minus due (positive: paid too much, negative: too little); null otherwise. */
  difference: number | null;
  /** What the payment suggests: the order it named, its account and wallet, when known. */
  suggestion: { orderNumber: string | null; accountId: string | null; wallet: Wallet | null };
  status: ExceptionStatus;
  resolution: ExceptionResolution | null;
  allocations: ExceptionAllocations;
  history: ExceptionEvent[];
  openedAt: string;
  remindersSent: number;
  revision: number;
}

/** Input of the exception workflow: the payment, why it is an exception, and the policy of its reminders. */
export interface PaymentExceptionInput {
  payment: IncomingPayment;
  reason: ExceptionReason;
  difference: number | null;
  suggestion: PaymentExceptionView['suggestion'];
  /** Who opened it: a rule of the order workflow, the callback route, a statement import. */
  openedBy: string;
  note: string | null;
  policy: TopupPolicy;
}

/** The workflow id of a payment's exception. */
export function paymentExceptionWorkflowId(paymentId: string): string {
  return `payment-exception-${paymentId}`;
}

/** A received payment id: `gw_` or `bank_`, then letters, digits and `_`. */
export const PAYMENT_ID_PATTERN = /^(gw|bank)_[A-Za-z0-9_]{1,100}$/;

/** The id of a gateway payment, from the gateway's event id. */
export function gatewayPaymentId(eventId: string): string {
  return `gw_${eventId}`;
}

/** The reference the gateway's refund of an exception is asked (and confirmed) under. */
export function exceptionRefundReference(paymentId: string): string {
  return `rf-${paymentId}`;
}

/** The one-line summary the Temporal UI shows for an exception's workflow. */
export function exceptionSummary(input: Pick<PaymentExceptionInput, 'payment' | 'reason'>): string {
  return `Payment exception ${input.payment.paymentId}: ${input.reason}, ${formatRupiah(input.payment.amount)}`;
}

/** How often finance is reminded of an open exception (policies from before issue 19 lack the key). */
export function reminderInterval(policy: TopupPolicy): DurationText {
  return policy.exceptionReminderInterval ?? '24h';
}

/** The amount still to decide on: neither credited, refunded, dismissed nor held. */
export function openAmount(view: Pick<PaymentExceptionView, 'payment' | 'allocations'>): number {
  const { credited, refunded, dismissed, held } = view.allocations;
  return view.payment.amount - credited - refunded - dismissed - held;
}

/** An exception just opened (revision 0): the workflow's first state, and the API's read-your-writes row. */
export function newExceptionView(input: PaymentExceptionInput, at: string): PaymentExceptionView {
  return {
    exceptionId: input.payment.paymentId,
    payment: input.payment,
    reason: input.reason,
    difference: input.difference,
    suggestion: input.suggestion,
    status: 'open',
    resolution: null,
    allocations: { credited: 0, refunded: 0, dismissed: 0, held: 0 },
    history: [{ action: 'opened', by: input.openedBy, at, note: input.note }],
    openedAt: at,
    remindersSent: 0,
    revision: 0,
  };
}

/** A gateway payment the callback signalled to an order, as an incoming payment. */
export function incomingGatewayPayment(payment: { eventId: string; providerRef: string; amount: number; paidAt: string; merchantRef?: string; method?: string }, orderNumber: string | null): IncomingPayment {
  const reference = payment.merchantRef ?? orderNumber ?? '';
  return {
    paymentId: gatewayPaymentId(payment.eventId),
    source: 'gateway',
    amount: payment.amount,
    currency: 'IDR',
    receivedAt: payment.paidAt,
    reference,
    orderNumber: orderNumber ?? (/^\d{13}$/.test(reference) ? reference : null),
    providerRef: payment.providerRef,
    method: payment.method ?? null,
    statement: null,
    payer: null,
  };
}

/** Credit the payment to an account's wallet as a top-up: a Paid order through the order workflow. */
export const creditExceptionUpdate = defineUpdate<PaymentExceptionView, [Actor & { accountId: string; wallet: Wallet; note: string }]>('creditException');
/**
 * Attach the payment to an open bank-transfer order: an underpayment is held by the order, which shows what is
 * still due; an overpayment pays it and the rest is credited to the order's wallet or refunded (`rest`).
 */
export const attachExceptionUpdate = defineUpdate<PaymentExceptionView, [Actor & { orderNumber: string; rest?: OverpaymentRest; note: string }]>('attachException');
/** Refund the payment (what is still open of it) through the gateway. */
export const refundExceptionUpdate = defineUpdate<PaymentExceptionView, [Actor & { note: string }]>('refundException');
/** Dismiss the payment with a reason (not ours, a test transfer …). */
export const dismissExceptionUpdate = defineUpdate<PaymentExceptionView, [Actor & { note: string }]>('dismissException');
/** The live view. */
export const getExceptionQuery = defineQuery<PaymentExceptionView>('getException');

/** The order's answer to an attach: how much it took and whether that paid it, or why it refused. */
export type AttachOutcome = { paymentId: string; taken: number; orderPaid: boolean; accountId: string; wallet: Wallet } | { paymentId: string; refused: string };
/** The order workflow answers an attach (signals cannot answer, so the order signals back). */
export const attachOutcomeSignal = defineSignal<[AttachOutcome]>('attachOutcome');
/** An order that holds (or was paid by) the exception's money reached Paid: the held money is credited. */
export const heldPaymentCreditedSignal = defineSignal<[{ orderNumber: string; paymentId: string }]>('heldPaymentCredited');
/** An order that held the exception's money ended without being paid (closed, deleted, final): the money is open again. */
export const heldPaymentReleasedSignal = defineSignal<[{ orderNumber: string; paymentId: string; reason: string }]>('heldPaymentReleased');
/** The gateway confirmed a refund (its signed refund callback). */
export const refundSettledSignal = defineSignal<[{ reference: string; amount: number }]>('refundSettled');
