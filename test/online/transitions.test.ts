/**
 * The online order's rules on their own (DOMAIN.md "Online self top-up"): every status × every message, payment or
 * timer, the status it leads to or the reason it is refused.
 */
import { onlineTransition, type OnlineEvent } from '../../workflows/online/transitions';
import { ORDER_STATUSES, type OrderStatus } from '../../workflows/orders/statuses';

/** Every allowed move; everything else is refused. */
const ALLOWED: Array<[OrderStatus, OnlineEvent, OrderStatus]> = [
  ['unpaid', 'editLines', 'unpaid'],
  ['unpaid', 'confirmPayment', 'awaiting_payment'],
  ['awaiting_payment', 'invoiceRefused', 'unpaid'],
  ['awaiting_payment', 'paymentReceived', 'paid'],
  ['awaiting_payment', 'invoiceExpired', 'closed'],
  ['unpaid', 'closeUnconfirmed', 'closed'],
  ['closed', 'latePayment', 'paid_late'],
  ['paid_late', 'approveLatePayment', 'paid'],
  ['paid', 'approveLatePayment', 'paid'],
  ['paid_late', 'refundLatePayment', 'closed'],
  ['unpaid', 'delete', 'deleted'],
  ['deleted', 'delete', 'deleted'],
];
const EVENTS: OnlineEvent[] = ['editLines', 'confirmPayment', 'invoiceRefused', 'paymentReceived', 'invoiceExpired', 'closeUnconfirmed', 'latePayment', 'approveLatePayment', 'refundLatePayment', 'delete'];

test('When each message, payment or timer meets each status, then it leads where DOMAIN.md says, and every other pair is refused with a reason', () => {
  for (const status of ORDER_STATUSES) {
    for (const event of EVENTS) {
      const allowed = ALLOWED.find(([from, e]) => from === status && e === event);
      const result = onlineTransition({ status, crediting: false }, event);
      if (allowed) expect(result).toEqual({ to: allowed[2] });
      else expect(result).toEqual({ refused: expect.stringMatching(/\S/) });
    }
  }
});

test('When a message is refused, then the reason names the status as people read it', () => {
  expect(onlineTransition({ status: 'awaiting_payment', crediting: false }, 'confirmPayment')).toEqual({ refused: 'payment can be confirmed only for an Unpaid order; this one is Awaiting payment' });
  expect(onlineTransition({ status: 'paid', crediting: false }, 'delete')).toEqual({ refused: 'an online order can be deleted only before payment is confirmed; this one is Paid' });
});

test('When a late payment is being credited, then approving again answers like the first and a refund is refused', () => {
  expect(onlineTransition({ status: 'paid_late', crediting: true }, 'approveLatePayment')).toEqual({ to: 'paid' });
  expect(onlineTransition({ status: 'paid_late', crediting: true }, 'refundLatePayment')).toEqual({ refused: 'only a Paid late online order can be marked for refund; this one is Paid late' });
});
