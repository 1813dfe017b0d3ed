/**
 * The `npm start` stack (scripts/dev-stack.ts startDevStack) for a benchmark: isolated (scripts/stack-env.ts:
 * every port free, a fresh data folder, logs at `warn` so the figures are not the cost of printing them), the
 * default policy (120 h and 24 h timers); plus a pool on its PostgreSQL and the seeded bench users.
 */
import type { Pool } from 'pg';
import { createPool } from '../../db/pool';
import { startDevStack } from '../../scripts/dev-stack';
import { isolatedStackEnv } from '../../scripts/stack-env';
import { seedBenchAccounts, type BenchCredentials } from './bench-accounts';
import { makeTempDir } from './temp-dir';

/** A running stack. */
export interface BenchStack {
  /** The API's base URL, http://127.0.0.1:port. */
  api: string;
  temporalAddress: string;
  pool: Pool;
  credentials: BenchCredentials;
  stop(): Promise<void>;
}

/**
 * Starts the stack and seeds `accounts` customer accounts and `financeUsers` finance users. `nodeOptions` goes
 * to the stack's Node processes as NODE_OPTIONS (a heap limit, a profiler preload). The per-user slip-upload
 * limit is lifted: a few bench users make every upload.
 */
export async function startBenchStack(opts: { accounts: number; financeUsers: number; nodeOptions?: string; env?: Record<string, string> }): Promise<BenchStack> {
  const tmp = makeTempDir('stack');
  const stack = await isolatedStackEnv(tmp.dir);
  const stopStack = await startDevStack({ ...stack.env, SLIP_UPLOADS_PER_10_MINUTES: '1000000', ...opts.env, ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}) }).catch((err: unknown) => {
    tmp.remove();
    throw err;
  });
  const pool = createPool(stack.databaseUrl, 10);
  try {
    const credentials = await seedBenchAccounts(pool, opts.accounts, opts.financeUsers);
    return {
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
