/**
 * Order lists from the read model: a customer's orders newest first with filters, and finance's review
 * queue (Dealing and Paid late, oldest submission first). A plain date filters by the day in the order's account
 * time zone (the day the order was created there, stored as `created_on`).
 *
 * The newest-first list pages two ways: by page number (OFFSET: page 500 reads the 9,980 rows before it), or by
 * cursor (keyset: the rows after, or before, a given one in (created_at, order_number) order, read straight from the
 * index at any depth). Every page answers the cursors of its neighbours. The total is exact up to
 * {@link EXACT_COUNT_LIMIT}; past it, counting every match costs more than the page itself (finance's lists over all
 * accounts), so it is PostgreSQL's estimate of the filter's rows, and the answer says so. An estimate is reused for
 * the same filter for {@link ESTIMATE_REUSE_MS}: paging through a long list then costs the page alone.
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
  /** Newest first only: the page after (or before) the order this cursor names, instead of `page`. */
  cursor?: OrderCursor;
}

/** A position in the newest-first list: an order's creation time (µs since the epoch) and number, and a direction. */
export interface OrderCursor {
  direction: 'after' | 'before';
  createdAtMicros: number;
  orderNumber: string;
}

/** One page of orders and how many match in all. */
export interface OrderPage {
  items: AnyOrderView[];
  /** The page number; null for a page asked for by cursor. */
  page: number | null;
  pageSize: number;
  total: number;
  /** The total is PostgreSQL's estimate (more than EXACT_COUNT_LIMIT match). */
  totalEstimated: boolean;
  /** Newest first only: the cursor of the next (older) page and of the previous (newer) one; null at either end. */
  nextCursor: string | null;
  prevCursor: string | null;
}

/** Up to this many matches the total is counted; past it, estimated. */
export const EXACT_COUNT_LIMIT = 10_000;

/**
 * How long an estimated total answers the same filter again without counting. It is an estimate already, and the
 * bounded count that finds a filter past the limit reads 10,001 index entries, several times the page's own cost
 * (bench/api.ts). Exact totals are never reused: a customer's new order shows in the next page's total.
 */
export const ESTIMATE_REUSE_MS = 5_000;
/** Filters whose estimates one pool keeps at most (the oldest is dropped first). */
const ESTIMATES_KEPT = 500;

/** The cursor as the API carries it: opaque, URL-safe. */
export function encodeOrderCursor(cursor: OrderCursor): string {
  return Buffer.from(`${cursor.direction === 'after' ? 'a' : 'b'}:${cursor.createdAtMicros}:${cursor.orderNumber}`).toString('base64url');
}

/** The cursor a client sent back, or null when it is not one this list made. */
export function decodeOrderCursor(text: string): OrderCursor | null {
  const match = /^([ab]):(\d{1,16}):(\d{13})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match || !/^[A-Za-z0-9_-]{1,100}$/.test(text)) return null;
  const createdAtMicros = Number(match[2]);
  if (!Number.isSafeInteger(createdAtMicros)) return null;
  return { direction: match[1] === 'a' ? 'after' : 'before', createdAtMicros, orderNumber: match[3]! };
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
  // One status as an equality: then the (status, created_at, order_number) index also gives the list's order, so a
  // page (by cursor, at any depth) is read straight off it; `= ANY` of one value hides that from the planner.
  const statuses = filter.status === undefined ? [] : [filter.status].flat();
  if (statuses.length === 1) add(statuses[0], (p) => `o.status = ${p}`);
  else if (statuses.length > 1) add(statuses, (p) => `o.status = ANY(${p})`);
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

/** Lists one page of orders matching `filter`; `now` (ms) dates a reused estimate. */
export async function listOrders(pool: Pool, filter: OrderListFilter, now: () => number = Date.now): Promise<OrderPage> {
  const [page, counted] = await Promise.all([filter.sort === 'newest' ? newestPage(pool, filter) : oldestSubmissionPage(pool, filter), countOrders(pool, filter, now)]);
  return { ...page, pageSize: filter.pageSize, ...counted };
}

type Rows = Pick<OrderPage, 'items' | 'page' | 'nextCursor' | 'prevCursor'>;

/** The review queue's order: by page number only (it holds the orders waiting on finance, a short list). */
async function oldestSubmissionPage(pool: Pool, filter: OrderListFilter): Promise<Rows> {
  const { sql, params } = whereClause(filter, true);
  const rows = await pool.query<{ view: AnyOrderView }>(
    `SELECT o.view FROM orders o ${sql} ORDER BY o.submitted_at ASC, o.order_number ASC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, filter.pageSize, (filter.page - 1) * filter.pageSize],
  );
  return { items: rows.rows.map((r) => r.view), page: filter.page, nextCursor: null, prevCursor: null };
}

/**
 * Newest first, by page number or by cursor; one row more than the page is read to know whether there is a next
 * (or, going back, a previous) page. Creation times are compared in whole microseconds, as stored.
 */
async function newestPage(pool: Pool, filter: OrderListFilter): Promise<Rows> {
  const { sql, params } = whereClause(filter, true);
  const cursor = filter.cursor;
  const columns = `o.view, (extract(epoch FROM o.created_at) * 1000000)::bigint AS created_us`;
  const limit = filter.pageSize + 1;
  let query: string;
  if (!cursor) {
    // The cursor's time is worked out for the page's rows only, not for every row OFFSET skips.
    query =
      `SELECT p.view, (extract(epoch FROM p.created_at) * 1000000)::bigint AS created_us FROM (SELECT o.view, o.created_at, o.order_number FROM orders o ${sql} ` +
      `ORDER BY o.created_at DESC, o.order_number DESC LIMIT ${limit} OFFSET ${(filter.page - 1) * filter.pageSize}) p ORDER BY p.created_at DESC, p.order_number DESC`;
  } else {
    // The time as a parameter (not an expression of one), so the index scan can start at it rather than at the range's end.
    params.push(isoMicros(cursor.createdAtMicros), cursor.orderNumber);
    const at = `$${params.length - 1}::timestamptz`;
    const n = `$${params.length}`;
    const where = `${sql ? `${sql} AND` : 'WHERE'}`;
    // The plain bound is where the index scan starts; the rest settles ties on the time. Written out rather than as a
    // row comparison ((created_at, order_number) < (…)), with which PostgreSQL 18 began the scan at the date range's
    // end instead of at the cursor: 1,000 index pages read for page 5,000 at 1,000,000 orders.
    query =
      cursor.direction === 'after'
        ? `SELECT ${columns} FROM orders o ${where} o.created_at <= ${at} AND (o.created_at < ${at} OR o.order_number < ${n}) ORDER BY o.created_at DESC, o.order_number DESC LIMIT ${limit}`
        : `SELECT ${columns} FROM orders o ${where} o.created_at >= ${at} AND (o.created_at > ${at} OR o.order_number > ${n}) ORDER BY o.created_at ASC, o.order_number ASC LIMIT ${limit}`;
  }
  const res = await pool.query<{ view: AnyOrderView; created_us: number }>(query, params);
  const more = res.rows.length > filter.pageSize;
  const rows = res.rows.slice(0, filter.pageSize);
  if (cursor?.direction === 'before') rows.reverse();
  const at = (row: { view: AnyOrderView; created_us: number } | undefined, direction: OrderCursor['direction']) =>
    row ? encodeOrderCursor({ direction, createdAtMicros: row.created_us, orderNumber: row.view.orderNumber }) : null;
  // Older orders follow when this page was cut short going forward, or when it was reached going back.
  const hasNext = cursor?.direction === 'before' ? rows.length > 0 : more;
  // Newer orders precede when this is not the first page going forward, or when going back found more.
  const hasPrev = cursor ? (cursor.direction === 'after' ? rows.length > 0 : more) : filter.page > 1 && rows.length > 0;
  return {
    items: rows.map((r) => r.view),
    page: cursor ? null : filter.page,
    nextCursor: hasNext ? at(rows[rows.length - 1], 'after') : null,
    prevCursor: hasPrev ? at(rows[0], 'before') : null,
  };
}

/** Microseconds since the epoch as an ISO instant with all six decimals (a JS Date keeps three). */
function isoMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(micros - ms * 1000).padStart(3, '0')}Z`;
}

/** Estimated totals by filter (its WHERE clause and parameters), per pool, with when they were made. */
const estimates = new WeakMap<Pool, Map<string, { total: number; at: number }>>();

/**
 * The number of matches, counted up to EXACT_COUNT_LIMIT (one more row read tells that there are more); past it
 * the planner's estimate of the filter's rows (EXPLAIN, which runs nothing), at least the limit, reused for the same
 * filter for ESTIMATE_REUSE_MS.
 */
async function countOrders(pool: Pool, filter: OrderListFilter, now: () => number): Promise<Pick<OrderPage, 'total' | 'totalEstimated'>> {
  const { sql, params } = whereClause(filter, false);
  const kept = estimates.get(pool) ?? new Map<string, { total: number; at: number }>();
  estimates.set(pool, kept);
  const key = `${sql}\u0000${JSON.stringify(params)}`;
  const reused = kept.get(key);
  if (reused && now() - reused.at < ESTIMATE_REUSE_MS) return { total: reused.total, totalEstimated: true };
  const bounded = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM orders o ${sql} LIMIT ${EXACT_COUNT_LIMIT + 1}) m`, params);
  const n = bounded.rows[0]?.n ?? 0;
  if (n <= EXACT_COUNT_LIMIT) {
    kept.delete(key);
    return { total: n, totalEstimated: false };
  }
  const plan = await pool.query<{ 'QUERY PLAN': Array<{ Plan: { 'Plan Rows': number } }> }>(`EXPLAIN (FORMAT JSON) SELECT 1 FROM orders o ${sql}`, params);
  const total = Math.max(EXACT_COUNT_LIMIT + 1, Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0));
  kept.delete(key);
  kept.set(key, { total, at: now() });
  if (kept.size > ESTIMATES_KEPT) kept.delete(kept.keys().next().value!);
  return { total, totalEstimated: true };
}
