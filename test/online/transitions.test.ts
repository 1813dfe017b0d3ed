/**
 * The online order's rules on their own (DOMAIN.md "Online self top-up", issue 15 for the issuing of the invoice):
 * every status × every message, gateway answer or timer, the status it leads to or the reason it is refused.
 */
import { onlineTransition, type OnlineEvent, type OnlineState } from '../../workflows/online/transitions';
import { ORDER_STATUSES, type OrderStatus } from '../../workflows/orders/statuses';

/** Every allowed move; everything else is refused. */
const ALLOWED: Array<[OrderStatus, OnlineEvent, OrderStatus]> = [
  ['unpaid', 'editLines', 'unpaid'],
  ['unpaid', 'confirmPayment', 'awaiting_payment'],
  ['unpaid', 'cancelConfirmation', 'unpaid'],
  ['awaiting_payment', 'invoiceIssued', 'awaiting_payment'],
  ['awaiting_payment', 'invoiceRefused', 'unpaid'],
  ['awaiting_payment', 'issuingGaveUp', 'unpaid'],
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
const EVENTS: OnlineEvent[] = [
  'editLines',
  'confirmPayment',
  'cancelConfirmation',
  'invoiceIssued',
  'invoiceRefused',
  'issuingGaveUp',
  'paymentReceived',
  'invoiceExpired',
  'closeUnconfirmed',
  'latePayment',
  'approveLatePayment',
  'refundLatePayment',
  'delete',
];

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

/** A confirmed order whose invoice the gateway has not issued yet (e-wallet, two failed calls). */
const issuing: OnlineState = { status: 'awaiting_payment', crediting: false, issuing: { paymentMethod: 'ewallet', since: '2026-03-02T03:00:00.000Z', attempts: 2 } };
const ISSUING_NAME = 'Awaiting payment (issuing the ewallet invoice since 2026-03-02T03:00:00.000Z, 2 failed attempts)';

test('When the invoice is being issued, then the same confirm joins it, another method is refused naming the one in progress, and the customer may cancel', () => {
  expect(onlineTransition(issuing, 'confirmPayment', { paymentMethod: 'ewallet' })).toEqual({ to: 'awaiting_payment' });
  expect(onlineTransition(issuing, 'confirmPayment', { paymentMethod: 'credit_card' })).toEqual({
    refused: `payment is already being confirmed with ewallet; this order is ${ISSUING_NAME}: confirm with ewallet to wait for its invoice, or cancel the confirmation first`,
  });
  expect(onlineTransition(issuing, 'cancelConfirmation')).toEqual({ to: 'unpaid' });
  expect(onlineTransition(issuing, 'invoiceIssued')).toEqual({ to: 'awaiting_payment' });
  expect(onlineTransition(issuing, 'issuingGaveUp')).toEqual({ to: 'unpaid' });
  expect(onlineTransition(issuing, 'invoiceRefused')).toEqual({ to: 'unpaid' });
});

test('When the invoice is being issued, then an edit or a delete is refused naming the issuing, as GET shows it', () => {
  expect(onlineTransition(issuing, 'editLines')).toEqual({ refused: `the wallets and amounts cannot change while the order is ${ISSUING_NAME}` });
  expect(onlineTransition(issuing, 'delete')).toEqual({ refused: `an online order can be deleted only before payment is confirmed; this one is ${ISSUING_NAME}` });
  expect(onlineTransition({ ...issuing, issuing: { ...issuing.issuing!, attempts: 0 } }, 'delete')).toEqual({
    refused: 'an online order can be deleted only before payment is confirmed; this one is Awaiting payment (issuing the ewallet invoice since 2026-03-02T03:00:00.000Z)',
  });
});

test('When the invoice is issued, then a confirm with its method answers it, another method is refused, and the confirmation can no longer be cancelled', () => {
  const invoiced: OnlineState = { status: 'awaiting_payment', crediting: false, issuing: null, invoiceMethod: 'virtual_account' };
  expect(onlineTransition(invoiced, 'confirmPayment', { paymentMethod: 'virtual_account' })).toEqual({ to: 'awaiting_payment' });
  expect(onlineTransition(invoiced, 'confirmPayment', { paymentMethod: 'ewallet' })).toEqual({ refused: 'payment can be confirmed only for an Unpaid order; this one is Awaiting payment' });
  expect(onlineTransition(invoiced, 'cancelConfirmation')).toEqual({ refused: 'only a confirmation whose invoice is still being issued can be cancelled; this order is Awaiting payment' });
  expect(onlineTransition({ status: 'paid', crediting: false, invoiceMethod: 'virtual_account' }, 'confirmPayment', { paymentMethod: 'virtual_account' })).toEqual({
    refused: 'payment can be confirmed only for an Unpaid order; this one is Paid',
  });
});
