import type { Pool } from 'pg';

/**
 * Allocates a unique 13-digit order number: '1' + YYMMDD (the day in `timeZone`) + a 6-digit daily sequence.
 * The counter row is incremented atomically, so concurrent API processes never hand out the same number.
 */
export async function allocateOrderNumber(pool: Pool, now: Date, timeZone = 'Asia/Jakarta'): Promise<string> {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = `${get('year')}-${get('month')}-${get('day')}`;
  const res = await pool.query<{ last: number }>(
    `INSERT INTO order_number_counters (day, last) VALUES ($1, 1)
     ON CONFLICT (day) DO UPDATE SET last = order_number_counters.last + 1
     RETURNING last`,
    [day],
  );
  const seq = res.rows[0]?.last;
  if (seq === undefined) throw new Error('order number counter returned no row');
  return `1${day.slice(2).replace(/-/g, '')}${String(seq).padStart(6, '0')}`;
}
