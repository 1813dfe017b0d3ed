/**
 * Everything the API and tests may import from workflows/: workflow ids, message definitions, search
 * attribute keys and the order view. Deterministic; no Node imports.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { OnlineLine, OnlineLineRequest } from './online-rules';
import type { PaymentMethod, TopupPolicy, Wallet } from './policy';

/** The task queue the worker polls for top-up workflows and activities. */
export const TASK_QUEUE = 'topup';

const ORDER_WORKFLOW_PREFIX = 'topup-';

/** Workflow id of an order: `topup-<orderNumber>`. */
export function orderWorkflowId(orderNumber: string): string {
  return `${ORDER_WORKFLOW_PREFIX}${orderNumber}`;
}

/** Inverse of {@link orderWorkflowId}; undefined for an id that is not an order's. */
export function orderNumberFromWorkflowId(workflowId: string): string | undefined {
  return workflowId.startsWith(ORDER_WORKFLOW_PREFIX) ? workflowId.slice(ORDER_WORKFLOW_PREFIX.length) : undefined;
}

/**
 * Order statuses, named as the customer portal shows them (DOMAIN.md), plus "Paid late": money that arrived for
 * an online order after its invoice expired, waiting for finance to credit or refund it (issue 5).
 */
export const ORDER_STATUSES = ['Unpaid', 'Awaiting payment', 'Dealing', 'Paid', 'Payment Failure', 'Closed', 'Deleted', 'Paid late'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Input of the order workflow: who ordered what, and the policy snapshot it runs under. */
export interface TopupOrderInput {
  orderNumber: string;
  accountId: string;
  createdBy: string;
  wallet: Wallet;
  /** Requested amount in minor units (IDR has none, so rupiah). */
  amount: number;
  currency: 'IDR';
  /** ISO-8601 creation time, stamped by the API. */
  createdAt: string;
  policy: TopupPolicy;
  /** Set when the order pays an unpaid subscription invoice (a `deposit` top-up of exactly its amount). */
  settles?: InvoiceSettlement | null;
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
}

/** The live view of an order, answered by the `getOrder` query. */
export interface OrderView {
  orderNumber: string;
  accountId: string;
  createdBy: string;
  wallet: Wallet;
  amount: number;
  currency: 'IDR';
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
  /** Increases on every change; the read model keeps the highest it has seen. */
  revision: number;
}

/** Who sends a message: the user id the API authenticated. */
export interface Actor {
  by: string;
}

/**
 * A change someone's message made to an order, given to the read-model write of the revision it produced and
 * written to the operation log with it, once (keyed by order and revision): a repeated or refused message makes
 * no change, so it is never logged, and of racing messages only the one that made the change is.
 */
export interface OrderChange {
  /** The operation log's action, e.g. `order.approve`. */
  action: string;
  /** The user whose message made the change. */
  by: string;
  details?: Record<string, unknown>;
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
/** Finance approves with an optional check-result note: Dealing → Paid, wallet credited, receipt emailed. */
export const approveUpdate = defineUpdate<OrderView, [Actor & { checkResult?: string }]>('approve');
/** Finance rejects with a reason: Dealing → Payment Failure, emailed. */
export const rejectUpdate = defineUpdate<OrderView, [Actor & { reason: string }]>('reject');
/** The customer deletes an Unpaid or (not final) Payment Failure order. */
export const deleteOrderUpdate = defineUpdate<OrderView, [Actor]>('deleteOrder');

/** Search attributes ops filter by in the Temporal UI; upserted on every transition. */
export const SA_ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const SA_ACCOUNT_ID = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);
export const SA_ORDER_NUMBER = defineSearchAttributeKey('OrderNumber', SearchAttributeType.KEYWORD);
export const SA_WALLET = defineSearchAttributeKey('Wallet', SearchAttributeType.KEYWORD);
export const SA_PAYMENT_METHOD = defineSearchAttributeKey('PaymentMethod', SearchAttributeType.KEYWORD);
/** When the order entered its current status, so "Dealing for more than 20 hours" is one filter. */
export const SA_STATUS_CHANGED_AT = defineSearchAttributeKey('StatusChangedAt', SearchAttributeType.DATETIME);

/** Every custom search attribute, for registering them with a server. */
export const SEARCH_ATTRIBUTES = [SA_ORDER_STATUS, SA_ACCOUNT_ID, SA_ORDER_NUMBER, SA_WALLET, SA_PAYMENT_METHOD, SA_STATUS_CHANGED_AT];

/** Business failure types of the order workflow, mapped to HTTP statuses by the API. */
export const FAILURE_TYPES = {
  invalidTransition: 'InvalidTransition',
  invalidInput: 'InvalidInput',
  /** A confirmation of an online order ended without an invoice (cancelled, gateway refused, gave up). */
  invoiceNotIssued: 'InvoiceNotIssued',
} as const;

// ——— Online self top-up (seed 001) ———

/** Online payment methods: virtual account, credit card (+fee), e-wallet. */
export type OnlinePaymentMethod = 'virtual_account' | 'credit_card' | 'ewallet';

/** Input of the online order workflow. */
export interface OnlineOrderInput {
  orderNumber: string;
  accountId: string;
  createdBy: string;
  /** One request per wallet: IDR, or visitors for `muv`. */
  lines: OnlineLineRequest[];
  currency: 'IDR';
  createdAt: string;
  /** The account's IANA time zone: the invoice is valid until 23:59:59 of the next day there. */
  timeZone: string;
  policy: TopupPolicy;
}

/** The sales invoice issued on "confirm payment". */
export interface OnlineInvoice {
  paymentMethod: OnlinePaymentMethod;
  subtotal: number;
  fee: number;
  /** The card fee rate of the order's policy (basis points), named on the invoice's fee line. */
  cardFeeBasisPoints: number;
  total: number;
  issuedAt: string;
  expiresAt: string;
  providerRef: string;
  vaNumber: string | null;
  bankCode: string | null;
  paymentUrl: string | null;
}

/** A verified payment from the gateway, as the callback reported it. */
export interface GatewayPayment {
  eventId: string;
  providerRef: string;
  amount: number;
  paidAt: string;
}

/** The payment an online order took, and whether it came after the invoice expired. */
export interface ReceivedPayment extends GatewayPayment {
  late: boolean;
}

/**
 * A confirmed online order whose invoice the gateway has not issued yet ("issuing invoice"): the order is
 * Awaiting payment without an invoice, recorded before the gateway is first called.
 */
export interface InvoiceIssuing {
  paymentMethod: OnlinePaymentMethod;
  /** When payment was confirmed. */
  since: string;
  /** Gateway calls that failed so far. */
  attempts: number;
  /** Why the last call failed. */
  lastError: string | null;
  /** When the next call is made, after a failed one. */
  nextAttemptAt: string | null;
  /** When the order gives up and returns to Unpaid unless the invoice was issued (policy `invoiceIssueGiveUpAfter`). */
  giveUpAt: string;
}

/** Why the last confirmation of an online order ended without an invoice; the order is back to Unpaid. */
export interface ConfirmationFailure {
  kind: 'cancelled' | 'gateway-refused' | 'gateway-timeout';
  reason: string;
  paymentMethod: OnlinePaymentMethod;
  at: string;
}

/** How a paid line went into its wallet. */
export interface LineSettlement {
  wallet: Wallet;
  settled: number;
  added: number;
  balanceAfter: number;
}

/** The live view of an online order. */
export interface OnlineOrderView {
  kind: 'online';
  orderNumber: string;
  accountId: string;
  createdBy: string;
  currency: 'IDR';
  status: OrderStatus;
  lines: OnlineLine[];
  /** What the lines bill before any card fee (the confirmation page's summary). */
  subtotal: number;
  invoice: OnlineInvoice | null;
  /** Set while the gateway is issuing the invoice of a confirmed order (Awaiting payment, no invoice yet). */
  issuing: InvoiceIssuing | null;
  /** Set when the last confirmation ended without an invoice (cancelled, refused, or the gateway stayed away). */
  confirmationFailure: ConfirmationFailure | null;
  payment: ReceivedPayment | null;
  settlement: LineSettlement[] | null;
  /** A late payment finance chose to refund instead of crediting. */
  refund: { reason: string; by: string } | null;
  checkResult: string | null;
  createdAt: string;
  deadline: string | null;
  revision: number;
}

/** Either kind of order, as the read model and the shared `getOrder` query hold it. */
export type AnyOrderView = OrderView | OnlineOrderView;

/** True for an online order's view. */
export function isOnlineOrder(view: AnyOrderView): view is OnlineOrderView {
  return 'kind' in view && view.kind === 'online';
}

/** Live view of an online order (the same query name as the bank-transfer order's). */
export const getOnlineOrderQuery = defineQuery<OnlineOrderView>('getOrder');
/** Change the wallets and amounts while the order is still a draft (the confirmation page is editable). */
export const editLinesUpdate = defineUpdate<OnlineOrderView, [Actor & { lines: OnlineLineRequest[] }]>('editLines');
/**
 * "Confirm payment": Unpaid → Awaiting payment, issuing the sales invoice with the gateway, then the billing
 * email. Answers once the invoice is issued, or after `waitMs` with the order still issuing it (the caller asks
 * again: the same method joins the same issuance). Fails with InvoiceNotIssued when the confirmation ends
 * without one. A repeat once the invoice is issued answers the order.
 */
export const confirmPaymentUpdate = defineUpdate<OnlineOrderView, [Actor & { paymentMethod: OnlinePaymentMethod; waitMs?: number }]>('confirmPayment');
/** The customer cancels a confirmation whose invoice is still being issued: back to the editable Unpaid draft. */
export const cancelConfirmationUpdate = defineUpdate<OnlineOrderView, [Actor]>('cancelConfirmation');
/** A verified gateway callback: the invoice was paid. Nobody waits on it. */
export const paymentReceivedSignal = defineSignal<[GatewayPayment]>('paymentReceived');
/** Finance credits a late payment ("Paid late" → Paid). Same wire name as the bank-transfer approve. */
export const approveLatePaymentUpdate = defineUpdate<OnlineOrderView, [Actor & { checkResult?: string }]>('approve');
/** Finance marks a late payment for refund ("Paid late" → Closed, refund noted). Same wire name as reject. */
export const refundLatePaymentUpdate = defineUpdate<OnlineOrderView, [Actor & { reason: string }]>('reject');
/** The customer deletes a draft online order. Same wire name as the bank-transfer delete. */
export const deleteOnlineOrderUpdate = defineUpdate<OnlineOrderView, [Actor]>('deleteOrder');

/** The messages both kinds of order take under the same wire names, typed for callers that hold either. */
export const deleteAnyOrderUpdate = defineUpdate<AnyOrderView, [Actor]>('deleteOrder');
export const approveAnyOrderUpdate = defineUpdate<AnyOrderView, [Actor & { checkResult?: string }]>('approve');
export const rejectAnyOrderUpdate = defineUpdate<AnyOrderView, [Actor & { reason: string }]>('reject');

// ——— Low-balance notice (seed 001) ———

/** The notice of one wallet for one reference top-up (the last paid one). */
export interface LowBalanceNoticeInput {
  accountId: string;
  wallet: string;
  /** The ledger entry of the reference top-up: one notice per reference. */
  referenceEntryId: string;
  percent: number;
}

/** Workflow id of a notice: a second start for the same reference is refused by Temporal, so it is sent once. */
export function lowBalanceWorkflowId(input: Pick<LowBalanceNoticeInput, 'accountId' | 'wallet' | 'referenceEntryId'>): string {
  return `low-balance-${input.accountId}-${input.wallet}-${input.referenceEntryId}`;
}

// ——— Subscriptions and deposit auto-pay (seed 002) ———

/** An unpaid renewal invoice that a top-up order pays (its amount goes to the deposit, which pays the invoice). */
export interface InvoiceSettlement {
  invoiceId: string;
  subscriptionId: string;
}

/** Input of a subscription's billing workflow, one run per period (continue-as-new). */
export interface SubscriptionBillingInput {
  subscriptionId: string;
  /** `YYYY-MM-DD`, local to `timeZone`. */
  startDate: string;
  cycleMonths: number;
  timeZone: string;
  /** The current period, 0 for the first. */
  periodIndex: number;
  /** Days before a period ends that its renewal invoice is issued (7). */
  invoiceLeadDays: number;
}

/** What the billing workflow is doing, for ops. */
export interface BillingView {
  subscriptionId: string;
  periodIndex: number;
  /** When the next renewal invoice is issued (ISO). */
  nextInvoiceAt: string;
  invoice: { id: string; status: 'unpaid' | 'paid' } | null;
  suspended: boolean;
}

const BILLING_WORKFLOW_PREFIX = 'subscription-';

/** Workflow id of a subscription's billing: `subscription-<id>`. */
export function billingWorkflowId(subscriptionId: string): string {
  return `${BILLING_WORKFLOW_PREFIX}${subscriptionId}`;
}

/** The deposit has new money: try the unpaid invoice again. Sent by the order that settles it. */
export const depositCreditedSignal = defineSignal<[{ orderNumber: string }]>('depositCredited');
/** The billing workflow's live state. */
export const getBillingQuery = defineQuery<BillingView>('getBilling');
