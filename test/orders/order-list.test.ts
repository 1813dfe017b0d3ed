/**
 * The order list's date filter: a plain date is the day in the account's time zone, also for the stored
 * creation day (`created_on`, migration 009) that the list's indexes use.
 */
import { recordBankTransferOrder } from '../../db/orders/read-model';
import { listOrders } from '../../db/orders/order-list';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount, unpaidOrderView, type TestAccount } from '../helpers/fixtures';

let db: TestDatabase;
let newYork: TestAccount;
let jakarta: TestAccount;

beforeAll(async () => {
  db = await createTestDatabase();
  [newYork, jakarta] = await Promise.all([createTestAccount(db.pool), createTestAccount(db.pool)]);
  await db.pool.query(`UPDATE accounts SET time_zone = 'America/New_York' WHERE id = $1`, [newYork.accountId]);
});

afterAll(async () => {
  await db.drop();
});

const order = (orderNumber: string, account: TestAccount, createdAt: string) => unpaidOrderView(orderNumber, account, createdAt);

const numbers = (items: Array<{ orderNumber: string }>) => items.map((o) => o.orderNumber);

test('When orders are created around midnight UTC, then a plain date lists them by the day in their account time zone', async () => {
  // 2026-05-01T02:00Z is 30 April 22:00 in New York and 1 May 09:00 in Jakarta.
  await recordBankTransferOrder(db.pool, order('1260430000001', newYork, '2026-05-01T02:00:00.000Z'));
  await recordBankTransferOrder(db.pool, order('1260501000001', jakarta, '2026-05-01T02:00:00.000Z'));
  // 2026-04-30T18:00Z is 30 April 14:00 in New York and 1 May 01:00 in Jakarta.
  await recordBankTransferOrder(db.pool, order('1260501000002', jakarta, '2026-04-30T18:00:00.000Z'));

  const list = (from: string, to: string) => listOrders(db.pool, { accountId: undefined, from, to, page: 1, pageSize: 20, sort: 'newest' });
  const april30 = await list('2026-04-30', '2026-04-30');
  const may1 = await list('2026-05-01', '2026-05-01');
  expect(numbers(april30.items)).toEqual(['1260430000001']);
  expect(april30.total).toBe(1);
  expect(numbers(may1.items)).toEqual(['1260501000001', '1260501000002']);
  expect(may1.total).toBe(2);

  const stored = await db.pool.query<{ order_number: string; created_on: string }>(
    `SELECT order_number, to_char(created_on, 'YYYY-MM-DD') AS created_on FROM orders WHERE account_id = ANY($1) ORDER BY order_number`,
    [[newYork.accountId, jakarta.accountId]],
  );
  expect(stored.rows).toEqual([
    { order_number: '1260430000001', created_on: '2026-04-30' },
    { order_number: '1260501000001', created_on: '2026-05-01' },
    { order_number: '1260501000002', created_on: '2026-05-01' },
  ]);
});
