/** The workflows the worker registers. */
export { topupOrder } from './bank-transfer/topup-order';
export { onlineTopupOrder } from './online/online-topup-order';
export { lowBalanceNotice } from './ledger/low-balance-notice';
export { subscriptionBilling } from './billing/subscription-billing';
export { passwordLinkEmail } from './accounts/password-link-email';
export { paymentException } from './reconciliation/payment-exception';
