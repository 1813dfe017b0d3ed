/**
 * One JSON log line per request, once it is answered, with its request id, the route pattern it matched and,
 * for an order's route, the order's workflow id. The request is logged from an allow-list: no header at all (so
 * no bearer token, cookie or callback signature) and never a body (so no slip bytes).
 *
 * Written here rather than with pino-http, which builds two or three child loggers per request (the request
 * serialized into one at the start, the route's bindings into another at the end): with it, a bare Express
 * route went from about 5,800 to 3,600 requests a second on the 2-core machine (docs/benchmarks.md, API).
 * `req.log` is the same kind of child logger, made only when a handler logs something.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { orderWorkflowId } from '../../workflows/definitions';
import { requestIdOf } from './request-context';
import { matchedRoute } from './route-pattern';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (the caller's sane `X-Request-Id`, or a new UUID). */
    id?: string;
    /** A logger bound to this request's allow-listed fields. */
    log?: Logger;
  }
}

/** The request as logged: never its headers or body. */
function requestFields(req: IncomingMessage & { originalUrl?: string }): Record<string, unknown> {
  return { id: req.id, method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.socket?.remoteAddress };
}

/** The route pattern and, on an order's route, its workflow id. */
function routeFields(req: IncomingMessage): Record<string, unknown> {
  const route = matchedRoute(req);
  if (!route) return {};
  const orderNumber = route.params.orderNumber;
  return { route: route.pattern, ...(orderNumber ? { workflowId: orderWorkflowId(orderNumber) } : {}) };
}

/**
 * The API's request logger (and the per-request `req.log`). It needs only Node's request and response, so the
 * routes served in front of Express (api/shared/thin-path.ts) log through it too.
 */
export function httpLogger(logger: Logger): (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void) => void {
  // A completed request's line has only the allow-listed fields above (no header, no body, no error), none of which
  // the logger's redaction (config/logger.ts, the second line of defence) could ever change; that redaction walks
  // every path on every line and cost 20–25 µs a line here, a third of a small request. So completed lines skip it;
  // an errored line carries its error and keeps it.
  const completed = logger.child({}, { redact: [] });
  return (req, res, next) => {
    const startedAt = performance.now();
    // Set already when the answer writes its headers itself (thin-path.ts echoes it).
    req.id ??= requestIdOf(req, res);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      enumerable: false,
      get: () => (child ??= logger.child({ req: requestFields(req) })),
    });
    let logged = false;
    const done = (err?: Error) => {
      if (logged) return;
      logged = true;
      const line: Record<string, unknown> = {
        req: requestFields(req),
        ...routeFields(req),
        res: { statusCode: res.statusCode },
        responseTime: Math.round(performance.now() - startedAt),
      };
      // Also a request cut before its answer was written (the client went away, a timeout).
      if (err || res.statusCode >= 500 || !res.writableFinished) logger.info({ ...line, ...(err ? { err } : {}) }, 'request errored');
      else completed.info(line, 'request completed');
    };
    res.once('finish', () => done());
    res.once('close', () => done());
    res.once('error', done);
    next();
  };
}
