/**
 * Subscription billing periods (seed 002, DOMAIN.md "Deposit and auto-pay"): a cycle of 1, 2, 3, 6 or 12
 * months from a start date, months counted on the wall calendar of the account's time zone with the start's
 * day kept where the month has it (31 Jan → 28 Feb → 31 Mar). The invoice renewing the service for the next
 * period is issued 7 days before the current period ends, at local midnight, and is due when it ends.
 * Pure and deterministic: the billing workflow computes every date from these.
 */
import { instantOf, type LocalDate } from '../shared/local-time';

/** Billing cycles a subscription may have, in months. */
export const BILLING_CYCLES = [1, 2, 3, 6, 12] as const;
export type BillingCycle = (typeof BILLING_CYCLES)[number];

/** A `YYYY-MM-DD` date as its parts (throws on anything else). */
export function parseLocalDate(text: string): LocalDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const date = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !date || date.getUTCDate() !== Number(m[3])) throw new RangeError(`"${text}" is not a calendar date (YYYY-MM-DD)`);
  return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
}

/** `YYYY-MM-DD` of a date. */
export function formatLocalDate(d: LocalDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** `start` plus `months`, keeping its day of the month, or the month's last day where it is shorter. */
export function addMonths(start: LocalDate, months: number): LocalDate {
  const firstOfMonth = new Date(Date.UTC(start.year, start.month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(firstOfMonth.getUTCFullYear(), firstOfMonth.getUTCMonth() + 1, 0)).getUTCDate();
  return { year: firstOfMonth.getUTCFullYear(), month: firstOfMonth.getUTCMonth() + 1, day: Math.min(start.day, lastDay) };
}

/** `d` plus `days` calendar days. */
export function addDays(d: LocalDate, days: number): LocalDate {
  const date = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** One billing period `index` (0 = the first) and the invoice that renews the service after it. */
export interface BillingPeriod {
  index: number;
  /** First day of the period, local. */
  start: string;
  /** First day after the period, local: when the next period begins and this period's renewal is due. */
  end: string;
  /** When the renewal invoice is issued: local midnight `leadDays` before `end` (epoch ms). */
  invoiceAt: number;
  /** When the renewal invoice is due: local midnight of `end` (epoch ms). */
  dueAt: number;
}

/** Period `index` of a subscription starting on `startDate` with `cycleMonths`, in `timeZone`. */
export function billingPeriod(startDate: string, cycleMonths: number, index: number, timeZone: string, leadDays = 7): BillingPeriod {
  const anchor = parseLocalDate(startDate);
  const start = addMonths(anchor, index * cycleMonths);
  const end = addMonths(anchor, (index + 1) * cycleMonths);
  return {
    index,
    start: formatLocalDate(start),
    end: formatLocalDate(end),
    invoiceAt: instantOf(addDays(end, -leadDays), 0, 0, 0, timeZone),
    dueAt: instantOf(end, 0, 0, 0, timeZone),
  };
}
