/**
 * The route pattern a request matched (`/v1/orders/:orderNumber/approve`), for metric labels and log lines
 * that must never carry the raw path with its order numbers. Express forgets the mount path once a router
 * passes an error on, so the pattern is taken at the moment the router assigns `req.route`.
 */
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';

/** What a request matched: the full route pattern and its path parameters. */
export interface MatchedRoute {
  pattern: string;
  params: Record<string, string>;
}

const matches = new WeakMap<IncomingMessage, MatchedRoute>();

function joinPattern(baseUrl: string, path: string): string {
  return path === '/' && baseUrl ? baseUrl : `${baseUrl}${path}`;
}

/** Records what a request matched (also for requests served without Express: api/shared/thin-path.ts). */
export function rememberMatch(req: IncomingMessage, pattern: string, params: Record<string, string> = {}): void {
  matches.set(req, { pattern, params });
}

/** Installed first: records the pattern and params each time a router assigns the route it matched. */
export const rememberRoute: RequestHandler = (req, _res, next) => {
  let route: unknown;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set(value: unknown) {
      route = value;
      const path = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') rememberMatch(req, joinPattern(req.baseUrl, path), { ...(req.params as Record<string, string>) });
    },
  });
  next();
};

/** The route the request matched, or undefined when it was answered before any route (401, 404, 429). */
export function matchedRoute(req: IncomingMessage): MatchedRoute | undefined {
  return matches.get(req);
}
