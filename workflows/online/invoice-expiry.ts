/**
 * When a sales invoice expires: 23:59:59 of the day after it was issued, in the account's time zone
 * (seed 001: "valid until n+1 at 23.59"). Pure and deterministic: the workflow computes it from workflow time.
 */

/** A calendar date on a wall clock. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock fields of `instantMs` in `timeZone`. */
function wallClock(instantMs: number, timeZone: string): LocalDate & { hour: number; minute: number; second: number } {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

/** Offset of `timeZone` from UTC at `instantMs`, in milliseconds (Asia/Jakarta: +7 h). */
function offsetMs(instantMs: number, timeZone: string): number {
  const w = wallClock(instantMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The instant at which the wall clock of `timeZone` reads `local` at hh:mm:ss. */
export function instantOf(local: LocalDate, hour: number, minute: number, second: number, timeZone: string): number {
  const wall = Date.UTC(local.year, local.month - 1, local.day, hour, minute, second);
  // Two rounds settle a guess that lands on the other side of a daylight-saving change.
  let guess = wall - offsetMs(wall, timeZone);
  guess = wall - offsetMs(guess, timeZone);
  return guess;
}

/** Throws unless `timeZone` is an IANA zone this runtime knows. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new RangeError(`timeZone: "${timeZone}" is not a known IANA time zone`);
  }
}

/** The expiry instant (epoch ms) of an invoice issued at `issuedAtMs`: 23:59:59 local, the next day. */
export function invoiceExpiresAt(issuedAtMs: number, timeZone: string): number {
  const issued = wallClock(issuedAtMs, timeZone);
  const nextDay = new Date(Date.UTC(issued.year, issued.month - 1, issued.day + 1));
  const local = { year: nextDay.getUTCFullYear(), month: nextDay.getUTCMonth() + 1, day: nextDay.getUTCDate() };
  return instantOf(local, 23, 59, 59, timeZone);
}
