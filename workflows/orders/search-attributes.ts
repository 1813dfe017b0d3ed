/** The search attributes of an order, by which ops filter in the Temporal UI (DESIGN.md "Temporal in the UI"). */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SA_EXCEPTION_REASON, SA_EXCEPTION_STATUS } from '../reconciliation/search-attributes';

/** Search attributes ops filter by in the Temporal UI; upserted on every transition. */
export const SA_ORDER_STATUS = defineSearchAttributeKey('OrderStatus', SearchAttributeType.KEYWORD);
export const SA_ACCOUNT_ID = defineSearchAttributeKey('AccountId', SearchAttributeType.KEYWORD);
export const SA_ORDER_NUMBER = defineSearchAttributeKey('OrderNumber', SearchAttributeType.KEYWORD);
export const SA_WALLET = defineSearchAttributeKey('Wallet', SearchAttributeType.KEYWORD);
export const SA_PAYMENT_METHOD = defineSearchAttributeKey('PaymentMethod', SearchAttributeType.KEYWORD);
/** When the order entered its current status, so "Dealing for more than 20 hours" is one filter. */
export const SA_STATUS_CHANGED_AT = defineSearchAttributeKey('StatusChangedAt', SearchAttributeType.DATETIME);

/** Every custom search attribute (the orders' and the payment exceptions'), for registering them with a server. */
export const SEARCH_ATTRIBUTES = [SA_ORDER_STATUS, SA_ACCOUNT_ID, SA_ORDER_NUMBER, SA_WALLET, SA_PAYMENT_METHOD, SA_STATUS_CHANGED_AT, SA_EXCEPTION_STATUS, SA_EXCEPTION_REASON];

