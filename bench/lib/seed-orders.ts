/**
 * Fills the order read model directly (INSERT … SELECT generate_series), for the list benchmark: `orders`
 * bank-transfer orders spread evenly over `accounts` accounts and over the `days` days before `end`, half of
 * them Paid and the rest in the other statuses, each with a view like the workflow writes.
 */
import type { Pool } from 'pg';

/** The statuses in the proportions the seed gives them (one in twenty each step). */
const STATUS_MIX = [...Array<string>(10).fill('paid'), 'closed', 'closed', 'closed', 'dealing', 'dealing', 'payment_failure', 'payment_failure', 'unpaid', 'unpaid', 'deleted'];

/** Inserts the orders in batches of `batch`, calling `progress` after each. */
export async function seedOrders(
  pool: Pool,
  opts: { orders: number; accounts: number; days: number; end: string; batch?: number },
  progress: (done: number) => void = () => undefined,
): Promise<void> {
  const batch = opts.batch ?? 100_000;
  for (let from = 0; from < opts.orders; from += batch) {
    const to = Math.min(opts.orders, from + batch) - 1;
    await pool.query(
      `INSERT INTO orders (order_number, account_id, created_by, wallet, currency, amount, payment_method, status, revision, view, created_at, submitted_at)
       SELECT order_number, account_id, created_by, 'credit', 'IDR', amount, 'bank_transfer', status, 1,
              jsonb_build_object('orderNumber', order_number, 'accountId', account_id, 'createdBy', created_by, 'wallet', 'credit',
                'amount', amount, 'currency', 'IDR', 'createdAt', created_at, 'status', status, 'paymentMethod', 'bank_transfer',
                'slip', NULL, 'submittedAt', submitted_at, 'deadline', NULL, 'checkResult', NULL, 'failure', NULL, 'paid', NULL,
                'final', false, 'submissions', 1, 'revision', 1),
              created_at, submitted_at
         FROM (SELECT '1' || to_char(t AT TIME ZONE 'UTC', 'YYMMDD') || lpad((g % 1000000)::text, 6, '0') AS order_number,
                      'bench_acc_' || lpad((g % $3)::text, 5, '0') AS account_id,
                      'bench_owner_' || lpad((g % $3)::text, 5, '0') AS created_by,
                      10000 + (g % 100) * 10000 AS amount,
                      ($4::text[])[1 + (g::bigint * 7919) % 20] AS status,
                      t AS created_at, t + interval '1 hour' AS submitted_at
                 FROM (SELECT g, $5::timestamptz - (g * ($6 * 86400.0 / $7)) * interval '1 second' AS t FROM generate_series($1::int, $2::int) AS g) AS s) AS o`,
      [from, to, opts.accounts, STATUS_MIX, opts.end, opts.days, opts.orders],
    );
    progress(to + 1);
  }
  // What autovacuum would have done by now: statistics, and the visibility map index-only scans rely on.
  await pool.query('VACUUM ANALYZE orders');
}
