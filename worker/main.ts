/**
 * The worker process: connects to Temporal and PostgreSQL and serves the top-up task queue until
 * SIGINT/SIGTERM, then drains in-flight activities (up to the worker's shutdownGraceTime) and exits 0.
 * Logs are JSON lines through pino; the SDK's and the worker's metrics are served on WORKER_METRICS_HOST and
 * WORKER_METRICS_PORT (this host only by default).
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createLogger } from '../config/logger';
import { providerFromSettings } from '../config/provider';
import { loadPolicy } from '../config/policy-file';
import { loadSettings, publicUrl, SettingsError } from '../config/settings';
import { createMailer } from '../activities/shared/mailer';
import { createSandboxProvider } from '../activities/online/payment-provider';
import { migrate } from '../db/migrate';
import { whenDatabaseAccepts } from '../db/wait-for-database';
import { createPool } from '../db/pool';
import { createTopupWorker } from './create-worker';
import { installWorkerRuntime, socketAddress } from './runtime';
import { registerSearchAttributes } from './search-attributes';
import { bundleWorkflowsInChildProcess } from './workflow-bundle';

/** Registers the order search attributes on a cluster that lacks them (a compose stack, a new namespace). */
async function ensureSearchAttributes(address: string, namespace: string, logger: Logger): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const added = await registerSearchAttributes(connection, namespace);
    if (added.length) logger.info({ searchAttributes: added }, 'registered search attributes');
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required by the worker (npm start sets it for the embedded database)');
  if (!settings.PAYMENT_GATEWAY_URL) throw new Error('PAYMENT_GATEWAY_URL is required by the worker (npm start sets it for the sandbox gateway)');
  if (!settings.SMTP_URL) throw new Error('SMTP_URL is required by the worker (npm start sets it for the SMTP sink)');
  const logger = createLogger({ level: settings.LOG_LEVEL, service: 'worker' });
  installWorkerRuntime({ logger, metricsHost: settings.WORKER_METRICS_HOST, metricsPort: settings.WORKER_METRICS_PORT });
  const pool = createPool(settings.DATABASE_URL);
  const mailer = createMailer({ smtpUrl: settings.SMTP_URL, from: settings.MAIL_FROM });
  // Every process applies pending migrations at start; an advisory lock makes concurrent starts safe.
  // PostgreSQL restarting (its supervisor just started it) is waited for, up to a minute, rather than fatal.
  await whenDatabaseAccepts(() => migrate(pool), { timeoutMs: 60_000, onWait: (err) => logger.warn({ err }, 'PostgreSQL is not accepting connections yet; waiting') });
  await ensureSearchAttributes(settings.TEMPORAL_ADDRESS, settings.TEMPORAL_NAMESPACE, logger);
  // Bundled in a child process: webpack and what it allocates never stay in this one (worker/workflow-bundle.ts).
  const workflowBundle = await bundleWorkflowsInChildProcess(logger);
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  // The activities that open payment exceptions start their workflows through a client of their own.
  const clientConnection = await Connection.connect({ address: settings.TEMPORAL_ADDRESS });
  const worker = await createTopupWorker({
    connection,
    client: new Client({ connection: clientConnection, namespace: settings.TEMPORAL_NAMESPACE }),
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    workflowBundle,
    tuning: { maxCachedWorkflows: settings.WORKER_MAX_CACHED_WORKFLOWS },
    deps: {
      pool,
      mailer,
      provider: providerFromSettings(settings),
      gateway: createSandboxProvider({ baseUrl: settings.PAYMENT_GATEWAY_URL, apiKey: settings.PAYMENT_PROVIDER_API_KEY }),
      publicUrl: publicUrl(settings),
      passwordLinkSecret: settings.PASSWORD_LINK_SECRET,
      webhookSecretKey: settings.WEBHOOK_SECRET_KEY,
      policy: loadPolicy(settings.TOPUP_POLICY_FILE),
    },
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker draining: no new tasks, in-flight activities finish');
    worker.shutdown();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  logger.info(
    { taskQueue: settings.TEMPORAL_TASK_QUEUE, maxCachedWorkflows: settings.WORKER_MAX_CACHED_WORKFLOWS, temporalAddress: settings.TEMPORAL_ADDRESS, metrics: `http://${socketAddress(settings.WORKER_METRICS_HOST, settings.WORKER_METRICS_PORT)}/metrics` },
    'worker polling',
  );
  try {
    await worker.run();
  } finally {
    await connection.close();
    await clientConnection.close();
    mailer.close();
    await pool.end();
  }
  logger.info('worker stopped');
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    // A bad setting is said plainly; anything else keeps its stack for the operator.
    const text = err instanceof SettingsError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`worker: ${text}\n`);
    process.exit(1);
  },
);
