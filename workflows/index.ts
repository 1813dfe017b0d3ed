/** The workflows the worker registers. */
export { topupOrder } from './topup-order';
export { onlineTopupOrder } from './online-order';
export { lowBalanceNotice } from './low-balance-notice';
export { subscriptionBilling } from './subscription-billing';
