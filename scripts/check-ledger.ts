/**
 * `npm run check:ledger`: reads the whole ledger and the order read model of DATABASE_URL (or of the embedded
 * database of `npm start`, started for the occasion) and prints every invariant violation
 * (db/ledger/invariants.ts), then the money proof of received payments (db/reconciliation/money-proof.ts):
 * received = credited + refunded + open + dismissed, to the rupiah. Exits 1 when there is any violation, 0 when
 * there is none.
 */
import { checkInvariants } from '../db/ledger/invariants';
import { proveReceivedMoney } from '../db/reconciliation/money-proof';
import { loadSettings } from '../config/settings';
import { withConfiguredDatabase } from '../db/configured-database';

async function main(): Promise<number> {
  return withConfiguredDatabase(loadSettings(), async (pool) => {
    const counts = await pool.query<{ entries: number; orders: number; paid: number }>(
      `SELECT (SELECT count(*)::int FROM journal_entries) AS entries, (SELECT count(*)::int FROM orders) AS orders,
              (SELECT count(*)::int FROM orders WHERE status = 'paid') AS paid`,
    );
    const violations = await checkInvariants(pool);
    const c = counts.rows[0]!;
    for (const v of violations) process.stdout.write(`VIOLATION ${v}\n`);
    process.stdout.write(`checked ${c.entries} journal entries and ${c.orders} orders (${c.paid} Paid): ${violations.length} violation(s)\n`);
    const { totals: t, payments, exceptions } = await proveReceivedMoney(pool);
    const idr = (n: number) => `IDR ${n.toLocaleString('en-US')}`;
    process.stdout.write(
      `received ${idr(t.received)} in ${payments} payment(s) = credited ${idr(t.credited)} + refunded ${idr(t.refunded)} + open ${idr(t.open)} + dismissed ${idr(t.dismissed)}` +
        ` (${exceptions.open} exception(s) open, ${exceptions.resolved} resolved): ${t.received === t.credited + t.refunded + t.open + t.dismissed ? 'holds' : 'DOES NOT HOLD'}\n`,
    );
    return violations.length === 0 ? 0 : 1;
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`check:ledger: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
