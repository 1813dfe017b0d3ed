/** Invoice expiry (seed 001: valid until 23:59 of the next day), in the account's time zone. */
import fc from 'fast-check';
import { invoiceExpiresAt } from '../../workflows/online/invoice-expiry';
import { assertTimeZone } from '../../workflows/shared/local-time';

const iso = (ms: number) => new Date(ms).toISOString();

test('When an invoice is issued at 10:00 in Jakarta, then it expires at 23:59:59 Jakarta time the next day', () => {
  // 10:00 WIB on 24 Nov 2026 is 03:00 UTC; 23:59:59 WIB on 25 Nov is 16:59:59 UTC.
  expect(iso(invoiceExpiresAt(Date.parse('2026-11-24T03:00:00Z'), 'Asia/Jakarta'))).toBe('2026-11-25T16:59:59.000Z');
});

test('When an invoice is issued at 23:58 local, then it still has the whole next day', () => {
  expect(iso(invoiceExpiresAt(Date.parse('2026-11-24T16:58:00Z'), 'Asia/Jakarta'))).toBe('2026-11-25T16:59:59.000Z');
});

test('When an invoice is issued on the last day of a month or year, then it expires on the first of the next', () => {
  expect(iso(invoiceExpiresAt(Date.parse('2026-11-30T05:00:00Z'), 'Asia/Jakarta'))).toBe('2026-12-01T16:59:59.000Z');
  expect(iso(invoiceExpiresAt(Date.parse('2026-12-31T12:00:00Z'), 'Asia/Jakarta'))).toBe('2027-01-01T16:59:59.000Z');
  expect(iso(invoiceExpiresAt(Date.parse('2028-02-28T12:00:00Z'), 'Asia/Jakarta'))).toBe('2028-02-29T16:59:59.000Z');
});

test('When the UTC date differs from the local date, then the local date counts', () => {
  // 01:00 WIB on 25 Nov is still 24 Nov in UTC.
  expect(iso(invoiceExpiresAt(Date.parse('2026-11-24T18:00:00Z'), 'Asia/Jakarta'))).toBe('2026-11-26T16:59:59.000Z');
  expect(iso(invoiceExpiresAt(Date.parse('2026-11-24T03:00:00Z'), 'Asia/Makassar'))).toBe('2026-11-25T15:59:59.000Z');
});

test('When a zone changes its clocks, then the expiry is still 23:59:59 on its wall clock', () => {
  // Europe/Berlin leaves summer time on 25 Oct 2026: 23:59:59 CET that night is 22:59:59 UTC.
  expect(iso(invoiceExpiresAt(Date.parse('2026-10-24T08:00:00Z'), 'Europe/Berlin'))).toBe('2026-10-25T22:59:59.000Z');
});

test('When any instant is the issue time, then the expiry is between 24 h and 48 h later and ends a local day', () => {
  fc.assert(
    fc.property(fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') }), (issued) => {
      const expires = invoiceExpiresAt(issued, 'Asia/Jakarta');
      const local = new Date(expires + 7 * 3_600_000);
      return expires - issued > 24 * 3_600_000 - 1000 && expires - issued < 48 * 3_600_000 && local.getUTCHours() === 23 && local.getUTCMinutes() === 59 && local.getUTCSeconds() === 59;
    }),
  );
});

test('When the time zone is unknown, then it is refused naming it', () => {
  expect(() => assertTimeZone('Mars/Olympus')).toThrow('timeZone: "Mars/Olympus" is not a known IANA time zone');
  expect(() => assertTimeZone('Asia/Jakarta')).not.toThrow();
});
