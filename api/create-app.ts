/**
 * The Express app: JSON over HTTP under /v1, in front of the workflows and the read model.
 * `createApp(deps)` builds it from real dependencies, so tests run it in-process against real servers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { httpLogger } from './shared/http-logging';
import { createApiMetrics } from './shared/metrics';
import { requestContext } from './shared/request-context';
import { rememberRoute } from './shared/route-pattern';
import type { ProviderInfo } from '../config/provider';
import { pingDatabase } from '../db/pool';
import { MovementBatcher, type BatchingOptions } from '../db/ledger/movement-batcher';
import type { TopupPolicy } from '../workflows/definitions';
import type { KeyPrincipal } from '../db/accounts/api-keys';
import { authenticate, credentialRules, opsReadOnly } from './accounts/auth';
import { PrincipalCache } from './accounts/principal-cache';
import { errorHandler, HttpError } from './shared/errors';
import { idempotent } from './shared/idempotency';
import { docsPage, openApiDocument } from './shared/openapi';
import { DEFAULT_ACCOUNT_UPLOAD_RATE_LIMIT, DEFAULT_RATE_LIMIT, DEFAULT_UPLOAD_RATE_LIMIT, RequestRateLimit, uploadRateLimit, type RateLimit } from './shared/rate-limit';
import { AuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMIT, type AuthFailureLimit } from './accounts/auth-failure-limit';
import { FailureBackoff } from './shared/failure-backoff';
import { noStore, securityHeaderList, securityHeaders } from './shared/security-headers';
import { balanceRoute, healthAnswer, healthRoute, thinPath } from './shared/thin-path';
import { balanceReader } from './ledger/balance-reader';
import { balanceRouter } from './ledger/balance-routes';
import { accountsRouter } from './accounts/account-routes';
import { apiKeysRouter } from './accounts/api-key-routes';
import { meRouter } from './accounts/me-routes';
import { movedSubAccountRoutes } from './accounts/moved-routes';
import { operationLogRouter } from './accounts/operation-log-routes';
import { passwordLinksRouter, passwordResetsRouter } from './accounts/password-link-routes';
import { sessionRouter, signInRouter } from './accounts/session-routes';
import { usersRouter } from './accounts/user-routes';
import { onlineOrdersRouter } from './online/online-order-routes';
import { bankTransferRouter } from './bank-transfer/bank-transfer-routes';
import { ordersRouter } from './orders/order-routes';
import { paymentCallbackRouter } from './online/payment-callback-routes';
import { invoicesRouter } from './billing/invoice-routes';
import { reviewRouter } from './orders/review-routes';
import { subscriptionsRouter } from './billing/subscription-routes';
import { topUpRulesRouter } from './orders/top-up-rules-routes';
import { USAGE_BATCH_BODY_LIMIT, usageRouter } from './ledger/usage-routes';
import { usageReportRouter } from './ledger/usage-report-routes';
import { statementRouter } from './ledger/statement-routes';
import { giftsRouter } from './ledger/gift-routes';
import { documentsRouter } from './billing/document-routes';
import { heldPaymentsRouter } from './billing/held-payment-routes';
import { webConsole } from './shared/web-console';
import type { WebhookUrlRule } from './webhooks/endpoint-url';
import { autoTopupAttemptsRouter, autoTopupsRouter, cardSetupsRouter, cardsRouter } from './auto-topup/auto-topup-routes';
import type { GatewayAccess } from './auto-topup/gateway-cards';
import { webhookEndpointsRouter } from './webhooks/webhook-routes';
import { exceptionsRouter } from './reconciliation/exception-routes';
import { csvMappingsRouter, statementsRouter } from './reconciliation/statement-routes';

/** Dependencies of the API. */
export interface AppDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  provider: ProviderInfo;
  logger: Logger;
  now?: () => Date;
  /** The shared secret the payment gateway signs its callbacks with. */
  paymentCallbackSecret: string;
  /** Requests per token and window under /v1; DEFAULT_RATE_LIMIT unless given. */
  rateLimit?: RateLimit;
  /** Slip uploads per user and window; DEFAULT_UPLOAD_RATE_LIMIT unless given. */
  uploadRateLimit?: RateLimit;
  /** Slip uploads per customer account (all its users) and window; DEFAULT_ACCOUNT_UPLOAD_RATE_LIMIT unless given. */
  accountUploadRateLimit?: RateLimit;
  /**
   * Holds on failed authentications per client address and per presented credential; DEFAULT_AUTH_FAILURE_LIMIT
   * unless given. The address policy also holds back unverifiable payment callbacks.
   */
  authFailureLimit?: AuthFailureLimit;
  /** How long a confirm of an online order waits for the gateway's invoice before answering 503 (ms); 5 s unless given. */
  confirmWaitMs?: number;
  /** The built web console served at /; dist/web unless given. */
  webConsoleDir?: string;
  /** PASSWORD_LINK_SECRET: invitation, setup and reset links are derived with it (db/accounts/password-links.ts). */
  passwordLinkSecret: string;
  /** The payment gateway's merchant API (PAYMENT_GATEWAY_URL): the owner saves cards there for automatic top-up. */
  gateway?: GatewayAccess;
  /** WEBHOOK_SECRET_KEY: webhook signing secrets are sealed under it (db/webhooks/secret-box.ts). */
  webhookSecretKey: string;
  /** WEBHOOK_URLS: which webhook URLs may be registered; https only unless given. */
  webhookUrls?: WebhookUrlRule;
  /** The session cookie is Secure whatever the request's protocol (the console's PUBLIC_URL is https). */
  secureCookies?: boolean;
  /** Resolved API keys; main.ts passes the cache its credential-change listener clears. */
  principals?: PrincipalCache<KeyPrincipal>;
  /** Serve `/healthz` and `/v1/balance` in front of Express (api/shared/thin-path.ts); true unless given. */
  thinPath?: boolean;
  /** How usage charges arriving together are grouped into one ledger transaction; DEFAULT_USAGE_BATCHING unless given. */
  usageBatching?: Pick<BatchingOptions, 'windowMs' | 'maxBatch'>;
}

/** USAGE_BATCH_WINDOW_MS and USAGE_BATCH_MAX's defaults (config/settings.ts). */
export const DEFAULT_USAGE_BATCHING = { windowMs: 2, maxBatch: 50 } as const;

/** Builds the app. Long on purpose: the middleware and routes in the order a request meets them, read as one list. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag on API answers: nothing here revalidates them, and computing one hashes every body.
  app.set('etag', false);
  const principals = deps.principals ?? new PrincipalCache<KeyPrincipal>();
  const metrics = createApiMetrics(deps.pool, deps.logger);
  const failureLimit = deps.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT;
  const failures = new AuthFailureLimiter(failureLimit);
  const now = deps.now ?? (() => new Date());
  const logRequest = httpLogger(deps.logger);
  const headers = securityHeaderList();
  const requestLimit = new RequestRateLimit(deps.rateLimit ?? DEFAULT_RATE_LIMIT);
  const balances = balanceReader(deps.pool);
  app.use(rememberRoute, logRequest, metrics.observeRequests);
  app.use(requestContext);
  app.use(securityHeaders(headers));
  app.use('/v1', noStore);
  // The gateway's callbacks are verified over their raw bytes, so they are routed before the JSON parser.
  app.use(
    '/v1/payments',
    paymentCallbackRouter({
      pool: deps.pool,
      temporal: deps.temporal,
      taskQueue: deps.taskQueue,
      policy: deps.policy,
      callbackSecret: deps.paymentCallbackSecret,
      now: deps.now ?? (() => new Date()),
      failures: new FailureBackoff(failureLimit.address),
    }),
  );
  // A batch of 1,000 usage charges is some 150 kB; every other body stays small.
  app.use('/v1/usage/batch', express.json({ limit: USAGE_BATCH_BODY_LIMIT }));
  app.use(express.json({ limit: '100kb' }));

  // Unauthenticated on purpose: aggregates only, for the Prometheus scraper.
  app.get('/metrics', metrics.serve);

  app.get('/healthz', (_req, res) => {
    res.json(healthAnswer());
  });

  app.get('/readyz', async (_req, res) => {
    const checks = {
      postgres: await pingDatabase(deps.pool).then(
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

  const document = openApiDocument();
  const docs = docsPage(document);
  app.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(docs);
  });

  const orderDeps = { ...deps, now, metrics };
  const identityDeps = { ...deps, now, failures, principals, secureCookies: deps.secureCookies ?? false };
  const v1 = express.Router();
  // Counted before authentication, so a flood with one token is limited too; guesses are held by authenticate.
  v1.use(requestLimit.middleware);
  // Without a credential: signing in, the one-time password links, asking for a reset, and the signposts of the
  // sub-account routes that moved.
  v1.use('/session', signInRouter(identityDeps));
  v1.use('/password-links', passwordLinksRouter(identityDeps));
  v1.use('/password-resets', passwordResetsRouter(identityDeps));
  v1.use('/sub-accounts', movedSubAccountRoutes);
  v1.use(authenticate({ pool: deps.pool, now, principals, failures }));
  // A session's changes carry its CSRF token; an API key has the scope a request needs.
  v1.use(credentialRules);
  // Ops read, never write, except creating a subscription (seed 002: ops or the product backend create them),
  // signing out and changing their own password.
  v1.use(opsReadOnly(['POST /subscriptions', 'DELETE /session', 'POST /me/password']));
  // Order creation honours an Idempotency-Key when one is sent; it runs before the orders router answers.
  v1.post('/orders', idempotent(deps.pool, 'create-order', { required: false }));
  // Counted before the multipart body is read, so a refused upload costs nothing.
  v1.post('/orders/:orderNumber/slip', uploadRateLimit(deps.uploadRateLimit ?? DEFAULT_UPLOAD_RATE_LIMIT, deps.accountUploadRateLimit ?? DEFAULT_ACCOUNT_UPLOAD_RATE_LIMIT));
  v1.use('/orders', ordersRouter(orderDeps));
  v1.use('/orders', bankTransferRouter(orderDeps));
  v1.post('/online-orders', idempotent(deps.pool, 'create-online-order', { required: false }));
  v1.use('/online-orders', onlineOrdersRouter(orderDeps));
  v1.use('/review', reviewRouter(orderDeps));
  v1.use('/subscriptions', subscriptionsRouter(deps));
  v1.use('/invoices', invoicesRouter(orderDeps));
  v1.use('/held-payments', heldPaymentsRouter(deps));
  const balanceDeps = { balances, policy: deps.policy };
  v1.use('/balance', balanceRouter(balanceDeps));
  const ledger = new MovementBatcher(deps.pool, {
    ...(deps.usageBatching ?? DEFAULT_USAGE_BATCHING),
    onBatchFailed: (err, size) => deps.logger.warn({ err, size }, 'a batch of usage charges failed as a whole; applying them one by one'),
  });
  v1.use('/usage', usageRouter({ ...deps, ledger }));
  v1.use('/usage', usageReportRouter({ pool: deps.pool, now }));
  v1.use('/wallets', statementRouter(deps));
  v1.use('/gifts', giftsRouter({ ...deps, now }));
  v1.use('/documents', documentsRouter(deps));
  v1.use('/session', sessionRouter(identityDeps));
  v1.use('/accounts', accountsRouter(identityDeps));
  v1.use('/users', usersRouter(identityDeps));
  v1.use('/api-keys', apiKeysRouter(identityDeps));
  v1.use('/operation-log', operationLogRouter(deps));
  v1.use('/me', meRouter(identityDeps));
  v1.use('/top-up-rules', topUpRulesRouter(deps));
  v1.use('/webhook-endpoints', webhookEndpointsRouter(deps));
  v1.use('/auto-topups', autoTopupsRouter(deps));
  v1.use('/auto-topup-attempts', autoTopupAttemptsRouter(deps));
  v1.use('/card-setups', cardSetupsRouter(deps));
  v1.use('/cards', cardsRouter(deps));
  v1.use('/finance/exceptions', exceptionsRouter(orderDeps));
  v1.use('/finance/statements', statementsRouter(orderDeps));
  v1.use('/finance/csv-mappings', csvMappingsRouter(orderDeps));
  app.use('/v1', v1);
  app.use(webConsole(deps.webConsoleDir));

  app.use((req, _res, next) => next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);

  if (deps.thinPath ?? true) {
    const thin = thinPath({
      logRequest,
      observeRequest: metrics.observeRequests,
      securityHeaders: headers,
      routes: [healthRoute, balanceRoute({ balanceDeps, principals, limit: requestLimit })],
    });
    // `app(req, res)` (app.listen's server, supertest) calls app.handle: the routes in front answer first.
    const handle = app as unknown as { handle: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void };
    const express = handle.handle.bind(app);
    handle.handle = (req, res, next) => {
      if (!thin(req, res)) express(req, res, next);
    };
  }
  return app;
}
