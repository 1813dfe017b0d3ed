/**
 * Order statuses as the API, the read model and the `OrderStatus` search attribute carry them: machine codes.
 * People read them by their names (shared/names.ts): Unpaid, Awaiting payment, Dealing, Paid, Payment Failure,
 * Closed, Deleted (DOMAIN.md), and Paid late: money that arrived for an online order after its invoice expired,
 * waiting for finance to credit or refund it.
 */
export const ORDER_STATUSES = ['unpaid', 'awaiting_payment', 'dealing', 'paid', 'payment_failure', 'closed', 'deleted', 'paid_late'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
