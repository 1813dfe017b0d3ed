/**
 * Order numbers keep their 13 digits and their date, are unique across API processes, and no longer count
 * (issue 15, item 7): two of them say nothing about how many orders came between them.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { allocateOrderNumber, dailyPermutation } from '../../db/orders/order-numbers';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/** The 6 digits after '1' + YYMMDD. */
const suffix = (orderNumber: string) => Number(orderNumber.slice(7));

test('When four API processes allocate 400 numbers at once on one day, then all are distinct, 13 digits, and carry the date', async () => {
  // Each process has its own pool, as separate API processes would.
  const pools = Array.from({ length: 4 }, () => new Pool({ connectionString: db.url, max: 5 }));
  try {
    const now = new Date('2026-11-24T05:00:00Z'); // 12:00 in Jakarta
    const numbers = await Promise.all(Array.from({ length: 400 }, (_, i) => allocateOrderNumber(pools[i % 4]!, now)));
    expect(new Set(numbers).size).toBe(400);
    for (const n of numbers) expect(n).toMatch(/^1261124\d{6}$/);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
});

test('When numbers are allocated one after another, then they do not count: consecutive ones are not adjacent and their order is not the order of allocation', async () => {
  const now = new Date('2026-11-25T05:00:00Z');
  const numbers: string[] = [];
  for (let i = 0; i < 100; i += 1) numbers.push(await allocateOrderNumber(db.pool, now));
  const digits = numbers.map(suffix);
  const steps = digits.slice(1).map((d, i) => d - digits[i]!);
  // Counting would give 99 steps of +1; a random-looking permutation gives one with a chance of 1 in 500,000.
  expect(steps.filter((s) => s === 1).length).toBeLessThanOrEqual(1);
  expect([...digits].sort((a, b) => a - b)).not.toEqual(digits);
  // Spread over the day's range, not bunched after the first one (a chance of about 1e-28 to fail).
  expect(Math.max(...digits) - Math.min(...digits)).toBeGreaterThan(500_000);
  expect(numbers.every((n) => n.startsWith('1261125'))).toBe(true);
});

test('When a day already handed out sequential numbers before the change, then it goes on counting until it ends, so no number comes twice', async () => {
  await db.pool.query(`INSERT INTO order_number_counters (day, last, permuted) VALUES ('2026-11-26', 41, false)`);
  const now = new Date('2026-11-26T05:00:00Z');
  expect([await allocateOrderNumber(db.pool, now), await allocateOrderNumber(db.pool, now)]).toEqual(['1261126000042', '1261126000043']);
});

test("When a day's permutation runs over every counter, then it is one to one onto 000000..999999, and another day's differs", () => {
  const key = randomBytes(32);
  const permute = dailyPermutation(key, '2026-11-24');
  const seen = new Uint8Array(1_000_000);
  let repeatedOrOutside = 0;
  for (let counter = 0; counter < 1_000_000; counter += 1) {
    const value = permute(counter);
    if (!(Number.isInteger(value) && value >= 0 && value < 1_000_000) || seen[value] === 1) repeatedOrOutside += 1;
    else seen[value] = 1;
  }
  expect(repeatedOrOutside).toBe(0);
  const nextDay = dailyPermutation(key, '2026-11-25');
  const firstTen = Array.from({ length: 10 }, (_, i) => i + 1);
  expect(firstTen.map(nextDay)).not.toEqual(firstTen.map(permute));
  expect(firstTen.map(dailyPermutation(randomBytes(32), '2026-11-24'))).not.toEqual(firstTen.map(permute));
  expect(() => permute(1_000_000)).toThrow('an order counter is 0 to 999999, not 1000000');
});
