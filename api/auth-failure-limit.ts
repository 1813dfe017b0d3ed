/**
 * A limit on failed authentications per client address. The per-token rate limit (rate-limit.ts) counts each
 * token apart, so a client guessing a new token on every request would never meet it; this one counts the 401
 * answers of an address and, past `limit` in a window, answers 429 before looking at the token at all.
 */
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

/** How many failed authentications one address may have in one window. */
export interface AuthFailureLimit {
  limit: number;
  windowMs: number;
}

/** Far above a mistyped token or an expired session retried a few times. */
export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = { limit: 20, windowMs: 60_000 };

/** Mount before authentication. */
export function authFailureLimit(opts: AuthFailureLimit, now: () => number = Date.now): RequestHandler {
  const windows = new Map<string, { startedAt: number; failures: number }>();
  const current = (key: string, at: number) => {
    let w = windows.get(key);
    if (!w || at - w.startedAt >= opts.windowMs) {
      if (windows.size > 10_000) for (const [k, old] of windows) if (at - old.startedAt >= opts.windowMs) windows.delete(k);
      w = { startedAt: at, failures: 0 };
      windows.set(key, w);
    }
    return w;
  };
  return (req, res, next) => {
    const key = req.ip ?? 'unknown';
    const at = now();
    const window = current(key, at);
    if (window.failures >= opts.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + opts.windowMs - at) / 1000));
      res.set('Retry-After', String(retryAfter));
      throw new HttpError(429, 'too_many_requests', `too many failed authentications from this address; retry after ${retryAfter} s`);
    }
    res.on('finish', () => {
      if (res.statusCode === 401) current(key, now()).failures += 1;
    });
    next();
  };
}
