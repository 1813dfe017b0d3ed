/**
 * One JSON log line per request (pino-http) with its request id, the route pattern it matched and, for an
 * order's route, the order's workflow id. The request is logged from an allow-list: no header at all (so no
 * bearer token, cookie or callback signature) and never a body (so no slip bytes).
 */
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { orderWorkflowId } from '../workflows/definitions';
import { requestIdOf } from './request-context';
import { matchedRoute } from './route-pattern';

/** The pino-http middleware of the API. */
export function httpLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: requestIdOf,
    serializers: {
      req: (req: { id?: unknown; method: string; url: string; remoteAddress?: string }) => ({ id: req.id, method: req.method, url: req.url, remoteAddress: req.remoteAddress }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customProps: (req) => {
      const route = matchedRoute(req);
      if (!route) return {};
      const orderNumber = route.params.orderNumber;
      return { route: route.pattern, ...(orderNumber ? { workflowId: orderWorkflowId(orderNumber) } : {}) };
    },
  });
}
