/** The activities the bank-transfer workflow calls, declared here and implemented by activities/ (`satisfies`). */
import type { InvoiceOrderCredit, InvoiceOrderPayment } from '../billing/messages';
import type { OrderChange } from '../orders/order-change';
import type { Wallet } from '../shared/policy';
import type { OrderView } from './messages';

/** The emails of a bank-transfer order, one per step. */
export type OrderEmailEvent = 'submitted' | 'paid' | 'failed';

/** A paid order to credit; the amount is in the wallet's unit. */
export interface TopupCreditRequest {
  orderNumber: string;
  accountId: string;
  wallet: Wallet;
  amount: number;
}

/** What crediting a paid order did: the part that settled an outstanding balance, the part added, the balance after. */
export interface TopupCredit {
  settled: number;
  added: number;
  balanceAfter: { current: number };
}

/** The side effects of a bank-transfer order. */
export interface BankTransferActivities {
  /** Records the order in the read model, with the change someone's message made (idempotent). */
  recordOrder(order: OrderView, change?: OrderChange): Promise<void>;
  /** Credits the paid order once (its ledger key is the order's). */
  creditTopup(request: TopupCreditRequest): Promise<TopupCredit>;
  /** Applies a paid order's money to the invoice it settles, once: the invoice, the deposit within its rules, the rest held. */
  payInvoiceWithOrder(payment: InvoiceOrderPayment): Promise<InvoiceOrderCredit>;
  /** Renders and stores the Paid order's receipt once. */
  issueReceipt(order: OrderView): Promise<unknown>;
  /** The paid step in one activity: `recordOrder(order, change)`, then `issueReceipt(order)`. */
  recordPaidOrder(order: OrderView, change: OrderChange): Promise<unknown>;
  /**
   * Emails the step's message to the user who created the order, once per step; the submission names the user who
   * submitted the slip (`submittedBy`), as the seed's email does.
   */
  sendOrderEmail(input: { event: OrderEmailEvent; order: OrderView; submittedBy?: string }): Promise<unknown>;
}
