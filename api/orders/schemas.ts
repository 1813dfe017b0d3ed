/** Request schemas of the routes both kinds of order share, and of the review queue; the types beside them are inferred. */
import { z } from 'zod';
import { decodeOrderCursor } from '../../db/orders/order-list';
import { ORDER_STATUSES } from '../../workflows/definitions';

/** An order number in a path. */
export const ZOrderNumber = z.string().regex(/^\d{13}$/, 'must be 13 digits');

const MAX_NOTE_LENGTH = 500;
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
    cursor: z
      .string()
      .transform((text, ctx) => {
        const cursor = decodeOrderCursor(text);
        if (!cursor) ctx.addIssue({ code: 'custom', message: 'must be a nextCursor or prevCursor this list answered' });
        return cursor ?? z.NEVER;
      })
      .optional()
      .describe('a nextCursor or prevCursor of an earlier answer: the page after (or before) it, read at any depth as fast as the first'),
  })
  .refine((q) => !q.from || !q.to || !isBefore(q.to, q.from), { path: ['to'], message: 'must not be before from' })
  .refine((q) => q.cursor === undefined || q.page === 1, { path: ['page'], message: 'must not be given with cursor' });
export type TListOrdersQuery = z.infer<typeof ZListOrdersQuery>;

/** `GET /v1/review/orders`. */
export const ZReviewQueueQuery = z.strictObject({ ...ZPaging.shape, accountId: z.string().min(1).max(100).optional() });

/** `POST /v1/orders/:orderNumber/approve`. */
export const ZApproveRequest = z.strictObject({ checkResult: z.string().trim().max(MAX_NOTE_LENGTH).optional() });

/** `POST /v1/orders/:orderNumber/reject`. */
export const ZRejectRequest = z.strictObject({ reason: z.string().trim().min(1, 'is required').max(MAX_NOTE_LENGTH) });
