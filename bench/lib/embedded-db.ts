/** A throwaway embedded PostgreSQL (db/embedded.ts, the `npm start` default) on a free port, migrated. */
import path from 'node:path';
import type { Pool } from 'pg';
import { startEmbeddedPostgres } from '../../db/embedded';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { freePort } from '../../scripts/net';
import { makeTempDir } from './temp-dir';

/** A migrated database, a pool of `poolSize` on it, and how to stop it all. */
export interface BenchDatabase {
  url: string;
  pool: Pool;
  stop(): Promise<void>;
}

/**
 * Starts the cluster in a temp folder and applies every migration. With `statementStats`, the cluster is
 * restarted with pg_stat_statements loaded (planning time and nested statements tracked too), for a profile of
 * where its time goes.
 */
export async function startBenchDatabase(poolSize: number, opts: { statementStats?: boolean } = {}): Promise<BenchDatabase> {
  const tmp = makeTempDir('pg');
  const dataDir = path.join(tmp.dir, 'postgres');
  const port = await freePort();
  let db = await startEmbeddedPostgres({ dataDir, port }).catch((err: unknown) => {
    tmp.remove();
    throw err;
  });
  if (opts.statementStats) {
    const admin = createPool(db.url, 1);
    await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
    await admin.query(`ALTER SYSTEM SET pg_stat_statements.track_planning = on`);
    // Statements run inside functions and triggers too (ledger_post_batch runs ledger_post; foreign keys' checks).
    await admin.query(`ALTER SYSTEM SET pg_stat_statements.track = 'all'`);
    await admin.end();
    await db.stop();
    db = await startEmbeddedPostgres({ dataDir, port });
  }
  const pool = createPool(db.url, poolSize);
  try {
    if (opts.statementStats) await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await migrate(pool);
  } catch (err) {
    await pool.end();
    await db.stop();
    tmp.remove();
    throw err;
  }
  return {
    url: db.url,
    pool,
    async stop() {
      await pool.end();
      await db.stop();
      tmp.remove();
    },
  };
}
