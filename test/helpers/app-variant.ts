/** Another app over the same harness (database, Temporal, worker), with some AppDeps overridden: limits, mostly. */
import { Client } from '@temporalio/client';
import type { Express } from 'express';
import pino from 'pino';
import { createApp, type AppDeps } from '../../api/create-app';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { TEST_GATEWAY, TEST_PASSWORD_LINK_SECRET, TEST_PROVIDER, TEST_WEBHOOK_SECRET_KEY } from './activity-deps';
import type { TestApi } from './api';

export function appVariant(api: TestApi, overrides: Partial<AppDeps>): Express {
  return createApp({
    pool: api.t.db.pool,
    temporal: new Client({ connection: api.env.connection, namespace: api.env.namespace ?? 'default' }),
    taskQueue: api.taskQueue,
    policy: DEFAULT_POLICY,
    provider: TEST_PROVIDER,
    paymentCallbackSecret: TEST_GATEWAY.callbackSecret,
    passwordLinkSecret: TEST_PASSWORD_LINK_SECRET,
    webhookSecretKey: TEST_WEBHOOK_SECRET_KEY,
    logger: pino({ level: 'silent' }),
    ...overrides,
  });
}
