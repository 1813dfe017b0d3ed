/**
 * The API process: validates settings and policy, connects to PostgreSQL and Temporal, serves HTTP until
 * SIGINT/SIGTERM, then lets in-flight requests finish before exiting.
 */
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { loadPolicy } from '../config/policy-file';
import { providerFromSettings } from '../config/provider';
import { loadSettings } from '../config/settings';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createApp } from './create-app';
import { requestIdClientInterceptor } from './request-context';

async function main(): Promise<void> {
  const settings = loadSettings();
  const policy = loadPolicy(settings.TOPUP_POLICY_FILE);
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required by the API (npm start sets it for the embedded database)');
  const logger = pino({ level: settings.LOG_LEVEL });
  const pool = createPool(settings.DATABASE_URL);
  // Every process applies pending migrations at start; an advisory lock makes concurrent starts safe.
  await migrate(pool);
  const connection = await Connection.connect({ address: settings.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE, interceptors: { workflow: [requestIdClientInterceptor()] } });
  const app = createApp({ pool, temporal, taskQueue: settings.TEMPORAL_TASK_QUEUE, policy, provider: providerFromSettings(settings), paymentCallbackSecret: settings.PAYMENT_CALLBACK_SECRET, logger });
  const server = app.listen(settings.PORT, () => logger.info({ port: settings.PORT }, 'api listening'));
  const stop = () => {
    server.close(() => {
      void Promise.all([pool.end(), connection.close()]).then(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`api: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
