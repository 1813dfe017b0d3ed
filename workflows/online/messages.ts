/**
 * The online self top-up's input, view and messages (seed 001, DOMAIN.md "Online self top-up"): what the API
 * and the payment callback send `onlineTopupOrder`, and what it answers.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../orders/order-change';
import type { OrderStatus } from '../orders/statuses';
import type { Currency } from '../shared/currency';
import type { InvoicePaymentOutcome, InvoiceSettlement } from '../billing/messages';
import type { TopupPolicy, Wallet } from '../shared/policy';
import type { OnlineLine, OnlineLineRequest } from './pricing';

/** Online payment methods: virtual account, credit card (+fee), e-wallet. */
export type OnlinePaymentMethod = 'virtual_account' | 'credit_card' | 'ewallet';

/** Input of the online order workflow. */
export interface OnlineOrderInput {
  orderNumber: string;
  accountId: string;
  createdBy: string;
  /** One request per wallet: IDR, or visitors for `muv`. */
  lines: OnlineLineRequest[];
  currency: Currency;
  createdAt: string;
  /** The account's IANA time zone: the invoice is valid until 23:59:59 of the next day there. */
  timeZone: string;
  policy: TopupPolicy;
  /** Set when the order pays an unpaid subscription invoice: one deposit line of exactly its amount, not editable. */
  settles?: InvoiceSettlement | null;
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
  /** The order number the gateway named and the method paid with (absent in signals from before issue 19). */
  merchantRef?: string;
  method?: string;
}

/** The payment an online order took, and whether it came after the invoice expired. */
export interface ReceivedPayment extends GatewayPayment {
  late: boolean;
}

/**
 * A confirmed online order whose invoice the gateway has not issued yet ("issuing invoice"): the order is
 * awaiting_payment without an invoice, recorded before the gateway is first called.
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
  /** When the order gives up and returns to unpaid unless the invoice was issued (policy `invoiceIssueGiveUpAfter`). */
  giveUpAt: string;
}

/** Why the last confirmation of an online order ended without an invoice; the order is back to unpaid. */
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
  currency: Currency;
  status: OrderStatus;
  lines: OnlineLine[];
  /** What the lines bill before any card fee (the confirmation page's summary). */
  subtotal: number;
  invoice: OnlineInvoice | null;
  /** Set while the gateway is issuing the invoice of a confirmed order (awaiting_payment, no invoice yet). */
  issuing: InvoiceIssuing | null;
  /** Set when the last confirmation ended without an invoice (cancelled, refused, or the gateway stayed away). */
  confirmationFailure: ConfirmationFailure | null;
  payment: ReceivedPayment | null;
  settlement: LineSettlement[] | null;
  /** The subscription invoice the order pays, if any. */
  settles: InvoiceSettlement | null;
  /** What its money did once paid: paid the invoice, stayed in the deposit, or was held for finance. */
  invoicePayment: InvoicePaymentOutcome | null;
  /** A late payment finance chose to refund instead of crediting; `reference` names the gateway refund. */
  refund: { reason: string; by: string; reference?: string } | null;
  checkResult: string | null;
  /** Where the billing info went: the address on the confirmation step (seed 001); null until payment is confirmed. */
  billingEmail: string | null;
  createdAt: string;
  deadline: string | null;
  revision: number;
}

/** Live view of an online order (the same query name as the bank-transfer order's). */
export const getOnlineOrderQuery = defineQuery<OnlineOrderView>('getOrder');
/** Change the wallets and amounts while the order is still a draft (the confirmation page is editable). */
export const editLinesUpdate = defineUpdate<OnlineOrderView, [Actor & { lines: OnlineLineRequest[] }]>('editLines');
/**
 * "Confirm payment": unpaid → awaiting_payment, issuing the sales invoice with the gateway, then the billing
 * email to `billingEmail` (the address on the confirmation step). Answers once the invoice is issued, or after `waitMs` with the order still issuing it (the caller asks
 * again: the same method joins the same issuance). Fails with InvoiceNotIssued when the confirmation ends
 * without one. A repeat once the invoice is issued answers the order.
 */
export const confirmPaymentUpdate = defineUpdate<OnlineOrderView, [Actor & { paymentMethod: OnlinePaymentMethod; billingEmail?: string; waitMs?: number }]>('confirmPayment');
/** The customer cancels a confirmation whose invoice is still being issued: back to the editable unpaid draft. */
export const cancelConfirmationUpdate = defineUpdate<OnlineOrderView, [Actor]>('cancelConfirmation');
/** A verified gateway callback: the invoice was paid. Nobody waits on it. */
export const paymentReceivedSignal = defineSignal<[GatewayPayment]>('paymentReceived');
/** Finance credits a late payment ("Paid late" → Paid). Same wire name as the bank-transfer approve. */
export const approveLatePaymentUpdate = defineUpdate<OnlineOrderView, [Actor & { checkResult?: string }]>('approve');
/** Finance marks a late payment for refund ("Paid late" → Closed, refund noted). Same wire name as reject. */
export const refundLatePaymentUpdate = defineUpdate<OnlineOrderView, [Actor & { reason: string }]>('reject');
/** The customer deletes a draft online order. Same wire name as the bank-transfer delete. */
export const deleteOnlineOrderUpdate = defineUpdate<OnlineOrderView, [Actor]>('deleteOrder');

