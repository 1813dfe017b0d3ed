/**
 * The API in-process (`createApp`) in front of a real time-skipping Temporal environment, a worker with the
 * real activities, a real PostgreSQL and a real SMTP sink. supertest drives it; nothing is mocked.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Express } from 'express';
import pino from 'pino';
import { Client } from '@temporalio/client';
import { createApp } from '../../api/create-app';
import { requestIdClientInterceptor } from '../../api/request-context';
import { DEFAULT_POLICY, type TopupPolicy } from '../../workflows/policy';
import { createTestActivityDeps, TEST_PROVIDER, type TestActivityDeps } from './activity-deps';
import { createTestWorker, startTimeSkippingEnv, uniqueTaskQueue } from './temporal';

/** A running API test harness; `close()` stops everything. */
export interface TestApi {
  app: Express;
  env: TestWorkflowEnvironment;
  t: TestActivityDeps;
  taskQueue: string;
  close(): Promise<void>;
}

export async function startTestApi(opts: { policy?: TopupPolicy } = {}): Promise<TestApi> {
  const [env, t] = await Promise.all([startTimeSkippingEnv(), createTestActivityDeps()]);
  const taskQueue = uniqueTaskQueue('api');
  const worker: Worker = await createTestWorker(env, taskQueue, t.deps);
  const running = worker.run();
  const app = createApp({
    pool: t.db.pool,
    // The API's own client, with the interceptor that carries the request id (as api/main.ts builds it).
    temporal: new Client({ connection: env.connection, namespace: env.namespace ?? 'default', interceptors: { workflow: [requestIdClientInterceptor()] } }),
    taskQueue,
    policy: opts.policy ?? DEFAULT_POLICY,
    provider: TEST_PROVIDER,
    logger: pino({ level: 'silent' }),
  });
  return {
    app,
    env,
    t,
    taskQueue,
    async close() {
      worker.shutdown();
      await running;
      await env.teardown();
      await t.close();
    },
  };
}
