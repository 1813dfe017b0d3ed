/**
 * The hot reads served in front of Express (issue 22): `GET /healthz` and `GET /v1/balance`. Express's own work
 * (its request and response prototypes, a router walking a dozen mounts, the middleware every route passes) cost
 * more than these answers themselves: on the 2-core machine a bare Express app answered 16,000 requests a second and
 * `/healthz` through the app 6,200 (docs/benchmarks.md, API).
 *
 * What every answer carries stays: the request id, the security headers (helmet's, worked out once), no-store under
 * /v1, the request log line and the request metric (the same functions as the Express path), and the answer in the
 * common JSON shape, refusals included. A route here only takes a request it can answer the way Express would: a
 * GET without a body, and for `/v1/balance` an API key resolved a moment ago (PrincipalCache) with the read scope
 * and a role that may read balances, within its rate limit. Anything else (no or unknown key, a session cookie, a
 * refused scope or role, a request over its limit, HEAD, an Accept-Language that may prefer Indonesian) goes to Express untouched, which answers it as always:
 * nothing is counted or looked up here before a request is taken.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { KeyPrincipal } from '../../db/accounts/api-keys';
import { cachedKeyPrincipal } from '../accounts/auth';
import type { PrincipalCache } from '../accounts/principal-cache';
import { BALANCE_READERS, readBalance, type BalanceDeps } from '../ledger/balance-routes';
import { errorBody, httpErrorOf } from './errors';
import type { RequestRateLimit } from './rate-limit';
import { requestIdFrom } from './request-context';
import { rememberMatch } from './route-pattern';

/** A handler that needs only Node's request and response (the request log, the request metric). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** A route served here. */
export interface ThinRoute {
  /** The exact path, also the route pattern in logs and metrics. */
  path: string;
  /**
   * Takes the request (answers how to produce the body; any side effect of taking it, such as counting it against
   * a rate limit, done) or leaves it to Express (undefined, nothing done). `query` is what follows the `?`.
   */
  take(req: IncomingMessage, query: string): (() => unknown) | undefined;
}

/** What the path needs besides its routes. */
export interface ThinPathDeps {
  logRequest: NodeHandler;
  observeRequest: NodeHandler;
  securityHeaders: ReadonlyArray<readonly [string, string]>;
  routes: readonly ThinRoute[];
}

const noop = () => undefined;

/** Answers the request if a route here takes it (true), else leaves it alone (false) for Express. */
export function thinPath(deps: ThinPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const routes = new Map(deps.routes.map((r) => [r.path, r]));
  // The headers every answer here has, as writeHead takes them (one call instead of a setHeader each).
  const fixed = deps.securityHeaders.flat();
  const underV1 = [...fixed, 'Cache-Control', 'no-store'];
  return (req, res) => {
    if (req.method !== 'GET' || hasBody(req) || mayPreferIndonesian(req)) return false;
    const url = req.url ?? '';
    const mark = url.indexOf('?');
    const route = routes.get(mark < 0 ? url : url.slice(0, mark));
    const answer = route?.take(req, mark < 0 ? '' : url.slice(mark + 1));
    if (!route || !answer) return false;
    req.id = requestIdFrom(req);
    deps.logRequest(req, res, noop);
    deps.observeRequest(req, res, noop);
    rememberMatch(req, route.path);
    void respond(req, res, answer, route.path.startsWith('/v1/') ? underV1 : fixed);
    return true;
  };
}

async function respond(req: IncomingMessage, res: ServerResponse, answer: () => unknown, headers: string[]): Promise<void> {
  let status = 200;
  let body: unknown;
  let extra: string[] = [];
  try {
    body = await answer();
  } catch (err) {
    const http = httpErrorOf(err, req.log);
    // A 503 is a moment's outage (a restarting dependency): tell clients when to try again, as errorHandler does.
    if (http.status === 503) extra = ['Retry-After', '1'];
    extra.push('Vary', 'Accept-Language');
    status = http.status;
    body = errorBody(http);
  }
  const json = JSON.stringify(body);
  // The order of the Express path's headers: request id, security headers, no-store, then the body's.
  res.writeHead(status, ['X-Request-Id', req.id!, ...headers, ...extra, 'Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(json))]);
  res.end(json);
}

/**
 * A refusal is answered in the caller's language, English unless Accept-Language prefers Indonesian: a request whose
 * header names `id` goes to Express, which negotiates it; any other (none, `*`, `en-US`, `fr`) is answered in English
 * here, as Express would.
 */
function mayPreferIndonesian(req: IncomingMessage): boolean {
  const header = req.headers['accept-language'];
  return header !== undefined && /(^|,)\s*id(\s*[-;,]|\s*$)/i.test(header);
}

/** A GET with a body goes to Express, whose JSON parser reads (and may refuse) it. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** `GET /healthz`: the process answers. */
export const healthRoute: ThinRoute = {
  path: '/healthz',
  take: () => healthAnswer,
};

/** The body of `GET /healthz` (also the Express route's). */
export function healthAnswer(): { status: 'ok' } {
  return { status: 'ok' };
}

/** `GET /v1/balance` for a key resolved a moment ago; the same answer as the Express route (readBalance). */
export function balanceRoute(deps: { balanceDeps: BalanceDeps; principals: PrincipalCache<KeyPrincipal>; limit: RequestRateLimit }): ThinRoute {
  return {
    path: '/v1/balance',
    take(req, query) {
      const authorization = req.headers.authorization;
      if (authorization === undefined) return undefined;
      const found = cachedKeyPrincipal(deps.principals, authorization);
      if (!found || !found.scopes.includes('read') || !BALANCE_READERS.includes(found.role)) return undefined;
      if (!deps.limit.admitBearer(authorization)) return undefined;
      const { keyId: _keyId, scopes: _scopes, expiresAt: _expiresAt, ...principal } = found;
      return () => readBalance(deps.balanceDeps, principal, querystring.parse(query));
    },
  };
}
