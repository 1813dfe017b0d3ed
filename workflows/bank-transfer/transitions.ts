/**
 * The bank-transfer order's rules as data (DOMAIN.md "Bank transfer"): which status each message or timer takes
 * an order to, and why one is refused. Pure: the workflow's validators and handlers ask it, and so does the API
 * (which message a new slip is).
 */
import type { OrderStatus } from '../orders/statuses';
import { statusName } from '../shared/names';

/** What can happen to a bank-transfer order: a customer's or finance's message, or one of its timers. */
export type BankTransferEvent =
  | 'choosePaymentMethod'
  | 'submitSlip'
  | 'edit'
  | 'approve'
  /** An approval with the money seen in the bank (a confirmed statement line) or a payment that pays what is due. */
  | 'approvePayment'
  /** A payment exception's money attached to the order, less than what is due: the order holds it. */
  | 'holdPayment'
  | 'reject'
  | 'delete'
  /** Unpaid for 120 h without a slip. */
  | 'closeUnsubmitted'
  /** Dealing past the 24 h review window. */
  | 'reviewWindowExpired'
  /** Payment Failure untouched for 120 h: no more edits. */
  | 'finalise';

/** What the rules look at. */
export interface BankTransferState {
  status: OrderStatus;
  /** Payment Failure left untouched past its window. */
  final: boolean;
  /** Finance's approval is crediting the wallet. */
  approving: boolean;
}

/** The answer: the status the order goes to (the same one for a change within it, or a repeat), or a refusal. */
export type Transition = { to: OrderStatus } | { refused: string };

/** Where each event takes an order from each status; a status not listed refuses it. */
const NEXT: Record<BankTransferEvent, Partial<Record<OrderStatus, OrderStatus>>> = {
  choosePaymentMethod: { unpaid: 'unpaid' },
  submitSlip: { unpaid: 'dealing' },
  // After a Payment Failure an edit resubmits: back to Dealing, with a new review window.
  edit: { unpaid: 'unpaid', payment_failure: 'dealing' },
  // Approving a Paid order again answers it as it is (a retry, a double click).
  approve: { dealing: 'paid', paid: 'paid' },
  // With the money in the bank no slip is needed: an Unpaid or rejected order is paid by it too.
  approvePayment: { unpaid: 'paid', dealing: 'paid', payment_failure: 'paid', paid: 'paid' },
  holdPayment: { unpaid: 'unpaid', dealing: 'dealing', payment_failure: 'payment_failure' },
  reject: { dealing: 'payment_failure' },
  delete: { unpaid: 'deleted', payment_failure: 'deleted', deleted: 'deleted' },
  closeUnsubmitted: { unpaid: 'closed' },
  reviewWindowExpired: { dealing: 'payment_failure' },
  finalise: { payment_failure: 'payment_failure' },
};

/** Why an event is refused in a status it does not leave from. */
const REFUSAL: Record<BankTransferEvent, (status: string) => string> = {
  choosePaymentMethod: (s) => `the payment method cannot change while the order is ${s}`,
  submitSlip: (s) => `a slip cannot be submitted while the order is ${s}`,
  edit: (s) => `the order cannot be edited while it is ${s}`,
  approve: (s) => `only a Dealing order can be approved; this one is ${s}`,
  approvePayment: (s) => `only an Unpaid, Dealing or Payment Failure order can be paid by a received payment; this one is ${s}`,
  holdPayment: (s) => `only an Unpaid, Dealing or Payment Failure order can take a payment; this one is ${s}`,
  reject: (s) => `only a Dealing order can be rejected; this one is ${s}`,
  delete: (s) => `an order cannot be deleted while it is ${s}`,
  closeUnsubmitted: (s) => `only an Unpaid order closes unsubmitted; this one is ${s}`,
  reviewWindowExpired: (s) => `only a Dealing order's review window expires; this one is ${s}`,
  finalise: (s) => `only a Payment Failure order becomes final; this one is ${s}`,
};

/** Refusals that the status alone does not give: a final order, and an approval under way. */
function guard(state: BankTransferState, event: BankTransferEvent): string | null {
  if (state.final && event === 'edit') return 'the order is final: it was left in Payment Failure too long to edit';
  if (state.final && event === 'delete' && state.status !== 'deleted') return 'the order is final and can no longer be deleted';
  if (state.final && event === 'finalise') return 'the order is final already';
  if (state.final && (event === 'approvePayment' || event === 'holdPayment')) return 'the order is final: it was left in Payment Failure too long to be paid';
  if (state.approving && (event === 'reject' || event === 'holdPayment')) return 'the order is being approved';
  // An approval credits the order as it stood when it began, and its Paid view is the next revision of that state:
  // nothing may change the order in between (an Unpaid order paid by a received payment could otherwise be edited).
  // Once Paid, the status's own refusals answer.
  if (state.approving && state.status !== 'paid' && (event === 'edit' || event === 'delete' || event === 'choosePaymentMethod')) return 'the order is being approved';
  return null;
}

/** Where `event` takes an order in `state`, or why it is refused. */
export function bankTransferTransition(state: BankTransferState, event: BankTransferEvent): Transition {
  // An approval under way answers a repeat like the approval itself, and holds the order's timers: the review
  // window, and the close of an Unpaid order or the finalising of a Payment Failure one that it pays in full.
  if (state.approving && (event === 'approve' || event === 'approvePayment')) return { to: 'paid' };
  if (state.approving && (event === 'reviewWindowExpired' || event === 'closeUnsubmitted' || event === 'finalise')) return { refused: 'the order is being approved' };
  const guarded = guard(state, event);
  if (guarded) return { refused: guarded };
  const to = NEXT[event][state.status];
  return to ? { to } : { refused: REFUSAL[event](statusName(state.status, 'en')) };
}

/**
 * The message a newly uploaded slip is: an edit that resubmits the order after a Payment Failure (refused, with
 * the reason, when the order is final), else the first submission (refused unless the order is Unpaid).
 */
export function slipMessage(status: OrderStatus): 'edit' | 'submitSlip' {
  return NEXT.edit[status] === 'dealing' ? 'edit' : 'submitSlip';
}
