/**
 * The `npm start` stack (scripts/dev-stack.ts startDevStack) for a benchmark: every port free, a fresh data
 * folder, the default policy (120 h and 24 h timers), logs at `warn` so the figures are not the cost of
 * printing them; plus a pool on its PostgreSQL and the seeded bench users.
 */
import type { Pool } from 'pg';
import { createPool } from '../../db/pool';
import { startDevStack } from '../../scripts/dev-stack';
import { freePort } from '../../scripts/net';
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
 * to the stack's Node processes as NODE_OPTIONS (a heap limit, `--cpu-prof`).
 */
export async function startBenchStack(opts: { accounts: number; financeUsers: number; nodeOptions?: string }): Promise<BenchStack> {
  const tmp = makeTempDir('stack');
  const [port, temporalPort, uiPort, pgPort, smtpPort, gatewayPort, metricsPort] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const temporalAddress = `127.0.0.1:${temporalPort}`;
  const stopStack = await startDevStack({
    ...process.env,
    PORT: String(port),
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_UI_PORT: String(uiPort),
    EMBEDDED_PG_PORT: String(pgPort),
    SMTP_SINK_PORT: String(smtpPort),
    SANDBOX_GATEWAY_PORT: String(gatewayPort),
    WORKER_METRICS_PORT: String(metricsPort),
    DATA_DIR: tmp.dir,
    LOG_LEVEL: 'warn',
    DATABASE_URL: '',
    SMTP_URL: '',
    PAYMENT_GATEWAY_URL: '',
    TOPUP_POLICY_FILE: '',
    ...(opts.nodeOptions ? { NODE_OPTIONS: opts.nodeOptions } : {}),
  });
  // db/embedded.ts: the embedded cluster's fixed user and database.
  const pool = createPool(`postgres://topup:topup@127.0.0.1:${pgPort}/topup`, 10);
  try {
    const credentials = await seedBenchAccounts(pool, opts.accounts, opts.financeUsers);
    return {
      api: `http://127.0.0.1:${port}`,
      temporalAddress,
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
    throw err;
  }
}
