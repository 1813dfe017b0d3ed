/**
 * The bank-transfer order's input, view and messages (DOMAIN.md "Bank transfer"): what the API sends
 * `topupOrder` and what it answers.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { InvoicePaymentOutcome, InvoiceSettlement } from '../billing/messages';
import type { Actor } from '../orders/order-change';
import type { OrderStatus } from '../orders/statuses';
import type { Currency } from '../shared/currency';
import type { PaymentMethod, TopupPolicy, Wallet } from '../shared/policy';

/** Input of the order workflow: who ordered what, and the policy snapshot it runs under. */
export interface TopupOrderInput {
  orderNumber: string;
  accountId: string;
  createdBy: string;
  wallet: Wallet;
  /** Requested amount in minor units (IDR has none, so rupiah). */
  amount: number;
  currency: Currency;
  /** ISO-8601 creation time, stamped by the API. */
  createdAt: string;
  policy: TopupPolicy;
  /** Set when the order pays an unpaid subscription invoice (a `deposit` top-up of exactly its amount). */
  settles?: InvoiceSettlement | null;
  /**
   * Set when finance credits a payment exception's money to a wallet: the order is paid by it at once (Unpaid →
   * Paid, with the receipt and the paid email, as an approval would).
   */
  paidBy?: OrderPayment | null;
}

/** A received payment given to an order: by finance confirming a bank statement's line, or from a payment exception. */
export interface OrderPayment {
  paymentId: string;
  /** IDR the order takes of it. */
  amount: number;
  /** The payment exception the money comes from (its workflow is told when the order is Paid or lets it go). */
  exceptionId: string | null;
  /** The check result recorded on the order, e.g. "bank statement <file> line <n>". */
  checkResult: string;
  by: string;
}

/** A payment the order took, as its view lists it. */
export interface AppliedPayment {
  paymentId: string;
  amount: number;
  exceptionId: string | null;
  by: string;
  at: string;
}

/** A stored payment slip, referenced by the workflow (the bytes live in file storage). */
export interface SlipRef {
  fileId: string;
  /** SHA-256 and size of the stored file (what a download gives). */
  sha256: string;
  size: number;
  contentType: string;
  /** The file as uploaded, when the stored one differs (an image is stored encoded anew); absent on older slips. */
  original?: { sha256: string; size: number };
}

/** Why an order is in Payment Failure. */
export type FailureCause = { kind: 'rejected'; reason: string; by: string } | { kind: 'review-window-expired'; windowHours: number };

/** The outcome of a paid order: how the amount was applied to the wallet. */
export interface PaidOutcome {
  /** Part of the amount that settled an outstanding (negative) balance. */
  settled: number;
  /** Part added to the balance. */
  added: number;
  /** Current wallet balance right after the credit. */
  balanceAfter: number;
  paidAt: string;
  approvedBy: string;
  /** The order settled a subscription invoice: what its money paid, kept in the deposit, or held for finance. */
  invoicePayment: InvoicePaymentOutcome | null;
}

/** The live view of an order, answered by the `getOrder` query. */
export interface OrderView {
  orderNumber: string;
  accountId: string;
  createdBy: string;
  wallet: Wallet;
  amount: number;
  currency: Currency;
  status: OrderStatus;
  paymentMethod: PaymentMethod | null;
  slip: SlipRef | null;
  createdAt: string;
  submittedAt: string | null;
  /** When finance must decide by (Dealing), or when the order closes or becomes final. */
  deadline: string | null;
  /** Finance's note on approval or the rejection reason: the "Check Result". */
  checkResult: string | null;
  failure: FailureCause | null;
  paid: PaidOutcome | null;
  /** Payment Failure left untouched past its window: no more edits. */
  final: boolean;
  /** How many times a slip was submitted (first submission and every edit back to Dealing). */
  submissions: number;
  /**
   * Received payments the order took (a confirmed bank-statement line, payment exceptions attached by finance):
   * while it is not Paid, what they hold is subtracted from the amount still due. Absent on orders from before.
   */
  payments?: AppliedPayment[];
  /** Payments the order held and gave back when it ended unpaid (closed, deleted, final): open exceptions again. */
  releasedPayments?: AppliedPayment[];
  /** Increases on every change; the read model keeps the highest it has seen. */
  revision: number;
}

/** Live view of the order. */
export const getOrderQuery = defineQuery<OrderView>('getOrder');
/** Choose how to pay (bank transfer shows the provider's bank account). Unpaid only. */
export const choosePaymentMethodUpdate = defineUpdate<OrderView, [Actor & { paymentMethod: PaymentMethod }]>('choosePaymentMethod');
/** Submit the uploaded payment slip: Unpaid → Dealing, with an email confirming receipt. */
export const submitSlipUpdate = defineUpdate<OrderView, [Actor & { slip: SlipRef }]>('submitSlip');
/**
 * Change the amount. In Unpaid it stays Unpaid; in Payment Failure (not final) it goes back to Dealing with a
 * new review window and no email, with a new slip if one is given.
 */
export const editOrderUpdate = defineUpdate<OrderView, [Actor & { amount?: number; slip?: SlipRef }]>('editOrder');
/**
 * Finance approves with an optional check-result note: Dealing → Paid, wallet credited, receipt emailed. With a
 * `payment` (a bank-statement line finance confirmed), the money is seen in the bank: the order may also be
 * Unpaid or Payment Failure, and the payment must be what is still due.
 */
export const approveUpdate = defineUpdate<OrderView, [Actor & { checkResult?: string; payment?: { paymentId: string; amount: number } }]>('approve');
/**
 * Finance attaches a payment exception's money to the order (sent by the exception's workflow, which the order
 * answers with `attachOutcomeSignal`): it takes what is still due, at most the payment; Paid when that is all.
 */
export const attachPaymentSignal = defineSignal<[{ paymentId: string; exceptionId: string; amount: number; by: string; note: string }]>('attachPayment');
/** Finance rejects with a reason: Dealing → Payment Failure, emailed. */
export const rejectUpdate = defineUpdate<OrderView, [Actor & { reason: string }]>('reject');
/** The customer deletes an Unpaid or (not final) Payment Failure order. */
export const deleteOrderUpdate = defineUpdate<OrderView, [Actor]>('deleteOrder');

