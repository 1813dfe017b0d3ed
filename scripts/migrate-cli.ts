/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database of `npm start`
 * (started for the occasion when DATABASE_URL is not set).
 */
import { loadSettings } from '../config/settings';
import { withConfiguredDatabase } from '../db/configured-database';
import { migrate } from '../db/migrate';

async function main(): Promise<void> {
  await withConfiguredDatabase(loadSettings(), async (pool) => {
    const applied = await migrate(pool);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
