/**
 * A per-token rate limit: a fixed window counted in memory (one API process; several processes each count
 * their own). Requests without a token are counted per client address.
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

/** How many requests one token may make in one window. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Generous: a portal or a product backend never meets it in normal use. */
export const DEFAULT_RATE_LIMIT: RateLimit = { limit: 600, windowMs: 60_000 };

/** Answers 429 `too_many_requests` with `Retry-After` (seconds) once a token has used up its window. */
export function rateLimit(opts: RateLimit, now: () => number = Date.now): RequestHandler {
  const windows = new Map<string, { startedAt: number; count: number }>();
  return (req, res, next) => {
    const at = now();
    if (windows.size > 10_000) {
      for (const [k, w] of windows) if (at - w.startedAt >= opts.windowMs) windows.delete(k);
    }
    const key = callerKey(req.header('authorization'), req.ip);
    let window = windows.get(key);
    if (!window || at - window.startedAt >= opts.windowMs) {
      window = { startedAt: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > opts.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + opts.windowMs - at) / 1000));
      res.set('Retry-After', String(retryAfter));
      throw new HttpError(429, 'too_many_requests', `at most ${opts.limit} requests per ${opts.windowMs / 1000} s; retry after ${retryAfter} s`);
    }
    next();
  };
}

/** The token's hash (never the token itself, which would otherwise sit in memory), or the client address. */
function callerKey(authorization: string | undefined, ip: string | undefined): string {
  if (authorization) return `token:${createHash('sha256').update(authorization).digest('base64url')}`;
  return `ip:${ip ?? 'unknown'}`;
}
