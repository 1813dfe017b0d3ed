/**
 * When a sales invoice expires: 23:59:59 of the day after it was issued, in the account's time zone
 * (seed 001: "valid until n+1 at 23.59"). Pure and deterministic: the workflow computes it from workflow time.
 */
import { instantOf, wallClock } from '../shared/local-time';

/** The expiry instant (epoch ms) of an invoice issued at `issuedAtMs`: 23:59:59 local, the next day. */
export function invoiceExpiresAt(issuedAtMs: number, timeZone: string): number {
  const issued = wallClock(issuedAtMs, timeZone);
  const nextDay = new Date(Date.UTC(issued.year, issued.month - 1, issued.day + 1));
  const local = { year: nextDay.getUTCFullYear(), month: nextDay.getUTCMonth() + 1, day: nextDay.getUTCDate() };
  return instantOf(local, 23, 59, 59, timeZone);
}
