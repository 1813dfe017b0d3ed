/**
 * The worker process: connects to Temporal and PostgreSQL and serves the top-up task queue until
 * SIGINT/SIGTERM, then drains in-flight activities before exiting.
 */
import { NativeConnection, Runtime } from '@temporalio/worker';
import { loadSettings } from '../config/settings';
import { createPool } from '../db/pool';
import { createTopupWorker } from './create-worker';

async function main(): Promise<void> {
  const settings = loadSettings();
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required by the worker (npm start sets it for the embedded database)');
  // The worker handles its own shutdown signals below.
  Runtime.install({ shutdownSignals: [] });
  const pool = createPool(settings.DATABASE_URL);
  const connection = await NativeConnection.connect({ address: settings.TEMPORAL_ADDRESS });
  const worker = await createTopupWorker({
    connection,
    namespace: settings.TEMPORAL_NAMESPACE,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    deps: { pool },
  });
  const stop = () => worker.shutdown();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.write(`worker: polling task queue "${settings.TEMPORAL_TASK_QUEUE}" on ${settings.TEMPORAL_ADDRESS}\n`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    await pool.end();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
