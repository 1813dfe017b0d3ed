/**
 * The API in-process (`createApp`) in front of a real time-skipping Temporal environment, a worker with the
 * real activities, a real PostgreSQL and a real SMTP sink. supertest drives it; nothing is mocked.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import { Client } from '@temporalio/client';
import type { Activities } from '../../activities';
import { createApp } from '../../api/create-app';
import type { RateLimit } from '../../api/shared/rate-limit';
import { requestIdClientInterceptor } from '../../api/shared/request-context';
import { DEFAULT_POLICY, type TopupPolicy } from '../../workflows/shared/policy';
import type { Server } from 'node:http';
import { freePort } from '../../scripts/net';
import { createTestActivityDeps, TEST_GATEWAY, TEST_PASSWORD_LINK_SECRET, TEST_PROVIDER, TEST_WEBHOOK_SECRET_KEY, type TestActivityDeps } from './activity-deps';
import { createTestWorker, startTimeSkippingEnv, uniqueTaskQueue } from './temporal';

/** A running API test harness; `close()` stops everything. */
export interface TestApi {
  app: Express;
  env: TestWorkflowEnvironment;
  t: TestActivityDeps;
  taskQueue: string;
  /** Where the app also listens, for the payment gateway's callbacks (http://127.0.0.1:port). */
  baseUrl: string;
  /** Shuts the worker down (workflows and activities wait for it), as a worker that is away. */
  stopWorker(): Promise<void>;
  /** Starts a new worker on the same task queue. */
  startWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestApi(
  opts: {
    policy?: TopupPolicy;
    wrapActivities?: (activities: Activities) => Activities;
    logger?: Logger;
    rateLimit?: RateLimit;
    emptyDatabase?: boolean;
    gatewayTimeoutMs?: number;
    /** Worker tuning, e.g. `maxCachedWorkflows: 0` (no sticky queue: a stopped worker's workflows wait on the task queue). */
    workerTuning?: { maxCachedWorkflows?: number };
  } = {},
): Promise<TestApi> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const [env, t] = await Promise.all([
    startTimeSkippingEnv(),
    createTestActivityDeps({
      callbackUrl: `${baseUrl}/v1/payments/callback`,
      emptyDatabase: opts.emptyDatabase ?? false,
      publicUrl: baseUrl,
      ...(opts.gatewayTimeoutMs ? { gatewayTimeoutMs: opts.gatewayTimeoutMs } : {}),
      ...(opts.policy ? { policy: opts.policy } : {}),
    }),
  ]);
  const taskQueue = uniqueTaskQueue('api');
  let worker: Worker | null = await createTestWorker(env, taskQueue, t.deps, opts.wrapActivities, opts.workerTuning);
  let running = worker.run();
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = null;
  };
  const app = createApp({
    pool: t.db.pool,
    // The API's own client, with the interceptor that carries the request id (as api/main.ts builds it).
    temporal: new Client({ connection: env.connection, namespace: env.namespace ?? 'default', interceptors: { workflow: [requestIdClientInterceptor()] } }),
    taskQueue,
    policy: opts.policy ?? DEFAULT_POLICY,
    provider: TEST_PROVIDER,
    paymentCallbackSecret: TEST_GATEWAY.callbackSecret,
    passwordLinkSecret: TEST_PASSWORD_LINK_SECRET,
    webhookSecretKey: TEST_WEBHOOK_SECRET_KEY,
    gateway: { url: t.gateway.url, apiKey: TEST_GATEWAY.apiKey },
    // Tests run their webhook receivers on this machine, over http.
    webhookUrls: 'https-or-local-http',
    logger: opts.logger ?? pino({ level: 'silent' }),
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return {
    app,
    env,
    t,
    taskQueue,
    baseUrl,
    stopWorker,
    async startWorker() {
      await stopWorker();
      worker = await createTestWorker(env, taskQueue, t.deps, opts.wrapActivities, opts.workerTuning);
      running = worker.run();
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await stopWorker();
      await env.teardown();
      await t.close();
    },
  };
}
