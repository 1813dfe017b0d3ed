/**
 * Order numbers: 13 digits, '1' + YYMMDD (the day in `timeZone`) + 6 digits that are unique in the day but say
 * nothing about how many orders came before. The day's counter is incremented atomically in PostgreSQL, so
 * concurrent API processes never draw the same value; the value is then put through a keyed permutation of
 * 000000..999999 (a Feistel network), which maps distinct counters to distinct digits. The key lives in the
 * database (db/migrations/013_order_number_key.sql), so only someone who can read the database can undo it.
 */
import { createHmac } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

/** The 6 digits after the date: 1,000 × 1,000 values, the two halves of the Feistel network. */
const HALF = 1_000;
/** Feistel rounds; 8 with a pseudo-random round function is well past what mixing two halves needs. */
const ROUNDS = 8;

/** The permutation of one day's 0..999,999 under `key`: a bijection, different for every day. */
export function dailyPermutation(key: Buffer, day: string): (counter: number) => number {
  // Each round's function of the right half, tabulated once: 8,000 HMACs, then a permutation is 8 look-ups.
  const table = new Uint16Array(ROUNDS * HALF);
  for (let round = 0; round < ROUNDS; round += 1) {
    for (let right = 0; right < HALF; right += 1) {
      table[round * HALF + right] = createHmac('sha256', key).update(`${day}/${round}/${right}`).digest().readUInt32BE(0) % HALF;
    }
  }
  return (counter) => {
    if (!Number.isInteger(counter) || counter < 0 || counter >= HALF * HALF) throw new RangeError(`an order counter is 0 to 999999, not ${counter}`);
    let left = Math.floor(counter / HALF);
    let right = counter % HALF;
    for (let round = 0; round < ROUNDS; round += 1) {
      // (L, R) → (R, L + F(R) mod 1000): undone by L = R' − F(L') mod 1000, so the map is one to one.
      [left, right] = [right, (left + table[round * HALF + right]!) % HALF];
    }
    return left * HALF + right;
  };
}

/** The last permutation made, reused while the day (and the key) stay the same. */
let cached: { id: string; permute: (counter: number) => number } | undefined;

function permutationFor(key: Buffer, day: string): (counter: number) => number {
  const id = `${key.toString('hex')}/${day}`;
  if (cached?.id !== id) cached = { id, permute: dailyPermutation(key, day) };
  return cached.permute;
}

/** The day of `now` in `timeZone`, as YYYY-MM-DD. */
function dayIn(now: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Allocates a unique 13-digit order number for the day of `now` (see the module comment). */
export async function allocateOrderNumber(pool: Pool | PoolClient, now: Date, timeZone = 'Asia/Jakarta'): Promise<string> {
  const day = dayIn(now, timeZone);
  const res = await pool.query<{ last: number; permuted: boolean; key: Buffer }>(
    `WITH counter AS (
       INSERT INTO order_number_counters (day, last) VALUES ($1, 1)
       ON CONFLICT (day) DO UPDATE SET last = order_number_counters.last + 1
       RETURNING last, permuted)
     SELECT counter.last, counter.permuted, k.key FROM counter CROSS JOIN order_number_key k`,
    [day],
  );
  const row = res.rows[0];
  if (!row) throw new Error('order number counter returned no row');
  const digits = row.permuted ? permutationFor(row.key, day)(row.last) : row.last;
  return `1${day.slice(2).replace(/-/g, '')}${String(digits).padStart(6, '0')}`;
}
