/** Subscription billing's input, view, workflow id and messages (seed 002, DOMAIN.md "Deposit and auto-pay"). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../orders/order-change';

/** An unpaid renewal invoice that a top-up order pays (its amount goes to the deposit, which pays the invoice). */
export interface InvoiceSettlement {
  invoiceId: string;
  subscriptionId: string;
}

/** What an order's payment toward an invoice did with its money (issue 21). */
export interface InvoicePaymentOutcome {
  invoiceId: string;
  /** Paid the invoice: its amount, or 0 when it was paid already or void. */
  paidInvoice: number;
  /** Stayed in the deposit as a top-up its rules allow. */
  deposited: number;
  /** Held for finance: neither the invoice nor the deposit could take it. */
  held: number;
  /** Why it was held, or null. */
  heldReason: string | null;
}

/** An order's payment toward the invoice it settles, with the deposit's limits of the order's policy. */
export interface InvoiceOrderPayment {
  orderNumber: string;
  accountId: string;
  invoiceId: string;
  /** IDR: a bank-transfer order's amount, or an online order's deposit line. */
  amount: number;
  /** A line of an online order: its ledger key names the wallet too. */
  perWalletKey: boolean;
  depositMin: number;
  depositMax: number;
}

/** What the payment did, and how the deposit's top-up went (0 when all was held). */
export interface InvoiceOrderCredit {
  outcome: InvoicePaymentOutcome;
  settled: number;
  added: number;
  /** The deposit once the payment was applied (the invoice paid from it). */
  balanceAfter: number;
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
  /** The owner's stop, carried into the next period when the renewal was paid before it came. */
  stop?: SubscriptionStop | null;
}

/** The owner asked to stop the service (seed 002 "dihentikan"): who, and when. */
export interface SubscriptionStop {
  requestedAt: string;
  by: string;
}

/** What the billing workflow is doing, for ops. */
export interface BillingView {
  subscriptionId: string;
  periodIndex: number;
  /** When the next renewal invoice is issued (ISO). */
  nextInvoiceAt: string;
  invoice: { id: string; status: 'unpaid' | 'paid' | 'void' } | null;
  suspended: boolean;
  /** A stop asked for, and the day the service ends: the end of the last period paid (local `YYYY-MM-DD`). */
  stop: (SubscriptionStop & { endsOn: string }) | null;
}

const BILLING_WORKFLOW_PREFIX = 'subscription-';

/** Workflow id of a subscription's billing: `subscription-<id>`. */
export function billingWorkflowId(subscriptionId: string): string {
  return `${BILLING_WORKFLOW_PREFIX}${subscriptionId}`;
}

/** The deposit has new money: try the unpaid invoice again. Sent by the order that settles it. */
export const depositCreditedSignal = defineSignal<[{ orderNumber: string }]>('depositCredited');
/**
 * The owner stops the service at the end of the period paid: no renewal invoice is issued after it, an unpaid one is
 * voided, and the subscription is `stopped` when the period ends. Asking again answers the same stop.
 */
export const stopSubscriptionUpdate = defineUpdate<BillingView, [Actor]>('stopAtPeriodEnd');
/** The billing workflow's live state. */
export const getBillingQuery = defineQuery<BillingView>('getBilling');
