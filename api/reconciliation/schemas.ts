/** Request schemas of finance's reconciliation routes (payment exceptions, bank statements); types inferred beside them. */
import { z } from 'zod';
import { EXCEPTION_REASONS, EXCEPTION_STATUSES, PAYMENT_ID_PATTERN, WALLETS } from '../../workflows/definitions';
import { ZOrderNumber, ZPaging } from '../orders/schemas';

const MAX_NOTE_LENGTH = 500;

/** Why finance decides as they do: required, at most 500 characters. */
const ZNote = z.string('is required (say why)').trim().min(1, 'is required (say why)').max(MAX_NOTE_LENGTH, `must be at most ${MAX_NOTE_LENGTH} characters`);

/** An exception's id in a path: the received payment's id. */
export const ZExceptionId = z.string().regex(PAYMENT_ID_PATTERN, 'must be a payment id: "gw_" or "bank_", then letters, digits or "_"');
export const ZExceptionParams = z.object({ exceptionId: ZExceptionId });

const STATUS_FILTERS = [...EXCEPTION_STATUSES, 'unresolved', 'all'] as const;

/** `GET /v1/finance/exceptions`: oldest payment first; unresolved ones unless asked. */
export const ZExceptionsQuery = z.strictObject({
  ...ZPaging.shape,
  status: z.enum(STATUS_FILTERS, `must be one of: ${STATUS_FILTERS.join(', ')}`).default('unresolved'),
  reason: z.enum(EXCEPTION_REASONS, `must be one of: ${EXCEPTION_REASONS.join(', ')}`).optional(),
});

/** `POST …/credit`: the account and wallet the money goes to, and why. */
export const ZCreditExceptionRequest = z.strictObject({
  accountId: z.string().trim().min(1, 'is required').max(100),
  wallet: z.enum(WALLETS, `must be one of: ${WALLETS.join(', ')}`),
  note: ZNote,
});
export type TCreditExceptionRequest = z.infer<typeof ZCreditExceptionRequest>;

/** `POST …/attach`: the open bank-transfer order, what becomes of an overpayment's rest, and why. */
export const ZAttachExceptionRequest = z.strictObject({
  orderNumber: ZOrderNumber,
  rest: z.enum(['credit', 'refund'], 'must be "credit" (to the order\'s wallet) or "refund"').optional(),
  note: ZNote,
});
export type TAttachExceptionRequest = z.infer<typeof ZAttachExceptionRequest>;

/** `POST …/refund` and `POST …/dismiss`: why. */
export const ZNoteRequest = z.strictObject({ note: ZNote });
