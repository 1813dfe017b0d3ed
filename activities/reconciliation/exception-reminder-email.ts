/** The daily reminder to finance that a payment exception is still open (staff email, in English). Pure. */
import { formatDateTime, formatIdr } from '../shared/money-format';
import { renderEmail, type RenderedEmail } from '../shared/render-email';
import type { PaymentExceptionView } from '../../workflows/definitions';

/** Why each reason is in front of finance, in a few words. */
const REASON_TEXT: Record<PaymentExceptionView['reason'], string> = {
  amount_mismatch: 'the amount differs from what the order asked',
  duplicate_payment: 'the order was paid already',
  after_expiry_watch: 'it came after the late-payment watch of its order ended',
  unknown_reference: 'it names no order of ours',
  order_not_payable: 'its order cannot be paid any more',
};

/** The reminder of an open exception, the `reminder`-th one. */
export function exceptionReminderEmail(d: { exception: PaymentExceptionView; reminder: number; providerName: string; consoleUrl: string }): RenderedEmail {
  const { exception: e } = d;
  const difference = e.difference === null ? [] : ([['Difference', `${e.difference > 0 ? '+' : '−'}${formatIdr(Math.abs(e.difference), 'en')}`]] as [string, string][]);
  return renderEmail({
    locale: 'en',
    providerName: d.providerName,
    greeting: 'Hello finance team,',
    subject: `Payment exception still open: ${formatIdr(e.payment.amount, 'en')} (${e.reason})`,
    heading: 'A received payment is waiting for your decision',
    intro: `This payment reached us but went to no order by itself: ${REASON_TEXT[e.reason]}. Credit it, attach it to an order, refund it or dismiss it with a reason.`,
    rows: [
      ['Exception', e.exceptionId],
      ['Amount', formatIdr(e.payment.amount, 'en')],
      ...difference,
      ['Received', formatDateTime(e.payment.receivedAt, 'en')],
      ['Reference', e.payment.reference],
      ['Suggested order', e.suggestion.orderNumber ?? 'none'],
      ['Reminder', String(d.reminder)],
    ],
    notes: ['You get this reminder every day until the exception is resolved.'],
    action: { label: 'Open the exceptions queue', url: `${d.consoleUrl}/#/finance/exceptions` },
  });
}
