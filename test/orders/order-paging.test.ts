/**
 * Paging the order list (db/orders/order-list.ts): by cursor forward and back it walks exactly the orders of the
 * page-number paging, ties on the creation time included, with no order twice and none missed; past 10,000 matches
 * the total is an estimate and the answer says so; a cursor or page the API cannot take is refused naming it.
 */
import { ZListOrdersQuery } from '../../api/orders/schemas';
import { recordBankTransferOrder } from '../../db/orders/read-model';
import { ESTIMATE_REUSE_MS, EXACT_COUNT_LIMIT, listOrders, decodeOrderCursor, type OrderListFilter, type OrderPage } from '../../db/orders/order-list';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount, unpaidOrderView, type TestAccount } from '../helpers/fixtures';
import { countingQueries } from '../helpers/query-count';

let db: TestDatabase;
let account: TestAccount;

beforeAll(async () => {
  db = await createTestDatabase();
  account = await createTestAccount(db.pool);
  // 53 orders; every third shares its creation time with the one before (ties broken by the order number).
  for (let i = 0; i < 53; i += 1) {
    const at = new Date(Date.UTC(2026, 4, 1) + (i - (i % 3 === 2 ? 1 : 0)) * 60_000 + 0.123).toISOString();
    await recordBankTransferOrder(db.pool, unpaidOrderView(`12605010${String(i).padStart(5, '0')}`, account, at));
  }
});

afterAll(async () => {
  await db.drop();
});

const numbers = (page: OrderPage) => page.items.map((o) => o.orderNumber);
const filter = (more: Partial<OrderListFilter> = {}): OrderListFilter => ({ accountId: account.accountId, page: 1, pageSize: 10, sort: 'newest', ...more });

test('When the list is walked by nextCursor and back by prevCursor, then it meets every order once, in the page-number order', async () => {
  const all = numbers(await listOrders(db.pool, filter({ pageSize: 100 })));
  expect(all).toHaveLength(53);
  const byNumber: string[][] = [];
  for (let p = 1; p <= 6; p += 1) byNumber.push(numbers(await listOrders(db.pool, filter({ page: p }))));

  const forward: OrderPage[] = [await listOrders(db.pool, filter())];
  expect(forward[0]!.prevCursor).toBeNull();
  while (forward[forward.length - 1]!.nextCursor) {
    forward.push(await listOrders(db.pool, filter({ cursor: decodeOrderCursor(forward[forward.length - 1]!.nextCursor!)! })));
  }
  expect(forward.map(numbers)).toEqual(byNumber);
  expect(forward.flatMap(numbers)).toEqual(all);
  expect(forward.map((p) => p.page)).toEqual([1, null, null, null, null, null]);

  const back: OrderPage[] = [forward[forward.length - 1]!];
  while (back[back.length - 1]!.prevCursor) back.push(await listOrders(db.pool, filter({ cursor: decodeOrderCursor(back[back.length - 1]!.prevCursor!)! })));
  expect(back.map(numbers).reverse()).toEqual(byNumber);
  // Back at the first page: nothing before it, the second after it.
  expect(back[back.length - 1]!.prevCursor).toBeNull();
  expect(numbers(await listOrders(db.pool, filter({ cursor: decodeOrderCursor(back[back.length - 1]!.nextCursor!)! })))).toEqual(byNumber[1]);
});

test('When a page is asked for by number, then its cursors lead to the pages around it', async () => {
  const third = await listOrders(db.pool, filter({ page: 3 }));
  const [second, fourth] = await Promise.all([
    listOrders(db.pool, filter({ cursor: decodeOrderCursor(third.prevCursor!)! })),
    listOrders(db.pool, filter({ cursor: decodeOrderCursor(third.nextCursor!)! })),
  ]);
  expect(numbers(second)).toEqual(numbers(await listOrders(db.pool, filter({ page: 2 }))));
  expect(numbers(fourth)).toEqual(numbers(await listOrders(db.pool, filter({ page: 4 }))));
  expect(third.total).toBe(53);
  expect(third.totalEstimated).toBe(false);
});

test(`When more than ${EXACT_COUNT_LIMIT.toLocaleString('en')} orders match, then the total is an estimate and says so; fewer are counted exactly`, async () => {
  const big = await createTestAccount(db.pool);
  await db.pool.query(
    `INSERT INTO orders (order_number, account_id, created_by, wallet, currency, amount, payment_method, status, revision, view, created_at)
     SELECT n, $1, $2, 'credit', 'IDR', 100000, 'bank_transfer', CASE WHEN g % 100 = 0 THEN 'paid' ELSE 'unpaid' END, 1,
            jsonb_build_object('orderNumber', n, 'accountId', $1::text, 'status', CASE WHEN g % 100 = 0 THEN 'paid' ELSE 'unpaid' END),
            now() - g * interval '1 minute'
       FROM generate_series(1, $3::int) AS g, LATERAL (SELECT '1270101' || lpad(g::text, 6, '0') AS n) x`,
    [big.accountId, big.ownerId, EXACT_COUNT_LIMIT + 500],
  );
  await db.pool.query('ANALYZE orders');
  const every = await listOrders(db.pool, filter({ accountId: big.accountId, pageSize: 20 }));
  expect(every.totalEstimated).toBe(true);
  expect(every.total).toBeGreaterThan(EXACT_COUNT_LIMIT);
  expect(every.items).toHaveLength(20);
  const paid = await listOrders(db.pool, filter({ accountId: big.accountId, status: 'paid' }));
  expect({ total: paid.total, totalEstimated: paid.totalEstimated }).toEqual({ total: (EXACT_COUNT_LIMIT + 500) / 100, totalEstimated: false });
});

test('When a long list is paged, then its estimated total is reused for 5 s without counting again; an exact total is counted every time', async () => {
  const big = await createTestAccount(db.pool);
  await db.pool.query(
    `INSERT INTO orders (order_number, account_id, created_by, wallet, currency, amount, payment_method, status, revision, view, created_at)
     SELECT n, $1, $2, 'credit', 'IDR', 100000, 'bank_transfer', 'unpaid', 1, jsonb_build_object('orderNumber', n, 'accountId', $1::text, 'status', 'unpaid'),
            now() - g * interval '1 minute'
       FROM generate_series(1, $3::int) AS g, LATERAL (SELECT '1270201' || lpad(g::text, 6, '0') AS n) x`,
    [big.accountId, big.ownerId, EXACT_COUNT_LIMIT + 10],
  );
  let clock = 1_000_000;
  const queriesOf = async (f: Partial<OrderListFilter>) => {
    const { result: page, queries } = await countingQueries(db.pool, () => listOrders(db.pool, filter({ accountId: big.accountId, ...f }), () => clock));
    return { queries, total: page.total, totalEstimated: page.totalEstimated };
  };
  // The page, the bounded count, the estimate; then the page alone.
  const first = await queriesOf({});
  expect(first).toMatchObject({ queries: 3, totalEstimated: true });
  clock += ESTIMATE_REUSE_MS - 1;
  expect(await queriesOf({ page: 2 })).toEqual({ ...first, queries: 1 });
  clock += 1;
  expect(await queriesOf({ page: 3 })).toEqual(first);
  // Another filter is another total; an exact one is counted each time and shows a new order at once.
  expect(await queriesOf({ status: 'paid' })).toEqual({ queries: 2, total: 0, totalEstimated: false });
  await db.pool.query(`UPDATE orders SET status = 'paid' WHERE order_number = '1270201000001'`);
  expect(await queriesOf({ status: 'paid' })).toEqual({ queries: 2, total: 1, totalEstimated: false });
});

test('When the cursor is not one the list made, or comes with a page number, then the query is refused naming the field', () => {
  const problems = (query: Record<string, string>) => {
    const parsed = ZListOrdersQuery.safeParse(query);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  expect(problems({ cursor: 'not-a-cursor' })).toEqual(['cursor: must be a nextCursor or prevCursor this list answered']);
  expect(problems({ cursor: Buffer.from('a:1:123').toString('base64url') })).toEqual(['cursor: must be a nextCursor or prevCursor this list answered']);
  const good = Buffer.from('a:1777593600000000:1260501000001').toString('base64url');
  expect(problems({ cursor: good })).toEqual([]);
  expect(problems({ cursor: good, page: '3' })).toEqual(['page: must not be given with cursor']);
});
