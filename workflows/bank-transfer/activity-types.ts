/** The activities the bank-transfer workflow calls, declared here and implemented by activities/ (`satisfies`). */
import type { InvoiceOrderCredit, InvoiceOrderPayment } from '../billing/messages';
import type { OrderChange } from '../orders/order-change';
import type { Wallet } from '../shared/policy';
import type { OrderView } from './messages';
import type { PaidApproval } from './paid-view';

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

/** The approval of an order that settles no invoice, as one activity: the credit, then the Paid view and its receipt. */
export interface CreditAndRecordPaidOrderInput {
  /** The credit, exactly as `creditTopup` takes it (its ledger key is the order's). */
  request: TopupCreditRequest;
  /** The order before the approval; the view recorded is `paidView(order, approval, topupPaidCredit(credit))`. */
  order: OrderView;
  approval: PaidApproval;
  change: OrderChange;
}

/** What the folded approval did: the credit, as `creditTopup` answers it, and the stored receipt. */
export interface CreditAndRecordPaidOrderResult {
  credit: TopupCredit;
  receipt: unknown;
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
   * The approval in one activity: `creditTopup(request)`, then `recordPaidOrder` of the Paid view built from the
   * credit's figures. A ledger refusal changes nothing; a retry answers the same credit (the order's ledger key).
   */
  creditAndRecordPaidOrder(input: CreditAndRecordPaidOrderInput): Promise<CreditAndRecordPaidOrderResult>;
  /**
   * Emails the step's message to the user who created the order, once per step; the submission names the user who
   * submitted the slip (`submittedBy`), as the seed's email does.
   */
  sendOrderEmail(input: { event: OrderEmailEvent; order: OrderView; submittedBy?: string }): Promise<unknown>;
}
