/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database of `npm start`
 * (started for the occasion when DATABASE_URL is not set).
 */
import path from 'node:path';
import { loadSettings } from '../config/settings';
import { startEmbeddedPostgres } from '../db/embedded';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';

async function main(): Promise<void> {
  const settings = loadSettings();
  const embedded = settings.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(settings.DATA_DIR, 'postgres'), port: settings.EMBEDDED_PG_PORT });
  const pool = createPool(settings.DATABASE_URL ?? embedded!.url, 1);
  try {
    const applied = await migrate(pool);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
