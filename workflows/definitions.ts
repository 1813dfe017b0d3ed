/**
 * The one index of workflows/ that the API, db/ and the console import (lint holds them to it): each area's
 * messages (workflow ids, message definitions, views) and the pure rules they share with the workflows. The
 * workflows themselves import their modules directly. Deterministic; no Node imports.
 */
export * from './shared/task-queue';
export * from './shared/policy';
export * from './shared/rupiah';
export * from './shared/currency';
export * from './shared/wallet-rules';
export * from './shared/refusals';
export * from './shared/request-id';
export * from './orders/statuses';
export * from './orders/order-ids';
export * from './orders/order-change';
export * from './orders/search-attributes';
export * from './orders/messages';
export * from './bank-transfer/messages';
export * from './bank-transfer/amount-rules';
export * from './bank-transfer/order-view';
export * from './bank-transfer/paid-view';
export * from './online/messages';
export * from './online/pricing';
export * from './online/order-view';
export * from './ledger/messages';
export * from './billing/messages';
export * from './billing/periods';
export * from './billing/deposit-rules';
export * from './shared/names';
export * from './bank-transfer/activity-types';
export * from './bank-transfer/transitions';
export * from './online/activity-types';
export * from './online/transitions';
export * from './online/invoice-issuing';
export * from './billing/activity-types';
export * from './ledger/activity-types';
export * from './reconciliation/messages';
export * from './reconciliation/exception-rules';
export * from './reconciliation/statement-matching';
export * from './reconciliation/activity-types';
export * from './reconciliation/search-attributes';
export * from './accounts/messages';
export * from './accounts/activity-types';
export * from './webhooks/messages';
export * from './webhooks/activity-types';
export * from './webhooks/delivery-schedule';
export * from './auto-topup/messages';
export * from './auto-topup/amount-rules';
export * from './auto-topup/activity-types';
export * from './workflow-names';
