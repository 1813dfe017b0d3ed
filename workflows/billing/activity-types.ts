/** The activities the subscription billing workflow calls, declared here and implemented by activities/ (`satisfies`). */

/** What the billing workflow asks to be issued. */
export interface RenewalInvoiceRequest {
  subscriptionId: string;
  periodIndex: number;
  periodStart: string;
  periodEnd: string;
  issuedAt: string;
  dueAt: string;
}

/** A subscription's status, which ops may have changed. */
export type SubscriptionStatus = 'active' | 'suspended' | 'cancelled' | 'stopped';

/** The renewal invoice as the workflow follows it. */
export interface RenewalInvoice {
  id: string;
  status: 'unpaid' | 'paid' | 'void';
  dueAt: string;
}

/** The side effects of subscription billing. */
export interface BillingActivities {
  /** The subscription as it is now, or null. */
  loadSubscription(id: string): Promise<{ status: SubscriptionStatus } | null>;
  /** Issues the period's renewal invoice once. */
  issueRenewalInvoice(request: RenewalInvoiceRequest): Promise<RenewalInvoice>;
  /** Pays the invoice from the deposit when it covers it, as one ledger entry keyed by the invoice. */
  payInvoiceFromDeposit(invoiceId: string): Promise<'paid' | 'already-paid' | 'insufficient'>;
  /** Emails the owner, once, that the deposit did not cover the invoice. */
  sendUnpaidInvoiceEmail(invoiceId: string): Promise<unknown>;
  /** Suspends the subscription, or makes it active again (never a cancelled one). */
  setSubscriptionStatus(input: { id: string; status: 'active' | 'suspended' }): Promise<void>;
  /** Records the owner's stop and the day the service ends (the operation log's entry once). */
  recordSubscriptionStop(input: { subscriptionId: string; by: string; requestedAt: string; endsOn: string }): Promise<void>;
  /** Voids an unpaid renewal invoice; answers what it is now (`paid` when a payment came first). */
  voidRenewalInvoice(invoiceId: string): Promise<'void' | 'paid'>;
  /** The service ended at the end of its last paid period: `stopped` (a cancelled one stays cancelled). */
  endSubscription(input: { subscriptionId: string; at: string }): Promise<void>;
}
