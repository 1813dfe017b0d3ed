/**
 * The usage report of the dashboard (seed 000, "Query usage for each service"): an account's usage charges per
 * wallet and day over a period, against the period of the same length just before it, and broken down by the
 * service (or, without one, the memo) each charge named. Days are the account's (its time zone). Invoices paid
 * from the deposit are charges of the ledger but not usage of a product, so they are left out.
 */
import type { Pool, PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import type { Readable } from 'node:stream';
import type { Wallet } from '../../workflows/definitions';

/** A period: inclusive days (YYYY-MM-DD) in the account's time zone. */
export interface UsagePeriod {
  accountId: string;
  timeZone: string;
  from: string;
  to: string;
}

/** One wallet's usage on one day. */
export interface UsageDay {
  date: string;
  wallet: Wallet;
  amount: number;
  charges: number;
}

/** A wallet's usage over a period. */
export interface UsageTotal {
  wallet: Wallet;
  amount: number;
  charges: number;
}

/** One service's (or memo's) usage of one wallet over a period; `service` is null for charges that named neither. */
export interface UsageByService extends UsageTotal {
  service: string | null;
}

/** The product usage of one account: not an invoice paid from the deposit. */
const PRODUCT_USAGE = `e.account_id = $1 AND e.kind = 'usage' AND e.idempotency_key NOT LIKE 'invoice:%'`;
/** Within the period's days: $2 time zone, $3 first day, $4 last day. */
const IN_PERIOD = `e.created_at >= ($3::date::timestamp AT TIME ZONE $2) AND e.created_at < (($4::date + 1)::timestamp AT TIME ZONE $2)`;

function params(p: UsagePeriod): unknown[] {
  return [p.accountId, p.timeZone, p.from, p.to];
}

/** Usage per wallet and day of the period (days without usage are not listed). */
export async function usagePerDay(pool: Pool, period: UsagePeriod): Promise<UsageDay[]> {
  const res = await pool.query<UsageDay>(
    `SELECT to_char((e.created_at AT TIME ZONE $2)::date, 'YYYY-MM-DD') AS date, e.wallet, sum(e.amount)::bigint AS amount, count(*)::int AS charges
       FROM journal_entries e WHERE ${PRODUCT_USAGE} AND ${IN_PERIOD}
      GROUP BY 1, 2 ORDER BY 1, 2`,
    params(period),
  );
  return res.rows;
}

/** Usage per wallet over the period. */
export async function usageTotals(pool: Pool, period: UsagePeriod): Promise<UsageTotal[]> {
  const res = await pool.query<UsageTotal>(
    `SELECT e.wallet, sum(e.amount)::bigint AS amount, count(*)::int AS charges
       FROM journal_entries e WHERE ${PRODUCT_USAGE} AND ${IN_PERIOD} GROUP BY 1 ORDER BY 1`,
    params(period),
  );
  return res.rows;
}

/** Usage per wallet and service (the memo when a charge named no service), largest first. */
export async function usageByService(pool: Pool, period: UsagePeriod): Promise<UsageByService[]> {
  const res = await pool.query<UsageByService>(
    `SELECT e.wallet, coalesce(e.service, e.memo) AS service, sum(e.amount)::bigint AS amount, count(*)::int AS charges
       FROM journal_entries e WHERE ${PRODUCT_USAGE} AND ${IN_PERIOD}
      GROUP BY 1, 2 ORDER BY amount DESC, 1, 2 NULLS LAST`,
    params(period),
  );
  return res.rows;
}

/** One usage charge as the report's "download details" writes it. */
export interface UsageChargeRow {
  entryId: string;
  localTime: string;
  wallet: Wallet;
  service: string | null;
  memo: string | null;
  amount: number;
}

/**
 * Every usage charge of the period, oldest first, read from a server-side cursor `batchSize` rows at a time (the
 * CSV of "download details"); the client goes back to the pool when the stream ends, fails or is destroyed.
 */
export async function streamUsageCharges(pool: Pool, period: UsagePeriod, batchSize = 1000): Promise<Readable> {
  const text = `SELECT e.id::text AS "entryId", to_char(e.created_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI:SS') AS "localTime",
                       e.wallet, e.service, e.memo, e.amount
                  FROM journal_entries e WHERE ${PRODUCT_USAGE} AND ${IN_PERIOD} ORDER BY e.id`;
  const client: PoolClient = await pool.connect();
  const rows = client.query(new QueryStream(text, params(period), { batchSize, highWaterMark: batchSize }));
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    client.release(rows.readableEnded ? undefined : new Error('usage stream abandoned'));
  };
  rows.once('end', release);
  rows.once('error', release);
  rows.once('close', release);
  return rows;
}
