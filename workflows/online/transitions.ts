/**
 * The online order's rules as data (DOMAIN.md "Online self top-up", issue 15 for the issuing of the invoice):
 * which status each message, gateway answer or timer takes an order to, and why one is refused. Pure: the
 * workflow's validators and handlers ask it, and so does the API.
 *
 * A confirmed order is awaiting_payment in two steps: first "issuing" (the gateway has not issued the invoice
 * yet; the customer may cancel, the same confirm joins it), then with its invoice (the same confirm answers it).
 */
import type { OrderStatus } from '../orders/statuses';
import { describeOnlineStatus, type IssuingState } from './invoice-issuing';
import type { OnlinePaymentMethod } from './messages';

/** What can happen to an online order: a customer's or finance's message, the gateway, or one of its timers. */
export type OnlineEvent =
  | 'editLines'
  | 'confirmPayment'
  /** The customer cancels a confirmation whose invoice is still being issued. */
  | 'cancelConfirmation'
  /** The gateway issued the invoice of the confirmation being issued. */
  | 'invoiceIssued'
  /** The gateway refused to issue the invoice for good: back to the editable draft. */
  | 'invoiceRefused'
  /** The gateway did not issue the invoice within the policy's `invoiceIssueGiveUpAfter`: back to the draft. */
  | 'issuingGaveUp'
  | 'paymentReceived'
  /** 23:59:59 of the day after the invoice was issued, unpaid. */
  | 'invoiceExpired'
  /** An Unpaid draft nobody confirmed for 120 h. */
  | 'closeUnconfirmed'
  /** Money for the order after its invoice expired. */
  | 'latePayment'
  | 'approveLatePayment'
  | 'refundLatePayment'
  | 'delete';

/** What the rules look at. */
export interface OnlineState {
  status: OrderStatus;
  /** The payment is being credited to the wallets. */
  crediting: boolean;
  /** Set while the gateway is issuing the invoice of a confirmed order (awaiting_payment, no invoice yet). */
  issuing?: IssuingState | null;
  /** The payment method of the order's invoice, once issued. */
  invoiceMethod?: OnlinePaymentMethod | null;
}

/** What a message carries that the rules look at: the method a confirm asks for. */
export interface OnlineMessage {
  paymentMethod?: OnlinePaymentMethod;
}

/** The answer: the status the order goes to (the same one for a change within it, or a repeat), or a refusal. */
export type OnlineTransition = { to: OrderStatus } | { refused: string };

/** Where each event takes an order from each status; a status not listed refuses it. */
const NEXT: Record<OnlineEvent, Partial<Record<OrderStatus, OrderStatus>>> = {
  editLines: { unpaid: 'unpaid' },
  confirmPayment: { unpaid: 'awaiting_payment' },
  // A draft has no confirmation to cancel: the cancel answers it as it is (a repeat, a late click).
  cancelConfirmation: { unpaid: 'unpaid' },
  invoiceIssued: { awaiting_payment: 'awaiting_payment' },
  invoiceRefused: { awaiting_payment: 'unpaid' },
  issuingGaveUp: { awaiting_payment: 'unpaid' },
  paymentReceived: { awaiting_payment: 'paid' },
  invoiceExpired: { awaiting_payment: 'closed' },
  closeUnconfirmed: { unpaid: 'closed' },
  latePayment: { closed: 'paid_late' },
  // Crediting a late payment again answers the order as it is (a retry, a double click).
  approveLatePayment: { paid_late: 'paid', paid: 'paid' },
  refundLatePayment: { paid_late: 'closed' },
  delete: { unpaid: 'deleted', deleted: 'deleted' },
};

/** Why an event is refused in a status it does not leave from (`s`: the status as people read it). */
const REFUSAL: Record<OnlineEvent, (s: string) => string> = {
  editLines: (s) => `the wallets and amounts cannot change while the order is ${s}`,
  confirmPayment: (s) => `payment can be confirmed only for an Unpaid order; this one is ${s}`,
  cancelConfirmation: (s) => `only a confirmation whose invoice is still being issued can be cancelled; this order is ${s}`,
  invoiceIssued: (s) => `only an order issuing its invoice gets one; this one is ${s}`,
  invoiceRefused: (s) => `only an order awaiting its invoice goes back to Unpaid; this one is ${s}`,
  issuingGaveUp: (s) => `only an order awaiting its invoice goes back to Unpaid; this one is ${s}`,
  paymentReceived: (s) => `only an order awaiting payment is paid; this one is ${s}`,
  invoiceExpired: (s) => `only an order awaiting payment has an invoice to expire; this one is ${s}`,
  closeUnconfirmed: (s) => `only an Unpaid order closes unconfirmed; this one is ${s}`,
  latePayment: (s) => `only a Closed order takes a late payment; this one is ${s}`,
  approveLatePayment: (s) => `only a Paid late online order can be approved by finance; this one is ${s}`,
  refundLatePayment: (s) => `only a Paid late online order can be marked for refund; this one is ${s}`,
  delete: (s) => `an online order can be deleted only before payment is confirmed; this one is ${s}`,
};

/** Where `event` (with what its message carries) takes an order in `state`, or why it is refused. */
export function onlineTransition(state: OnlineState, event: OnlineEvent, message: OnlineMessage = {}): OnlineTransition {
  const name = describeOnlineStatus(state);
  // While the payment is credited, approving again waits for it and a refund is too late.
  if (state.crediting && event === 'approveLatePayment') return { to: 'paid' };
  if (state.crediting && event === 'refundLatePayment') return { refused: REFUSAL.refundLatePayment(name) };
  if (event === 'confirmPayment') {
    const confirmation = confirmAgain(state, message.paymentMethod);
    if (confirmation) return confirmation;
  }
  if (event === 'cancelConfirmation' && state.status === 'awaiting_payment' && state.issuing) return { to: 'unpaid' };
  const to = NEXT[event][state.status];
  return to ? { to } : { refused: REFUSAL[event](name) };
}

/**
 * A confirm of an order already confirmed: with the method being issued it joins that issuance, with the method of
 * the issued invoice it answers it; another method is refused. Null when the order is not confirmed.
 */
function confirmAgain(state: OnlineState, paymentMethod: OnlinePaymentMethod | undefined): OnlineTransition | null {
  if (state.status !== 'awaiting_payment') return null;
  const { issuing, invoiceMethod } = state;
  if (issuing) {
    if (issuing.paymentMethod === paymentMethod) return { to: 'awaiting_payment' };
    const name = describeOnlineStatus(state);
    return {
      refused: `payment is already being confirmed with ${issuing.paymentMethod}; this order is ${name}: confirm with ${issuing.paymentMethod} to wait for its invoice, or cancel the confirmation first`,
    };
  }
  if (invoiceMethod && invoiceMethod === paymentMethod) return { to: 'awaiting_payment' };
  return null;
}
