/**
 * The Paid view of a bank-transfer order, built the same way by the workflow (its own state after the approval) and
 * by `creditAndRecordPaidOrder` (the row it records), so the row readers see and the workflow's query answer cannot
 * differ. Pure.
 */
import type { AppliedPayment, OrderView, PaidOutcome } from './messages';
import type { OrderStatus } from '../orders/statuses';

/** What finance's approval decided before the ledger answered: the status, the note, the payment, who and when. */
export interface PaidApproval {
  /** The status the approval leads to (the rules': Paid). */
  status: OrderStatus;
  /** The check result, trimmed; null when none was given. */
  checkResult: string | null;
  /** The received payment that completes the order, if one does. */
  applied: AppliedPayment | null;
  approvedBy: string;
  paidAt: string;
}

/** What the credit did, as the Paid view shows it. */
export type PaidCredit = Pick<PaidOutcome, 'settled' | 'added' | 'balanceAfter' | 'invoicePayment'>;

/** The figures of a wallet credit (`creditTopup`), as the Paid view shows them. */
export function topupPaidCredit(credit: { settled: number; added: number; balanceAfter: { current: number } }): PaidCredit {
  return { settled: credit.settled, added: credit.added, balanceAfter: credit.balanceAfter.current, invoicePayment: null };
}

/**
 * The order after `approval`, once the ledger answered `credit`: the next revision, Paid, the paid figures, the
 * payment that completed it among its payments, no deadline. `order` is the view before the approval.
 */
export function paidView(order: OrderView, approval: PaidApproval, credit: PaidCredit): OrderView {
  return {
    ...order,
    ...(approval.applied ? { payments: [...(order.payments ?? []), approval.applied] } : {}),
    checkResult: approval.checkResult,
    paid: { ...credit, paidAt: approval.paidAt, approvedBy: approval.approvedBy },
    deadline: null,
    status: approval.status,
    revision: order.revision + 1,
  };
}
