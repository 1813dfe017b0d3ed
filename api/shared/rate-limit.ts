/**
 * Rate limits as fixed windows counted in memory (one API process; several processes each count their own):
 * every request per API key or session cookie (requests with neither per client address), and slip uploads per
 * user and per customer account.
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { HttpError } from './errors';

/** How many requests one token may make in one window. */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Generous: a portal or a product backend never meets it in normal use. */
export const DEFAULT_RATE_LIMIT: RateLimit = { limit: 600, windowMs: 60_000 };

/**
 * Slip uploads per user: each may carry 10 MB that is read, hashed and stored, so they get their own, smaller
 * budget inside the per-token one. A customer uploads one slip per order, another after a rejection.
 * `SLIP_UPLOADS_PER_10_MINUTES` sets the limit of the API process.
 */
export const DEFAULT_UPLOAD_RATE_LIMIT: RateLimit = { limit: 30, windowMs: 10 * 60_000 };

/**
 * Slip uploads per customer account, all its users together, so an owner cannot multiply the per-user budget by
 * creating PICs. `SLIP_UPLOADS_PER_ACCOUNT_PER_10_MINUTES` sets the limit of the API process.
 */
export const DEFAULT_ACCOUNT_UPLOAD_RATE_LIMIT: RateLimit = { limit: 60, windowMs: 10 * 60_000 };

/** Answers 429 `too_many_requests` with `Retry-After` (seconds) once a token has used up its window. */
export function rateLimit(opts: RateLimit, now: () => number = Date.now): RequestHandler {
  return fixedWindowLimit(opts, 'requests', (req) => callerKey(req.header('authorization') ?? req.header('cookie'), req.ip), now);
}

/**
 * The upload limits: counted per authenticated user and per customer account (staff have no account), before
 * the body is read. Mount after authentication.
 */
export function uploadRateLimit(perUser: RateLimit, perAccount: RateLimit, now: () => number = Date.now): RequestHandler[] {
  return [
    fixedWindowLimit(perUser, 'slip uploads', (req) => `user:${req.principal?.userId ?? req.ip ?? 'unknown'}`, now),
    fixedWindowLimit(perAccount, "slip uploads by this account's users", (req) => (req.principal?.accountId ? `account:${req.principal.accountId}` : null), now),
  ];
}

/** Counts requests per `keyOf` (null: not counted here) in fixed windows. */
function fixedWindowLimit(opts: RateLimit, what: string, keyOf: (req: Request) => string | null, now: () => number): RequestHandler {
  const windows = new Map<string, { startedAt: number; count: number }>();
  return (req, res, next) => {
    const at = now();
    if (windows.size > 10_000) {
      for (const [k, w] of windows) if (at - w.startedAt >= opts.windowMs) windows.delete(k);
    }
    const key = keyOf(req);
    if (key === null) return next();
    let window = windows.get(key);
    if (!window || at - window.startedAt >= opts.windowMs) {
      window = { startedAt: at, count: 0 };
      windows.set(key, window);
    }
    window.count += 1;
    if (window.count > opts.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.startedAt + opts.windowMs - at) / 1000));
      res.set('Retry-After', String(retryAfter));
      throw new HttpError(429, 'too_many_requests', `at most ${opts.limit} ${what} per ${opts.windowMs / 1000} s; retry after ${retryAfter} s`);
    }
    next();
  };
}

/** The credential's hash (never the credential itself, which would otherwise sit in memory), or the client address. */
function callerKey(credential: string | undefined, ip: string | undefined): string {
  if (credential) return `token:${createHash('sha256').update(credential).digest('base64url')}`;
  return `ip:${ip ?? 'unknown'}`;
}
