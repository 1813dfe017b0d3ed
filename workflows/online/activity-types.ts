/** The activities the online order workflow calls, declared here and implemented by activities/ (`satisfies`). */
import type { DepositStanding } from '../billing/deposit-rules';
import type { InvoiceOrderCredit, InvoiceOrderPayment } from '../billing/messages';
import type { OrderChange } from '../orders/order-change';
import type { LineSettlement, OnlineOrderView, OnlinePaymentMethod } from './messages';

/** What the workflow asks the gateway for on "confirm payment". */
export interface GatewayInvoiceRequest {
  orderNumber: string;
  /** The issuance's reference at the gateway (its Idempotency-Key); the order number when absent. */
  reference?: string;
  accountId: string;
  createdBy: string;
  paymentMethod: OnlinePaymentMethod;
  total: number;
  expiresAt: string;
}

/** Where the customer pays the issued invoice: a virtual account, or a payment link. */
export interface GatewayInvoice {
  providerRef: string;
  vaNumber: string | null;
  bankCode: string | null;
  paymentUrl: string | null;
}

/** What voiding an issuance did: no payable invoice is left under it, or it had been paid already. */
export type VoidOutcome = 'voided' | 'already-paid';

/** The failure type of an invoice the gateway refused (4xx): retrying the same request cannot succeed. */
export const PAYMENT_PROVIDER_REJECTED = 'PaymentProviderRejected';

/** The side effects of an online order. */
export interface OnlineOrderActivities {
  /** Records the order in the read model, with the change someone's message made (idempotent). */
  recordOnlineOrder(order: OnlineOrderView, change?: OrderChange): Promise<void>;
  /** Issues the gateway's invoice, or finds the one issued under the request's reference. */
  issueGatewayInvoice(request: GatewayInvoiceRequest): Promise<GatewayInvoice>;
  /** Makes the invoice of an abandoned issuance unpayable, whether or not the gateway issued it yet (idempotent). */
  voidGatewayInvoice(request: { orderNumber: string; reference: string }): Promise<VoidOutcome>;
  /** Credits every line once; answers how each went into its wallet. */
  creditOnlineLines(order: OnlineOrderView): Promise<LineSettlement[]>;
  /** The account's active services and unpaid invoices, for the deposit rule of an edited order (seed 002). */
  depositStanding(accountId: string): Promise<DepositStanding>;
  /** Applies the money of an order that settles an invoice, once: the invoice, the deposit within its rules, the rest held. */
  payInvoiceWithOrder(payment: InvoiceOrderPayment): Promise<InvoiceOrderCredit>;
  /** Renders and stores the proforma invoice as the order now stands. */
  storeInvoiceDocument(order: OnlineOrderView): Promise<unknown>;
  /** The paid step in one activity: `recordOnlineOrder(order, change)`, then `storeInvoiceDocument(order)`. */
  recordPaidOnlineOrder(order: OnlineOrderView, change?: OrderChange): Promise<unknown>;
  /** Emails the billing info or the payment-successful message to the requester, once each. */
  sendOnlineOrderEmail(input: { event: 'billing' | 'paid'; order: OnlineOrderView }): Promise<unknown>;
}
