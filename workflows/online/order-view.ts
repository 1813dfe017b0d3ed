/** The first view of an online order, shared by its workflow and the API's read-your-writes row. Pure. */
import type { OnlineOrderInput, OnlineOrderView } from './messages';
import type { OnlineBill } from './pricing';

/** An online order just created: Unpaid, its lines priced, closing at `deadline` unless confirmed. */
export function draftOnlineOrder(input: OnlineOrderInput, bill: Pick<OnlineBill, 'lines' | 'subtotal'>, deadline: string | null): OnlineOrderView {
  return {
    kind: 'online',
    orderNumber: input.orderNumber,
    accountId: input.accountId,
    createdBy: input.createdBy,
    currency: input.currency,
    status: 'unpaid',
    lines: bill.lines,
    subtotal: bill.subtotal,
    invoice: null,
    issuing: null,
    confirmationFailure: null,
    payment: null,
    settlement: null,
    settles: input.settles ?? null,
    invoicePayment: null,
    refund: null,
    checkResult: null,
    billingEmail: null,
    createdAt: input.createdAt,
    deadline,
    revision: 0,
  };
}
