/** The workflows the worker registers. */
export { topupOrder } from './bank-transfer/topup-order';
export { onlineTopupOrder } from './online/online-topup-order';
export { lowBalanceNotice } from './ledger/low-balance-notice';
export { giftExpiry } from './ledger/gift-expiry';
export { subscriptionBilling } from './billing/subscription-billing';
export { passwordLinkEmail } from './accounts/password-link-email';
export { webhookDelivery } from './webhooks/webhook-delivery';
export { autoTopupRule } from './auto-topup/auto-topup-rule';
export { paymentException } from './reconciliation/payment-exception';
