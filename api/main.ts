/**
 * The API process: validates settings and policy, connects to PostgreSQL and Temporal, serves HTTP until
 * SIGINT/SIGTERM, then stops accepting connections, lets in-flight requests finish (up to
 * SHUTDOWN_GRACE_MS), closes the pool and the Temporal connection, and exits 0.
 */
import { Client, Connection } from '@temporalio/client';
import { createLogger } from '../config/logger';
import { loadPolicy } from '../config/policy-file';
import { providerFromSettings } from '../config/provider';
import { loadSettings, publicUrl } from '../config/settings';
import type { KeyPrincipal } from '../db/accounts/api-keys';
import { listenForCredentialChanges } from '../db/accounts/credential-changes';
import { migrate } from '../db/migrate';
import { whenDatabaseAccepts } from '../db/wait-for-database';
import { createPool } from '../db/pool';
import { PrincipalCache } from './accounts/principal-cache';
import { createApp } from './create-app';
import { requestIdClientInterceptor } from './shared/request-context';
import { applyServerTimeouts } from './shared/server-timeouts';

/** How long in-flight requests get after SIGTERM; below the 30 s orchestrators usually wait before SIGKILL. */
const SHUTDOWN_GRACE_MS = 25_000;

async function main(): Promise<void> {
  const settings = loadSettings();
  const policy = loadPolicy(settings.TOPUP_POLICY_FILE);
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required by the API (npm start sets it for the embedded database)');
  const logger = createLogger({ level: settings.LOG_LEVEL, service: 'api' });
  const pool = createPool(settings.DATABASE_URL);
  // Every process applies pending migrations at start; an advisory lock makes concurrent starts safe.
  // PostgreSQL restarting (its supervisor just started it) is waited for, up to a minute, rather than fatal.
  await whenDatabaseAccepts(() => migrate(pool), { timeoutMs: 60_000, onWait: (err) => logger.warn({ err }, 'PostgreSQL is not accepting connections yet; waiting') });
  const connection = await Connection.connect({ address: settings.TEMPORAL_ADDRESS });
  const temporal = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE, interceptors: { workflow: [requestIdClientInterceptor()] } });
  // A user disabled or a key revoked through another API process is forgotten here at once.
  const principals = new PrincipalCache<KeyPrincipal>();
  const listener = await listenForCredentialChanges(settings.DATABASE_URL, {
    onChange: (userId) => principals.forgetUser(userId),
    onReconnect: () => principals.forgetAll(),
    onError: (err) => logger.warn({ err }, 'credential-change listener lost its connection; reconnecting'),
  });
  const app = createApp({
    pool,
    temporal,
    taskQueue: settings.TEMPORAL_TASK_QUEUE,
    policy,
    provider: providerFromSettings(settings),
    paymentCallbackSecret: settings.PAYMENT_CALLBACK_SECRET,
    logger,
    uploadRateLimit: { limit: settings.SLIP_UPLOADS_PER_10_MINUTES, windowMs: 10 * 60_000 },
    accountUploadRateLimit: { limit: settings.SLIP_UPLOADS_PER_ACCOUNT_PER_10_MINUTES, windowMs: 10 * 60_000 },
    passwordLinkSecret: settings.PASSWORD_LINK_SECRET,
    webhookSecretKey: settings.WEBHOOK_SECRET_KEY,
    ...(settings.PAYMENT_GATEWAY_URL ? { gateway: { url: settings.PAYMENT_GATEWAY_URL, apiKey: settings.PAYMENT_PROVIDER_API_KEY } } : {}),
    webhookUrls: settings.WEBHOOK_URLS,
    secureCookies: publicUrl(settings).startsWith('https:'),
    principals,
    confirmWaitMs: settings.CONFIRM_PAYMENT_WAIT_SECONDS * 1000,
    usageBatching: { windowMs: settings.USAGE_BATCH_WINDOW_MS, maxBatch: settings.USAGE_BATCH_MAX },
  });
  const server = applyServerTimeouts(app.listen(settings.PORT, () => logger.info({ port: settings.PORT }, 'api listening')));
  server.once('error', (err) => {
    process.stderr.write(`api: Invalid configuration:\n  PORT: ${settings.PORT} cannot be listened on (${err.message})\n`);
    process.exit(1);
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api draining: no new connections, in-flight requests finish');
    const force = setTimeout(() => {
      logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, 'api drain timed out: closing the remaining connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    server.close(() => {
      clearTimeout(force);
      Promise.all([listener.stop(), pool.end(), connection.close()]).then(
        () => {
          logger.info('api stopped');
          process.exit(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'api stopped with an error while closing its connections');
          process.exit(1);
        },
      );
    });
    // Keep-alive connections with no request in flight are closed now; busy ones once their answer is sent.
    server.closeIdleConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`api: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
