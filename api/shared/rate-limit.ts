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

/**
 * The per-token request limit: a middleware answering 429 `too_many_requests` with `Retry-After` (seconds) once a
 * token has used up its window, and the same count for the routes served in front of Express (thin-path.ts).
 */
export class RequestRateLimit {
  private readonly windows: FixedWindows;
  /** The middleware for /v1. */
  readonly middleware: RequestHandler;

  constructor(opts: RateLimit, now: () => number = Date.now) {
    this.windows = new FixedWindows(opts, now);
    this.middleware = limitBy(this.windows, 'requests', (req) => callerKey(req.header('authorization') ?? req.header('cookie'), req.ip));
  }

  /**
   * For a request with an `Authorization` header: counts it and answers true, or answers false without counting
   * when it would be refused (the caller then leaves it to the middleware, which counts it and answers the 429).
   */
  admitBearer(authorization: string): boolean {
    const key = callerKey(authorization, undefined);
    if (this.windows.wouldRefuse(key)) return false;
    this.windows.count(key);
    return true;
  }
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

/** Requests counted per key in fixed windows of `windowMs`, at most `limit` each. */
class FixedWindows {
  private readonly windows = new Map<string, { startedAt: number; count: number }>();

  constructor(
    private readonly opts: RateLimit,
    private readonly now: () => number,
  ) {}

  /** Counts one request of `key`; answers the seconds to wait when it is over the limit, else null. */
  count(key: string): number | null {
    const at = this.now();
    if (this.windows.size > 10_000) {
      for (const [k, w] of this.windows) if (at - w.startedAt >= this.opts.windowMs) this.windows.delete(k);
    }
    let window = this.windows.get(key);
    if (!window || at - window.startedAt >= this.opts.windowMs) {
      window = { startedAt: at, count: 0 };
      this.windows.set(key, window);
    }
    window.count += 1;
    if (window.count <= this.opts.limit) return null;
    return Math.max(1, Math.ceil((window.startedAt + this.opts.windowMs - at) / 1000));
  }

  /** Whether one more request of `key` now would be over the limit (nothing counted). */
  wouldRefuse(key: string): boolean {
    const window = this.windows.get(key);
    return window !== undefined && this.now() - window.startedAt < this.opts.windowMs && window.count >= this.opts.limit;
  }

  get limit(): RateLimit {
    return this.opts;
  }
}

/** A middleware counting requests per `keyOf` (null: not counted here). */
function limitBy(windows: FixedWindows, what: string, keyOf: (req: Request) => string | null): RequestHandler {
  return (req, res, next) => {
    const key = keyOf(req);
    if (key === null) return next();
    const retryAfter = windows.count(key);
    if (retryAfter !== null) {
      const { limit, windowMs } = windows.limit;
      res.set('Retry-After', String(retryAfter));
      throw new HttpError(429, 'too_many_requests', `at most ${limit} ${what} per ${windowMs / 1000} s; retry after ${retryAfter} s`);
    }
    next();
  };
}

/** Counts requests per `keyOf` (null: not counted here) in fixed windows. */
function fixedWindowLimit(opts: RateLimit, what: string, keyOf: (req: Request) => string | null, now: () => number): RequestHandler {
  return limitBy(new FixedWindows(opts, now), what, keyOf);
}

/** The credential's hash (never the credential itself, which would otherwise sit in memory), or the client address. */
function callerKey(credential: string | undefined, ip: string | undefined): string {
  if (credential) return `token:${createHash('sha256').update(credential).digest('base64url')}`;
  return `ip:${ip ?? 'unknown'}`;
}
