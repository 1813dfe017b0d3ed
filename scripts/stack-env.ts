/**
 * The environment of an `npm start` stack that shares nothing with another one on the same machine: every
 * port free, its own data folder, the embedded defaults (no DATABASE_URL, SMTP_URL or PAYMENT_GATEWAY_URL
 * inherited). The end-to-end tests and the fault campaign start their stacks with it.
 */
import { freePort } from './net';

/** A stack's environment and where to reach it. */
export interface IsolatedStack {
  env: NodeJS.ProcessEnv;
  apiUrl: string;
  workerMetricsUrl: string;
  temporalAddress: string;
  /** The embedded PostgreSQL's database, once the stack has started it. */
  databaseUrl: string;
}

/** The environment of a stack keeping its state in `dataDir`, with `policyFile` if given. */
export async function isolatedStackEnv(dataDir: string, policyFile?: string): Promise<IsolatedStack> {
  const [port, temporalPort, uiPort, pgPort, smtpPort, gatewayPort, metricsPort] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_UI_PORT: String(uiPort),
    EMBEDDED_PG_PORT: String(pgPort),
    SMTP_SINK_PORT: String(smtpPort),
    SANDBOX_GATEWAY_PORT: String(gatewayPort),
    WORKER_METRICS_PORT: String(metricsPort),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  };
  for (const inherited of ['DATABASE_URL', 'SMTP_URL', 'PAYMENT_GATEWAY_URL', 'TOPUP_POLICY_FILE']) delete env[inherited];
  if (policyFile) env.TOPUP_POLICY_FILE = policyFile;
  return {
    env,
    apiUrl: `http://127.0.0.1:${port}`,
    workerMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    temporalAddress: `127.0.0.1:${temporalPort}`,
    databaseUrl: `postgres://topup:topup@127.0.0.1:${pgPort}/topup`,
  };
}
