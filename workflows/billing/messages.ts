/** Subscription billing's input, view, workflow id and messages (seed 002, DOMAIN.md "Deposit and auto-pay"). */
import { defineQuery, defineSignal } from '@temporalio/workflow';

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
