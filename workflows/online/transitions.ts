/**
 * The online order's rules as data (DOMAIN.md "Online self top-up"): which status each message, payment or timer
 * takes an order to, and why one is refused. Pure: the workflow's validators and handlers ask it.
 */
import type { OrderStatus } from '../orders/statuses';
import { statusName } from '../shared/names';

/** What can happen to an online order: a customer's or finance's message, the gateway, or one of its timers. */
export type OnlineEvent =
  | 'editLines'
  | 'confirmPayment'
  /** The gateway refused to issue the invoice for good: back to the editable draft. */
  | 'invoiceRefused'
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
}

/** The answer: the status the order goes to (the same one for a change within it, or a repeat), or a refusal. */
export type OnlineTransition = { to: OrderStatus } | { refused: string };

/** Where each event takes an order from each status; a status not listed refuses it. */
const NEXT: Record<OnlineEvent, Partial<Record<OrderStatus, OrderStatus>>> = {
  editLines: { unpaid: 'unpaid' },
  confirmPayment: { unpaid: 'awaiting_payment' },
  invoiceRefused: { awaiting_payment: 'unpaid' },
  paymentReceived: { awaiting_payment: 'paid' },
  invoiceExpired: { awaiting_payment: 'closed' },
  closeUnconfirmed: { unpaid: 'closed' },
  latePayment: { closed: 'paid_late' },
  // Crediting a late payment again answers the order as it is (a retry, a double click).
  approveLatePayment: { paid_late: 'paid', paid: 'paid' },
  refundLatePayment: { paid_late: 'closed' },
  delete: { unpaid: 'deleted', deleted: 'deleted' },
};

/** Why an event is refused in a status it does not leave from. */
const REFUSAL: Record<OnlineEvent, (status: string) => string> = {
  editLines: (s) => `the wallets and amounts cannot change while the order is ${s}`,
  confirmPayment: (s) => `payment can be confirmed only for an Unpaid order; this one is ${s}`,
  invoiceRefused: (s) => `only an order awaiting its invoice goes back to Unpaid; this one is ${s}`,
  paymentReceived: (s) => `only an order awaiting payment is paid; this one is ${s}`,
  invoiceExpired: (s) => `only an order awaiting payment has an invoice to expire; this one is ${s}`,
  closeUnconfirmed: (s) => `only an Unpaid order closes unconfirmed; this one is ${s}`,
  latePayment: (s) => `only a Closed order takes a late payment; this one is ${s}`,
  approveLatePayment: (s) => `only a Paid late online order can be approved by finance; this one is ${s}`,
  refundLatePayment: (s) => `only a Paid late online order can be marked for refund; this one is ${s}`,
  delete: (s) => `an online order can be deleted only before payment is confirmed; this one is ${s}`,
};

/** Where `event` takes an order in `state`, or why it is refused. */
export function onlineTransition(state: OnlineState, event: OnlineEvent): OnlineTransition {
  const name = statusName(state.status, 'en');
  // While the payment is credited, approving again waits for it and a refund is too late.
  if (state.crediting && event === 'approveLatePayment') return { to: 'paid' };
  if (state.crediting && event === 'refundLatePayment') return { refused: REFUSAL.refundLatePayment(name) };
  const to = NEXT[event][state.status];
  return to ? { to } : { refused: REFUSAL[event](name) };
}
