/** The first view of a bank-transfer order, shared by its workflow and the API's read-your-writes row. Pure. */
import type { OrderView, TopupOrderInput } from './messages';

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
    revision: 0,
  };
}
