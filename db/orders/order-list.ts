/**
 * Order lists from the read model: a customer's orders newest first with filters, and finance's review
 * queue (Dealing and Paid late, oldest submission first). A plain date filters by the day in the order's account
 * time zone (the day the order was created there, stored as `created_on`).
 */
import type { Pool } from 'pg';
import type { AnyOrderView, OrderStatus } from '../../workflows/definitions';

/** What to list. `accountId` undefined lists every account (provider staff only). */
export interface OrderListFilter {
  accountId: string | undefined;
  /** One status, or any of several. */
  status?: OrderStatus | OrderStatus[];
  /** ISO date (the whole day, inclusive) or date-time. */
  from?: string;
  to?: string;
  orderNumberPrefix?: string;
  page: number;
  pageSize: number;
  sort: 'newest' | 'oldest-submission';
}

/** One page of orders and how many match in all. */
export interface OrderPage {
  items: AnyOrderView[];
  page: number;
  pageSize: number;
  total: number;
}

const isPlainDate = (s: string) => s.length === 10;

/**
 * A plain date compares with `created_on`, the order's creation day in its account's time zone (migration 009).
 * With `createdAtBounds`, a `created_at` bound is added beside it: implied (no zone is a day or more off UTC), it
 * lets the page's scan in `created_at` order start and stop at the range. The count goes without it: the planner
 * would take the two ranges for independent and leave the index-only scan of (status, created_on).
 */
function whereClause(filter: OrderListFilter, createdAtBounds: boolean): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const add = (value: unknown, condition: (param: string) => string) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (filter.accountId !== undefined) add(filter.accountId, (p) => `o.account_id = ${p}`);
  if (filter.status) add([filter.status].flat(), (p) => `o.status = ANY(${p})`);
  if (filter.orderNumberPrefix) add(`${filter.orderNumberPrefix}%`, (p) => `o.order_number LIKE ${p}`);
  if (filter.from) {
    const from = filter.from;
    const bound = (p: string) => (createdAtBounds ? ` AND o.created_at >= ((${p}::date - 1)::timestamp AT TIME ZONE 'UTC')` : '');
    add(from, (p) => (isPlainDate(from) ? `o.created_on >= ${p}::date${bound(p)}` : `o.created_at >= ${p}::timestamptz`));
  }
  if (filter.to) {
    const to = filter.to;
    const bound = (p: string) => (createdAtBounds ? ` AND o.created_at < ((${p}::date + 2)::timestamp AT TIME ZONE 'UTC')` : '');
    add(to, (p) => (isPlainDate(to) ? `o.created_on <= ${p}::date${bound(p)}` : `o.created_at <= ${p}::timestamptz`));
  }
  return { sql: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** Lists one page of orders matching `filter`. */
export async function listOrders(pool: Pool, filter: OrderListFilter): Promise<OrderPage> {
  const { sql, params } = whereClause(filter, true);
  const counted = whereClause(filter, false);
  const from = 'FROM orders o';
  const orderBy = filter.sort === 'newest' ? 'o.created_at DESC, o.order_number DESC' : 'o.submitted_at ASC, o.order_number ASC';
  const [rows, count] = await Promise.all([
    pool.query<{ view: AnyOrderView }>(`SELECT o.view ${from} ${sql} ORDER BY ${orderBy} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
      ...params,
      filter.pageSize,
      (filter.page - 1) * filter.pageSize,
    ]),
    pool.query<{ total: string }>(`SELECT count(*) AS total ${from} ${counted.sql}`, counted.params),
  ]);
  return { items: rows.rows.map((r) => r.view), page: filter.page, pageSize: filter.pageSize, total: Number(count.rows[0]?.total ?? 0) };
}
