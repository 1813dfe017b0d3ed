/** Request schemas of the order and review routes; the types beside them are inferred. */
import { z } from 'zod';
import { ORDER_STATUSES } from '../../workflows/definitions';
import { PAYMENT_METHODS } from '../../workflows/shared/policy';
import { ZOrderNumber } from '../online/schemas';

const MAX_NOTE_LENGTH = 500;
const ZAmount = z.number().int('must be a whole number of rupiah').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER);
const ZDateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be an ISO date (YYYY-MM-DD) or date-time with a time zone',
});
const ZPage = z.coerce.number('must be a number').int('must be a whole number').min(1, 'must be at least 1');

/** True when `a` is before `b`; a plain date compares by its day. */
function isBefore(a: string, b: string): boolean {
  return a.length === 10 || b.length === 10 ? a.slice(0, 10) < b.slice(0, 10) : Date.parse(a) < Date.parse(b);
}

/** `/:orderNumber` in a path. */
export const ZOrderParams = z.object({ orderNumber: ZOrderNumber });

/** Paging: page 1 first, 20 a page unless asked, at most 100. */
export const ZPaging = z.object({
  page: ZPage.max(1_000_000, 'must be at most 1000000').default(1),
  pageSize: ZPage.max(100, 'must be at most 100').default(20),
});

/** `GET /v1/orders`: filters on the read model. */
export const ZListOrdersQuery = z
  .strictObject({
    ...ZPaging.shape,
    status: z.enum(ORDER_STATUSES, `must be one of: ${ORDER_STATUSES.join(', ')}`).optional(),
    from: ZDateOrInstant.optional(),
    to: ZDateOrInstant.optional(),
    orderNumber: z.string().regex(/^\d{1,13}$/, 'must be 1 to 13 digits (the start of an order number)').optional(),
    accountId: z.string().min(1).max(100).optional(),
  })
  .refine((q) => !q.from || !q.to || !isBefore(q.to, q.from), { path: ['to'], message: 'must not be before from' });
export type TListOrdersQuery = z.infer<typeof ZListOrdersQuery>;

/** `GET /v1/review/orders`. */
export const ZReviewQueueQuery = z.strictObject({ ...ZPaging.shape, accountId: z.string().min(1).max(100).optional() });

/** `PATCH /v1/orders/:orderNumber`: at least one of them. */
export const ZEditOrderRequest = z
  .strictObject({ amount: ZAmount.optional(), paymentMethod: z.enum(PAYMENT_METHODS).optional() })
  .refine((b) => b.amount !== undefined || b.paymentMethod !== undefined, { path: ['amount'], message: 'give amount, paymentMethod, or both' });

/** `POST /v1/orders/:orderNumber/payment-method`. */
export const ZChoosePaymentMethodRequest = z.strictObject({ paymentMethod: z.enum(PAYMENT_METHODS) });

/** The text fields beside the slip file: a new amount with a re-upload after Payment Failure. */
export const ZSlipFormFields = z.strictObject({
  amount: z.string().regex(/^\d{1,15}$/, 'must be a whole number of rupiah').transform(Number).pipe(ZAmount).optional(),
});

/** `POST /v1/orders/:orderNumber/approve`. */
export const ZApproveRequest = z.strictObject({ checkResult: z.string().trim().max(MAX_NOTE_LENGTH).optional() });

/** `POST /v1/orders/:orderNumber/reject`. */
export const ZRejectRequest = z.strictObject({ reason: z.string().trim().min(1, 'is required').max(MAX_NOTE_LENGTH) });
