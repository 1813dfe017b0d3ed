/**
 * A wallet's statement: every movement of the wallet in the order it was applied, with the balance right after it.
 * Each journal entry is one line; its running balance is the entry's stored wallet-after (recharge + gift −
 * unbilled), which the ledger checker proves equal to the running sum of its postings, and {@link checkStatements}
 * proves every statement sums to its wallet's balance. Read as a page (the console), or streamed row by row from a
 * server-side cursor (the CSV export), so a statement of millions of lines is never held in memory.
 */
import { Readable } from 'node:stream';
import type { Pool, PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { Wallet } from '../../workflows/definitions';

/** What a statement line is: a top-up (its settlement of unbilled usage shown beside it), usage, an invoice paid from the deposit, a gift, a gift's expiry. */
export const STATEMENT_KINDS = ['topup', 'usage', 'invoice_payment', 'gift', 'gift_expiry'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

/** One line of a statement. Amounts are in the wallet's unit (IDR, or visitors for `muv`). */
export interface StatementLine {
  entryId: string;
  createdAt: Date;
  kind: StatementKind;
  /** The change to the current balance: positive for top-ups and gifts, negative for usage and expiries. */
  change: number;
  /** The wallet's current balance right after this line. */
  balanceAfter: number;
  /** The part of a top-up that settled unbilled usage (the rest was added); 0 otherwise. */
  settled: number;
  orderNumber: string | null;
  invoiceId: string | null;
  service: string | null;
  memo: string | null;
}

/** Which lines: one wallet of one account, a date range in the account's time zone (inclusive days), some kinds. */
export interface StatementFilter {
  accountId: string;
  wallet: Wallet;
  /** The account's IANA time zone: `from` and `to` are its days. */
  timeZone: string;
  from?: string;
  to?: string;
  kinds?: StatementKind[];
}

/** A page of a statement, with the wallet's balance before the range and at its end. */
export interface StatementPage {
  lines: StatementLine[];
  total: number;
  /** The balance before the first movement of the range. */
  openingBalance: number;
  /** The balance after the last movement of the range (whatever kinds are shown). */
  closingBalance: number;
}

/** The kind of a line, from its entry: an invoice paid from the deposit is a usage charge keyed by its invoice. */
const KIND_SQL = `CASE WHEN e.kind = 'usage' AND e.idempotency_key LIKE 'invoice:%' THEN 'invoice_payment' ELSE e.kind END`;

/** A line's columns, over `journal_entries e`. */
const LINE_COLUMNS = `e.id::text AS "entryId", e.created_at AS "createdAt", ${KIND_SQL} AS kind,
  CASE WHEN e.kind IN ('topup', 'gift') THEN e.amount ELSE -e.amount END AS change,
  (e.recharge_after + e.gift_after - e.unbilled_after) AS "balanceAfter",
  CASE WHEN e.kind = 'topup'
       THEN coalesce((SELECT p.amount FROM postings p WHERE p.entry_id = e.id AND p.ledger_account = 'wallet:unbilled'), 0)
       ELSE 0 END AS settled,
  e.order_number AS "orderNumber",
  CASE WHEN ${KIND_SQL} = 'invoice_payment' THEN split_part(e.idempotency_key, ':', 2) END AS "invoiceId",
  e.service, e.memo`;

/** The WHERE clause and parameters of a filter ($1 account, $2 wallet, then the range and kinds). */
function whereOf(filter: StatementFilter, opts: { range: boolean; kinds: boolean } = { range: true, kinds: true }): { sql: string; params: unknown[] } {
  const params: unknown[] = [filter.accountId, filter.wallet];
  const conditions = ['e.account_id = $1', 'e.wallet = $2'];
  const add = (value: unknown, condition: (p: string) => string) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (opts.range && (filter.from || filter.to)) {
    params.push(filter.timeZone);
    const tz = `$${params.length}`;
    if (filter.from) add(filter.from, (p) => `e.created_at >= (${p}::date::timestamp AT TIME ZONE ${tz})`);
    if (filter.to) add(filter.to, (p) => `e.created_at < ((${p}::date + 1)::timestamp AT TIME ZONE ${tz})`);
  }
  if (opts.kinds && filter.kinds?.length) add(filter.kinds, (p) => `${KIND_SQL} = ANY(${p}::text[])`);
  return { sql: conditions.join(' AND '), params };
}

/** The wallet's balance after the last entry matching `condition` (0 before any). */
async function balanceAt(pool: Pool, filter: StatementFilter, bound: 'before-from' | 'end-of-to'): Promise<number> {
  const params: unknown[] = [filter.accountId, filter.wallet];
  let condition = '';
  if (bound === 'before-from' && filter.from) {
    params.push(filter.from, filter.timeZone);
    condition = 'AND e.created_at < ($3::date::timestamp AT TIME ZONE $4)';
  } else if (bound === 'end-of-to' && filter.to) {
    params.push(filter.to, filter.timeZone);
    condition = 'AND e.created_at < (($3::date + 1)::timestamp AT TIME ZONE $4)';
  } else if (bound === 'before-from') {
    return 0;
  }
  const res = await pool.query<{ balance: number }>(
    `SELECT (e.recharge_after + e.gift_after - e.unbilled_after) AS balance FROM journal_entries e
      WHERE e.account_id = $1 AND e.wallet = $2 ${condition} ORDER BY e.id DESC LIMIT 1`,
    params,
  );
  return res.rows[0]?.balance ?? 0;
}

/** One page of a wallet's statement, oldest first (the order movements were applied in). */
export async function statementPage(pool: Pool, filter: StatementFilter, page: number, pageSize: number): Promise<StatementPage> {
  const { sql, params } = whereOf(filter);
  const [lines, count, openingBalance, closingBalance] = await Promise.all([
    pool.query<StatementLine>(`SELECT ${LINE_COLUMNS} FROM journal_entries e WHERE ${sql} ORDER BY e.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [
      ...params,
      pageSize,
      (page - 1) * pageSize,
    ]),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM journal_entries e WHERE ${sql}`, params),
    balanceAt(pool, filter, 'before-from'),
    balanceAt(pool, filter, 'end-of-to'),
  ]);
  return { lines: lines.rows, total: count.rows[0]?.total ?? 0, openingBalance, closingBalance };
}

/** A statement line as the CSV export writes it: the time in the account's time zone. */
export type StatementCsvLine = Omit<StatementLine, 'createdAt'> & { localTime: string };

/**
 * Every line of the filter, oldest first, as an object stream read from a server-side cursor `batchSize` rows at a
 * time: memory stays flat however long the statement is. The pool's client is released when the stream ends,
 * fails or is destroyed (a client that went away).
 */
export async function streamStatement(pool: Pool, filter: StatementFilter, batchSize = 1000): Promise<Readable> {
  const { sql, params } = whereOf(filter);
  params.push(filter.timeZone);
  const text = `SELECT ${LINE_COLUMNS}, to_char(e.created_at AT TIME ZONE $${params.length}, 'YYYY-MM-DD HH24:MI:SS') AS "localTime"
                  FROM journal_entries e WHERE ${sql} ORDER BY e.id`;
  const client: PoolClient = await pool.connect();
  const rows = client.query(new QueryStream(text, params, { batchSize, highWaterMark: batchSize }));
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    // A cursor abandoned half-read leaves the connection mid-query: destroy it rather than reuse it.
    client.release(err ?? (rows.destroyed && !rows.readableEnded ? new Error('statement stream abandoned') : undefined));
  };
  rows.once('end', () => release());
  rows.once('error', (err: Error) => release(err));
  rows.once('close', () => release());
  return rows;
}

interface StatementCheckRow {
  accountId: string;
  wallet: string;
  lines: number;
  total: number;
  last: number | null;
  current: number;
  breaks: number;
  firstBreak: string | null;
}

/**
 * The statement of every wallet sums to its balance: the changes of its lines add up to the wallet's current
 * balance, each line's running balance is the one before it plus its change, and the last line's is the balance.
 * Built from the very columns the statement route serves.
 */
export async function checkStatements(pool: Pool | PoolClient): Promise<string[]> {
  const res = await pool.query<StatementCheckRow>(
    `WITH s AS (
       SELECT e.account_id, e.wallet, line.*,
              lag(line."balanceAfter", 1, 0::bigint) OVER (PARTITION BY e.account_id, e.wallet ORDER BY e.id) AS before,
              row_number() OVER (PARTITION BY e.account_id, e.wallet ORDER BY e.id DESC) AS from_end
         FROM journal_entries e CROSS JOIN LATERAL (SELECT ${LINE_COLUMNS}) line),
     t AS (
       SELECT account_id, wallet, count(*)::int AS lines, sum(change)::bigint AS total,
              max("balanceAfter") FILTER (WHERE from_end = 1) AS last,
              count(*) FILTER (WHERE "balanceAfter" <> before + change)::int AS breaks,
              min("entryId") FILTER (WHERE "balanceAfter" <> before + change) AS "firstBreak"
         FROM s GROUP BY account_id, wallet)
     SELECT coalesce(w.account_id, t.account_id) AS "accountId", coalesce(w.wallet, t.wallet) AS wallet,
            coalesce(t.lines, 0) AS lines, coalesce(t.total, 0)::bigint AS total, t.last,
            coalesce(w.recharge + w.gift - w.unbilled, 0)::bigint AS current, coalesce(t.breaks, 0) AS breaks, t."firstBreak"
       FROM wallets w FULL JOIN t ON t.account_id = w.account_id AND t.wallet = w.wallet
      WHERE coalesce(t.total, 0) <> coalesce(w.recharge + w.gift - w.unbilled, 0)
         OR coalesce(t.last, 0) <> coalesce(w.recharge + w.gift - w.unbilled, 0)
         OR coalesce(t.breaks, 0) > 0
      ORDER BY 1, 2`,
  );
  return res.rows.map((r) => {
    const name = `the statement of wallet ${r.accountId}/${r.wallet}`;
    if (r.breaks > 0) return `${name} has ${r.breaks} line(s) whose running balance is not the one before plus its change (first: entry ${r.firstBreak})`;
    return `${name} (${r.lines} lines) sums to ${r.total} and ends at ${r.last ?? 0}, but the wallet's balance is ${r.current}`;
  });
}
