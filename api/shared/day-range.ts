/** Plain days (YYYY-MM-DD) as filters: a date range whose end is not before its start. */
import { z } from 'zod';

/** A calendar day, in the account's time zone where it filters. */
export const ZDay = z.iso.date('must be an ISO date (YYYY-MM-DD)');

/** `schema` with its `to` checked not to be before its `from`. */
export function ZDayRange<T extends z.ZodType<{ from?: string | undefined; to?: string | undefined }>>(schema: T) {
  return schema.refine((q) => !q.from || !q.to || q.to >= q.from, { path: ['to'], message: 'must not be before from' });
}
