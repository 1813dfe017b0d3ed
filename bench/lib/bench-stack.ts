/**
 * A stack for a benchmark: `npm start`'s (scripts/dev-stack.ts, the `dev` engine: the Temporal dev server on
 * SQLite) or `npm run start:cluster`'s (scripts/cluster/, the `cluster` engine: the Temporal server on PostgreSQL,
 * two workers, two API processes). Isolated (every port free, a fresh data folder, logs at `warn` so the figures
 * are not the cost of printing them), the default policy (120 h and 24 h timers); plus a pool on its PostgreSQL
 * and the seeded bench users.
 */
import type { Pool } from 'pg';
import { createPool } from '../../db/pool';
import { isolatedClusterEnv } from '../../scripts/cluster/cluster-env';
import { startClusterStack, type ClusterStack } from '../../scripts/cluster/cluster-stack';
import { startDevStack } from '../../scripts/dev-stack';
import { isolatedStackEnv } from '../../scripts/stack-env';
import { seedBenchAccounts, type BenchCredentials } from './bench-accounts';
import { makeTempDir } from './temp-dir';

/** Which stack: the dev server's or the cluster's. */
export type Engine = 'dev' | 'cluster';

/** A running stack. */
export interface BenchStack {
  engine: Engine;
  /** The API's base URL, http://127.0.0.1:port. */
  api: string;
  temporalAddress: string;
  pool: Pool;
  credentials: BenchCredentials;
  /** The cluster's restartable processes by kind (the cluster engine only). */
  processes?: ClusterStack['processes'];
  stop(): Promise<void>;
}

/**
 * Starts the stack and seeds `accounts` customer accounts and `financeUsers` finance users. `nodeOptions` goes
 * to the stack's Node processes as NODE_OPTIONS (a heap limit, a profiler preload). The per-user slip-upload
 * limit is lifted: a few bench users make every upload.
 */
export async function startBenchStack(opts: { engine?: Engine; accounts: number; financeUsers: number; nodeOptions?: string; env?: Record<string, string> }): Promise<BenchStack> {
  const engine = opts.engine ?? 'dev';
  const tmp = makeTempDir('stack');
  const stack = engine === 'cluster' ? await isolatedClusterEnv(tmp.dir) : await isolatedStackEnv(tmp.dir);
  const env = { ...stack.env, SLIP_UPLOADS_PER_10_MINUTES: '1000000', ...opts.env, ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}) };
  const stopStack = await (engine === 'cluster' ? startClusterStack(env) : startDevStack(env)).catch((err: unknown) => {
    tmp.remove();
    throw err;
  });
  const pool = createPool(stack.databaseUrl, 10);
  try {
    const credentials = await seedBenchAccounts(pool, opts.accounts, opts.financeUsers);
    return {
      engine,
      ...('processes' in stopStack && engine === 'cluster' ? { processes: (stopStack as ClusterStack).processes } : {}),
      api: stack.apiUrl,
      temporalAddress: stack.temporalAddress,
      pool,
      credentials,
      async stop() {
        await pool.end();
        await stopStack();
        tmp.remove();
      },
    };
  } catch (err) {
    await pool.end();
    await stopStack();
    tmp.remove();
    throw err;
  }
}
