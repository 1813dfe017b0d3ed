/**
 * The API's Prometheus metrics (`GET /metrics`), one registry per app so apps in one process never share
 * counters. Only aggregates: labels are statuses, decisions, methods, route patterns and status codes, never
 * an account id or an order number.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { countOrdersByStatus, oldestDealingAgeSeconds } from '../../db/orders/read-model';
import { countUnresolvedByReason, oldestOpenExceptionAgeSeconds } from '../../db/reconciliation/exceptions';
import { EXCEPTION_REASONS, isOnlineOrder, ORDER_STATUSES, type AnyOrderView } from '../../workflows/definitions';
import { matchedRoute } from './route-pattern';

/** Finance's answer to an order waiting on it. */
export type Decision = 'approved' | 'rejected';

/** The API's metrics. */
export interface ApiMetrics {
  registry: Registry;
  /** Times every request, labelled by its route pattern (Node's request and response suffice: thin-path.ts uses it too). */
  observeRequests: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** `GET /metrics`. */
  serve: RequestHandler;
  /** Records finance's decision on an order (the order after it), with how long the order waited for it. Once per decision: see claimDecisionTiming. */
  observeDecision(order: AnyOrderView, decision: Decision, now: Date): void;
}

const HOUR = 3600;
/** From a minute to five days: finance's review window is 24 h, a Paid late order waits up to 90 days. */
const DECISION_BUCKETS = [60, 300, 900, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 12 * HOUR, 16 * HOUR, 20 * HOUR, 24 * HOUR, 48 * HOUR, 120 * HOUR];

/** Requests answered before any route matched (401, 404, 429) share one label. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Since when the order has been waiting on finance: its latest slip, or a late online payment. */
function waitingSince(view: AnyOrderView): string | null {
  return isOnlineOrder(view) ? (view.payment?.paidAt ?? null) : view.submittedAt;
}

/** Builds the registry and its metrics (one declaration each, in a list); the order gauges read the read model at each scrape. */
export function createApiMetrics(pool: Pool, logger: Logger): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  new Gauge({
    name: 'topup_orders',
    help: 'Orders in the read model by status (every API instance reports the same totals: aggregate with max, not sum).',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = new Map<string, number>(ORDER_STATUSES.map((s) => [s, 0]));
      try {
        for (const row of await countOrdersByStatus(pool)) counts.set(row.status, row.n);
      } catch (err) {
        logger.warn({ err }, 'metrics: the order read model could not be read');
        return;
      }
      for (const [status, n] of counts) this.set({ status }, n);
    },
  });

  new Gauge({
    name: 'topup_orders_dealing_oldest_seconds',
    help: 'Age of the oldest slip still waiting on finance (Dealing), 0 when none waits.',
    registers: [registry],
    async collect() {
      try {
        this.set(await oldestDealingAgeSeconds(pool));
      } catch (err) {
        logger.warn({ err }, 'metrics: the order read model could not be read');
      }
    },
  });

  new Gauge({
    name: 'topup_payment_exceptions',
    help: 'Payment exceptions not resolved yet (open, in progress, or held by an order), by reason (every API instance reports the same totals).',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const counts = new Map<string, number>(EXCEPTION_REASONS.map((r) => [r, 0]));
      try {
        for (const row of await countUnresolvedByReason(pool)) counts.set(row.reason, row.n);
      } catch (err) {
        logger.warn({ err }, 'metrics: the payment exceptions could not be read');
        return;
      }
      for (const [reason, n] of counts) this.set({ reason }, n);
    },
  });

  new Gauge({
    name: 'topup_payment_exceptions_open_oldest_seconds',
    help: 'Age of the oldest payment exception waiting for finance (open), since its money was received; 0 when none waits.',
    registers: [registry],
    async collect() {
      try {
        this.set(await oldestOpenExceptionAgeSeconds(pool));
      } catch (err) {
        logger.warn({ err }, 'metrics: the payment exceptions could not be read');
      }
    },
  });

  const decisions = new Histogram({
    name: 'topup_order_decision_seconds',
    help: "Time from an order's submission (latest slip, or late payment) to finance's approve or reject.",
    labelNames: ['decision'],
    buckets: DECISION_BUCKETS,
    registers: [registry],
  });

  const requests = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'API request latency by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'],
    registers: [registry],
  });

  return {
    registry,
    observeRequests: (req, res, next) => {
      const stop = requests.startTimer();
      res.once('finish', () => stop({ method: req.method ?? '', route: matchedRoute(req)?.pattern ?? UNMATCHED_ROUTE, status_code: String(res.statusCode) }));
      next();
    },
    serve: async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    },
    observeDecision(order, decision, now) {
      const since = waitingSince(order);
      if (since) decisions.observe({ decision }, Math.max(0, (now.getTime() - Date.parse(since)) / 1000));
    },
  };
}
