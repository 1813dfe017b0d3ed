/** The first view of a bank-transfer order, shared by its workflow and the API's read-your-writes row. Pure. */
import type { AppliedPayment, OrderView, TopupOrderInput } from './messages';

/** An order just created: Unpaid, nothing submitted, closing at `deadline` (null where unknown yet). */
export function newBankTransferOrder(input: TopupOrderInput, deadline: string | null): OrderView {
  return {
    orderNumber: input.orderNumber,
    accountId: input.accountId,
    createdBy: input.createdBy,
    wallet: input.wallet,
    amount: input.amount,
    currency: input.currency,
    status: 'unpaid',
    paymentMethod: null,
    slip: null,
    createdAt: input.createdAt,
    submittedAt: null,
    deadline,
    checkResult: null,
    failure: null,
    paid: null,
    final: false,
    submissions: 0,
    payments: [],
    releasedPayments: [],
    revision: 0,
  };
}

/** What the order's payments hold (0 on an order from before payments were recorded). */
export function heldByPayments(view: Pick<OrderView, 'payments'>): number {
  return (view.payments ?? []).reduce((sum, p: AppliedPayment) => sum + p.amount, 0);
}

/** IDR still due on a bank-transfer order: its amount less the payments it holds. */
export function amountDue(view: Pick<OrderView, 'amount' | 'payments'>): number {
  return view.amount - heldByPayments(view);
}
