/**
 * The bank-transfer rules on their own (DOMAIN.md "Bank transfer"): every status × every message or timer, the
 * status it leads to or the reason it is refused, and which message a new slip is.
 */
import { bankTransferTransition, slipMessage, type BankTransferEvent, type BankTransferState } from '../../workflows/bank-transfer/transitions';
import { ORDER_STATUSES, type OrderStatus } from '../../workflows/orders/statuses';

const state = (status: OrderStatus, extra: Partial<BankTransferState> = {}): BankTransferState => ({ status, final: false, approving: false, ...extra });

/** Every allowed move; everything else is refused. */
const ALLOWED: Array<[OrderStatus, BankTransferEvent, OrderStatus]> = [
  ['unpaid', 'choosePaymentMethod', 'unpaid'],
  ['unpaid', 'submitSlip', 'dealing'],
  ['unpaid', 'edit', 'unpaid'],
  ['payment_failure', 'edit', 'dealing'],
  ['dealing', 'approve', 'paid'],
  ['paid', 'approve', 'paid'],
  ['dealing', 'reject', 'payment_failure'],
  ['unpaid', 'delete', 'deleted'],
  ['payment_failure', 'delete', 'deleted'],
  ['deleted', 'delete', 'deleted'],
  ['unpaid', 'closeUnsubmitted', 'closed'],
  ['dealing', 'reviewWindowExpired', 'payment_failure'],
  ['payment_failure', 'finalise', 'payment_failure'],
];
const EVENTS: BankTransferEvent[] = ['choosePaymentMethod', 'submitSlip', 'edit', 'approve', 'reject', 'delete', 'closeUnsubmitted', 'reviewWindowExpired', 'finalise'];

test('When each message or timer meets each status, then it leads where DOMAIN.md says, and every other pair is refused with a reason', () => {
  for (const status of ORDER_STATUSES) {
    for (const event of EVENTS) {
      const allowed = ALLOWED.find(([from, e]) => from === status && e === event);
      const result = bankTransferTransition(state(status), event);
      if (allowed) expect(result).toEqual({ to: allowed[2] });
      else expect(result).toEqual({ refused: expect.stringMatching(/\S/) });
    }
  }
});

test('When a message is refused, then the reason names the status as people read it', () => {
  expect(bankTransferTransition(state('payment_failure'), 'approve')).toEqual({ refused: 'only a Dealing order can be approved; this one is Payment Failure' });
  expect(bankTransferTransition(state('dealing'), 'edit')).toEqual({ refused: 'the order cannot be edited while it is Dealing' });
  expect(bankTransferTransition(state('dealing'), 'submitSlip')).toEqual({ refused: 'a slip cannot be submitted while the order is Dealing' });
  expect(bankTransferTransition(state('paid'), 'delete')).toEqual({ refused: 'an order cannot be deleted while it is Paid' });
});

test('When a Payment Failure order is final, then it can no longer be edited or deleted, and a deleted one still answers a repeat', () => {
  expect(bankTransferTransition(state('payment_failure', { final: true }), 'edit')).toEqual({ refused: 'the order is final: it was left in Payment Failure too long to edit' });
  expect(bankTransferTransition(state('payment_failure', { final: true }), 'delete')).toEqual({ refused: 'the order is final and can no longer be deleted' });
  expect(bankTransferTransition(state('deleted', { final: true }), 'delete')).toEqual({ to: 'deleted' });
});

test('When finance is approving, then a second approval answers like the first, a rejection is refused and the review window holds', () => {
  const approving = state('dealing', { approving: true });
  expect(bankTransferTransition(approving, 'approve')).toEqual({ to: 'paid' });
  expect(bankTransferTransition(approving, 'reject')).toEqual({ refused: 'the order is being approved' });
  expect(bankTransferTransition(approving, 'reviewWindowExpired')).toEqual({ refused: 'the order is being approved' });
});

test('When an Unpaid or Payment Failure order is being paid by a received payment, then it cannot be edited, deleted, given a payment method, closed or made final until the approval ends', () => {
  for (const status of ['unpaid', 'payment_failure'] as const) {
    const approving = state(status, { approving: true });
    expect(bankTransferTransition(approving, 'approvePayment')).toEqual({ to: 'paid' });
    for (const event of ['edit', 'delete', 'choosePaymentMethod'] as const) expect(bankTransferTransition(approving, event)).toEqual({ refused: 'the order is being approved' });
  }
  expect(bankTransferTransition(state('unpaid', { approving: true }), 'closeUnsubmitted')).toEqual({ refused: 'the order is being approved' });
  expect(bankTransferTransition(state('payment_failure', { approving: true }), 'finalise')).toEqual({ refused: 'the order is being approved' });
  expect(bankTransferTransition(state('paid', { approving: true }), 'edit')).toEqual({ refused: 'the order cannot be edited while it is Paid' });
});

test('When a slip is uploaded, then after a Payment Failure it is an edit that resubmits, and otherwise the first submission', () => {
  expect(slipMessage('payment_failure')).toBe('edit');
  for (const status of ORDER_STATUSES.filter((s) => s !== 'payment_failure')) expect(slipMessage(status)).toBe('submitSlip');
});
