/** The activities the payment exception workflow calls, declared here and implemented by activities/ (`satisfies`). */
import type { Currency } from '../shared/currency';
import type { IncomingPayment, PaymentExceptionInput, PaymentExceptionView } from './messages';

/** A decision someone made on an exception, written to the operation log once with the revision it produced. */
export interface ExceptionChange {
  /** e.g. `exception.credit`. */
  action: string;
  by: string;
  details?: Record<string, unknown>;
}

/** What a new top-up order that credits an exception's money needs from the database. */
export interface CreditOrderBasis {
  orderNumber: string;
  /** The account's owner: the order's emails go to them. */
  createdBy: string;
  currency: Currency;
}

/** A refund asked of the gateway. */
export interface RefundRequest {
  /** Our reference of the refund: the gateway's Idempotency-Key, and what its signed confirmation names. */
  reference: string;
  payment: IncomingPayment;
  amount: number;
  reason: string;
  by: string;
  /** The workflow told when the gateway confirms the refund. */
  workflowId: string;
}

/** The side effects of a payment exception. */
export interface ReconciliationActivities {
  /**
   * Opens a payment exception: records it (revision 0) and starts its workflow under the payment's id; a payment
   * that has an exception already (running or resolved) opens nothing more.
   */
  openPaymentException(input: PaymentExceptionInput): Promise<void>;
  /** Records the exception in the read model (highest revision wins), and the decision that made it, once. */
  recordPaymentException(view: PaymentExceptionView, change?: ExceptionChange): Promise<void>;
  /** A new order number and the account's owner, for the top-up order that credits the money. */
  prepareCreditOrder(input: { accountId: string; at: string }): Promise<CreditOrderBasis>;
  /** Asks the gateway to send `amount` of the payment back (idempotent by the reference); answers its refund id. */
  requestGatewayRefund(request: RefundRequest): Promise<{ gatewayRefundId: string }>;
  /** Emails every finance user that the exception is still open (once per reminder and user). */
  sendExceptionReminder(input: { exception: PaymentExceptionView; reminder: number }): Promise<{ sent: number }>;
}
