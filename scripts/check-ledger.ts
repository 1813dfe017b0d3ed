/**
 * `npm run check:ledger`: reads the whole ledger and the order read model of DATABASE_URL (or of the embedded
 * database of `npm start`, started for the occasion) and prints every invariant violation
 * (activities/invariants.ts). Exits 1 when there is any, 0 when there is none.
 */
import path from 'node:path';
import { checkInvariants } from '../activities/invariants';
import { loadSettings } from '../config/settings';
import { startEmbeddedPostgres } from '../db/embedded';
import { createPool } from '../db/pool';

async function main(): Promise<number> {
  const settings = loadSettings();
  const embedded = settings.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(settings.DATA_DIR, 'postgres'), port: settings.EMBEDDED_PG_PORT });
  const pool = createPool(settings.DATABASE_URL ?? embedded!.url, 1);
  try {
    const counts = await pool.query<{ entries: number; orders: number; paid: number }>(
      `SELECT (SELECT count(*)::int FROM journal_entries) AS entries, (SELECT count(*)::int FROM orders) AS orders,
              (SELECT count(*)::int FROM orders WHERE status = 'Paid') AS paid`,
    );
    const violations = await checkInvariants(pool);
    const c = counts.rows[0]!;
    for (const v of violations) process.stdout.write(`VIOLATION ${v}\n`);
    process.stdout.write(`checked ${c.entries} journal entries and ${c.orders} orders (${c.paid} Paid): ${violations.length} violation(s)\n`);
    return violations.length === 0 ? 0 : 1;
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`check:ledger: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
