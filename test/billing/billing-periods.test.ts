/** Billing periods and renewal invoice dates (seed 002): calendar months in the account's time zone. */
import fc from 'fast-check';
import { addMonths, billingPeriod, parseLocalDate } from '../../workflows/billing/periods';

const iso = (ms: number) => new Date(ms).toISOString();

test('When a monthly subscription starts on 31 January, then its periods end on the 31st or the month\'s last day', () => {
  const ends = Array.from({ length: 12 }, (_, k) => billingPeriod('2027-01-31', 1, k, 'Asia/Jakarta').end);
  expect(ends).toEqual(['2027-02-28', '2027-03-31', '2027-04-30', '2027-05-31', '2027-06-30', '2027-07-31', '2027-08-31', '2027-09-30', '2027-10-31', '2027-11-30', '2027-12-31', '2028-01-31']);
});

test('When a period ends, then its renewal invoice is issued at local midnight 7 days before and due at local midnight of the end', () => {
  const p = billingPeriod('2027-01-31', 1, 0, 'Asia/Jakarta');
  // 21 Feb 2027 00:00 WIB is 20 Feb 17:00 UTC; 28 Feb 00:00 WIB is 27 Feb 17:00 UTC.
  expect([iso(p.invoiceAt), iso(p.dueAt)]).toEqual(['2027-02-20T17:00:00.000Z', '2027-02-27T17:00:00.000Z']);
  const quarterly = billingPeriod('2026-12-15', 3, 1, 'Asia/Jayapura');
  expect([quarterly.start, quarterly.end, iso(quarterly.invoiceAt)]).toEqual(['2027-03-15', '2027-06-15', '2027-06-07T15:00:00.000Z']);
});

test('When any start date and cycle are given, then every period follows the previous one and the invoice comes exactly 7 local days before its end', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2090-12-31'), noInvalidDate: true }), fc.constantFrom(1, 2, 3, 6, 12), fc.integer({ min: 0, max: 40 }), (date, cycle, k) => {
      const start = date.toISOString().slice(0, 10);
      const p = billingPeriod(start, cycle, k, 'Asia/Jakarta');
      const next = billingPeriod(start, cycle, k + 1, 'Asia/Jakarta');
      return next.start === p.end && p.dueAt - p.invoiceAt === 7 * 86_400_000 && p.start < p.end;
    }),
  );
});

test('When a date is not a calendar date, then it is refused naming it', () => {
  expect(() => parseLocalDate('2027-02-30')).toThrow('"2027-02-30" is not a calendar date (YYYY-MM-DD)');
  expect(addMonths(parseLocalDate('2028-01-31'), 1)).toEqual({ year: 2028, month: 2, day: 29 });
});
