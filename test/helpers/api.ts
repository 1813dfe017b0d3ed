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
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestActivityDeps, TEST_GATEWAY, TEST_PASSWORD_LINK_SECRET, TEST_PROVIDER, TEST_WEBHOOK_SECRET_KEY, type TestActivityDeps } from './activity-deps';
import { createStaffUser, type TestUser } from './fixtures';
import { setInBeforeAll } from './set-in-before-all';
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

/** How a test file wants its API harness started. */
export interface TestApiOptions {
  policy?: TopupPolicy;
  wrapActivities?: (activities: Activities) => Activities;
  logger?: Logger;
  rateLimit?: RateLimit;
  emptyDatabase?: boolean;
  gatewayTimeoutMs?: number;
  /** Worker tuning, e.g. `maxCachedWorkflows: 0` (no sticky queue: a stopped worker's workflows wait on the task queue). */
  workerTuning?: { maxCachedWorkflows?: number };
}

export async function startTestApi(opts: TestApiOptions = {}): Promise<TestApi> {
  // The port the gateway calls back on is bound before anything else starts: a port only found free and bound later
  // was once taken meanwhile by the test server starting beside it, and the callbacks went there.
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
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
  server.on('request', app);
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

/** The `Authorization` header of a bearer token (an API key or a test user's token). */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * A {@link TestApi} that stands for the one `current()` answers once it is started: test files can hold it in a
 * `const` at the top and use it in their hooks and tests, while the harness itself only starts in `beforeAll`.
 */
export function deferredTestApi(current: () => TestApi | undefined): TestApi {
  const started = setInBeforeAll(current, 'The test API is not started');
  return {
    get app() {
      return started().app;
    },
    get env() {
      return started().env;
    },
    get t() {
      return started().t;
    },
    get taskQueue() {
      return started().taskQueue;
    },
    get baseUrl() {
      return started().baseUrl;
    },
    stopWorker: () => started().stopWorker(),
    startWorker: () => started().startWorker(),
    close: () => started().close(),
  };
}

/**
 * Starts the API harness before the file's tests (in a `beforeAll` registered here, so it runs before the file's own)
 * and closes it after them, once `beforeClose` (a last check on the running harness) has run. Answers the harness,
 * usable from the file's hooks and tests.
 */
export function useTestApi(opts: TestApiOptions = {}, hooks: { beforeClose?: (api: TestApi) => Promise<void> } = {}): TestApi {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await startTestApi(opts);
  });
  afterAll(async () => {
    if (!api) return;
    try {
      await hooks.beforeClose?.(api);
    } finally {
      await api.close();
    }
  });
  return deferredTestApi(() => api);
}

/**
 * One provider staff user of each role in `roles`, created once the file's API is up (in a `beforeAll` registered
 * here, so it runs before the file's own); each answers its user from the file's hooks and tests.
 */
export function useStaffUsers<R extends Parameters<typeof createStaffUser>[1]>(api: TestApi, ...roles: R[]): Record<R, TestUser> {
  const created = new Map<R, TestUser>();
  beforeAll(async () => {
    const users = await Promise.all(roles.map((role) => createStaffUser(api.t.db.pool, role)));
    roles.forEach((role, i) => created.set(role, users[i]!));
  });
  const user = (role: R): TestUser => setInBeforeAll(() => created.get(role), `The ${role} user is not created`)();
  const deferred = (role: R): TestUser => ({
    get userId() {
      return user(role).userId;
    },
    get username() {
      return user(role).username;
    },
    get token() {
      return user(role).token;
    },
    get email() {
      return user(role).email;
    },
  });
  return Object.fromEntries(roles.map((role) => [role, deferred(role)])) as Record<R, TestUser>;
}
