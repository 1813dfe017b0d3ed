/**
 * The Express app: JSON over HTTP under /v1, in front of the workflows and the read model.
 * `createApp(deps)` builds it from real dependencies, so tests run it in-process against real servers.
 */
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { ProviderInfo } from '../config/provider';
import type { TopupPolicy } from '../workflows/policy';
import { authenticate } from './auth';
import { errorHandler, HttpError } from './errors';
import { ordersRouter } from './routes/orders';

/** Dependencies of the API. */
export interface AppDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  provider: ProviderInfo;
  logger: Logger;
  now?: () => Date;
}

/** Builds the app. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(pinoHttp({ logger: deps.logger, redact: ['req.headers.authorization'] }));
  app.use(express.json({ limit: '100kb' }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const checks = {
      postgres: await deps.pool.query('SELECT 1').then(
        () => 'ok',
        (err: Error) => err.message,
      ),
      temporal: await deps.temporal.connection.workflowService.getSystemInfo({}).then(
        () => 'ok',
        (err: Error) => err.message,
      ),
    };
    const ready = Object.values(checks).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });

  const v1 = express.Router();
  v1.use(authenticate(deps.pool));
  v1.use('/orders', ordersRouter({ ...deps, now: deps.now ?? (() => new Date()) }));
  app.use('/v1', v1);

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
