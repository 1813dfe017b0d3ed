/**
 * How a bank-statement line is matched (issue 19), pure: the API's import asks it for every incoming line. The
 * 13-digit order number in the remittance text and the amount decide:
 * - a bank-transfer order that still waits for its money (Unpaid, Dealing, Payment Failure not final), for exactly
 *   what it is still due: a proposed approval, which finance confirms;
 * - the same order for another amount: an amount_mismatch exception, with the difference;
 * - an order Paid by its slip, for its amount, that no other payment claimed: reconciled (the statement shows the
 *   money the slip showed; nothing moves);
 * - an order that another payment claimed, or paid otherwise: a duplicate_payment exception;
 * - an order that cannot be paid (closed, deleted, final, an online order): order_not_payable;
 * - no order number of ours in the text: unknown_reference.
 * Money going out (fees, refunds) is not an incoming payment.
 */
import { amountDue } from '../bank-transfer/order-view';
import { isOnlineOrder, type AnyOrderView } from '../orders/messages';
import type { Wallet } from '../shared/policy';
import type { ExceptionReason } from './messages';

/** What happens to a line. */
export type LineMatch =
  | { outcome: 'not_incoming' }
  | { outcome: 'proposed'; orderNumber: string }
  | { outcome: 'reconciled'; orderNumber: string }
  | {
      outcome: 'exception';
      reason: ExceptionReason;
      difference: number | null;
      orderNumber: string | null;
      accountId: string | null;
      wallet: Wallet | null;
      note: string;
    };

/** The 13-digit numbers in a text that could be order numbers ("1" + YYMMDD + 6 digits), in order, once each. */
export function orderNumbersIn(text: string): string[] {
  return [...new Set(text.match(/(?<!\d)1\d{12}(?!\d)/g) ?? [])];
}

/**
 * Decides a line. `order` is the first order of ours its text names (null when none), with its account;
 * `claimedByOther` is true when another payment already claimed that order.
 */
export function matchStatementLine(
  line: { direction: 'credit' | 'debit'; amount: number; text: string },
  order: { view: AnyOrderView; accountId: string } | null,
  claimedByOther: boolean,
): LineMatch {
  if (line.direction === 'debit') return { outcome: 'not_incoming' };
  if (!order) {
    const named = orderNumbersIn(line.text);
    const note = named.length ? `the text names ${named.join(', ')}, which is no order of ours` : 'the text names no order number';
    return { outcome: 'exception', reason: 'unknown_reference', difference: null, orderNumber: null, accountId: null, wallet: null, note };
  }
  const { view, accountId } = order;
  const { orderNumber, status } = view;
  const exception = (reason: ExceptionReason, note: string, difference: number | null = null): LineMatch => ({
    outcome: 'exception',
    reason,
    difference,
    orderNumber,
    accountId,
    wallet: isOnlineOrder(view) ? (view.lines.length === 1 ? view.lines[0]!.wallet : null) : view.wallet,
    note,
  });
  if (isOnlineOrder(view)) return exception('order_not_payable', `order ${orderNumber} is an online order (${status}), paid through the gateway`);
  if (claimedByOther) return exception('duplicate_payment', `another payment already claimed order ${orderNumber}`);
  if (status === 'paid') {
    const paidBySlip = (view.payments ?? []).length === 0;
    if (paidBySlip && line.amount === view.amount) return { outcome: 'reconciled', orderNumber };
    return exception('duplicate_payment', `order ${orderNumber} was paid already`);
  }
  const open = (status === 'unpaid' || status === 'dealing' || status === 'payment_failure') && !view.final;
  if (!open) return exception('order_not_payable', `order ${orderNumber} is ${status}${view.final ? ' (final)' : ''} and takes no payment`);
  const due = amountDue(view);
  if (line.amount !== due) {
    const difference = line.amount - due;
    return exception('amount_mismatch', `order ${orderNumber} is due ${due}; ${difference > 0 ? 'over' : 'under'}paid by ${Math.abs(difference)}`, difference);
  }
  return { outcome: 'proposed', orderNumber };
}
