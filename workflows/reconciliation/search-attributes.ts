/** The search attributes of a payment exception, by which finance and ops find them in the Temporal UI. */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** `open`, `in_progress`, `attached` or `resolved`, upserted on every change of status. */
export const SA_EXCEPTION_STATUS = defineSearchAttributeKey('ExceptionStatus', SearchAttributeType.KEYWORD);
/** Why the payment is an exception (`amount_mismatch`, `unknown_reference` …). */
export const SA_EXCEPTION_REASON = defineSearchAttributeKey('ExceptionReason', SearchAttributeType.KEYWORD);
