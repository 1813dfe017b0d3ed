/**
 * The worker process: connects to Temporal and PostgreSQL and serves the top-up task queue until
 * SIGINT/SIGTERM, then drains in-flight activities before exiting.
 */
import { Connection } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { providerFromSettings } from '../config/provider';
import { loadSettings } from '../config/settings';
import { createMailer } from '../activities/mailer';
import { createSandboxProvider } from '../activities/payment-provider';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createTopupWorker } from './create-worker';
import { registerSearchAttributes } from './search-attributes';

/** Registers the order search attributes on a cluster that lacks them (a compose stack, a new namespace). */
async function ensureSearchAttributes(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const added = await registerSearchAttributes(connection, namespace);
    if (added.length) process.stdout.write(`worker: registered search attributes ${added.join(', ')}\n`);
  } finally {
    await connection.close();
  }
}

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required by the worker (npm start sets it for the embedded database)');
  // The worker handles its own shutdown signals below.
  Runtime.install({ shutdownSignals: [] });
  if (!settings.PAYMENT_GATEWAY_URL) throw new Error('PAYMENT_GATEWAY_URL is required by the worker (npm start sets it for the sandbox gateway)');
  if (!settings.SMTP_URL) throw new Error('SMTP_URL is required by the worker (npm start sets it for the SMTP sink)');
  const pool = createPool(settings.DATABASE_URL);
  const mailer = createMailer({ smtpUrl: settings.SMTP_URL, from: settings.MAIL_FROM });
  // Every process applies pending migrations at start; an advisory lock makes concurrent starts safe.
  await migrate(pool);
  await ensureSearchAttributes(settings.TEMPORAL_ADDRESS, settings.TEMPORAL_NAMESPACE);
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  const worker = await createTopupWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    deps: {
      pool,
      mailer,
      provider: providerFromSettings(settings),
      gateway: createSandboxProvider({ baseUrl: settings.PAYMENT_GATEWAY_URL, apiKey: settings.PAYMENT_PROVIDER_API_KEY }),
    },
  });
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`worker: polling task queue "${settings.TEMPORAL_TASK_QUEUE}" on ${settings.TEMPORAL_ADDRESS}\n`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    mailer.close();
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
