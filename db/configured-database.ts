/**
 * The database a one-off command (`npm run migrate`, `npm run check:ledger`) works on: DATABASE_URL, or else the
 * embedded cluster of `npm start` under DATA_DIR, started for the occasion and stopped afterwards.
 */
import path from 'node:path';
import type { Pool } from 'pg';
import type { Settings } from '../config/settings';
import { startEmbeddedPostgres } from './embedded';
import { createPool } from './pool';

/** Runs `use` with a one-connection pool on the configured database, then closes both. */
export async function withConfiguredDatabase<T>(settings: Settings, use: (pool: Pool) => Promise<T>): Promise<T> {
  const embedded = settings.DATABASE_URL
    ? null
    : await startEmbeddedPostgres({ dataDir: path.join(settings.DATA_DIR, 'postgres'), port: settings.EMBEDDED_PG_PORT });
  const pool = createPool(settings.DATABASE_URL ?? embedded!.url, 1);
  try {
    return await use(pool);
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}
