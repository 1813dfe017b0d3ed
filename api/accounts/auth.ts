/**
 * Bearer-token authentication and the role checks of the routes. Tokens are random and stored only as their
 * SHA-256 (db/accounts/tokens.ts); each is bound to one user with one role.
 */
import type { RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import { findPrincipal, hashToken, type Principal, type Role } from '../../db/accounts/tokens';
import { HttpError } from '../shared/errors';
import { AuthFailureLimiter } from './auth-failure-limit';
import { PrincipalCache } from './principal-cache';

export type { Principal, Role };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** What a token may look like: RFC 6750's b64token, of a length our tokens (and the demo ones) have. */
const TOKEN_SHAPE = /^[\w.~+/-]{16,200}=*$/;

/**
 * The token of an `Authorization: Bearer <token>` header; null when the header is missing or names another
 * scheme. The scheme name is case-insensitive and may be followed by several spaces (RFC 9110, 11.4).
 */
export function bearerToken(header: string | undefined): string | null {
  const match = /^bearer +(.*)$/i.exec(header?.trim() ?? '');
  return match?.[1] ?? null;
}

/** A 401 with the `WWW-Authenticate` challenge RFC 6750 asks for. */
function unauthenticated(res: Response, message: string, error?: 'invalid_token'): HttpError {
  res.set('WWW-Authenticate', error ? `Bearer error="${error}"` : 'Bearer');
  return new HttpError(401, 'unauthenticated', message);
}

/**
 * Resolves `Authorization: Bearer <token>` to a principal (briefly cached, see principal-cache.ts), or answers
 * 401: "required" without a bearer token, "not valid" for a token of the wrong shape or one we do not know.
 * Failed attempts are counted by `failures` (auth-failure-limit.ts), which answers 429 for the held ones.
 */
export function authenticate(pool: Pool, cache: PrincipalCache = new PrincipalCache(), failures: AuthFailureLimiter = new AuthFailureLimiter()): RequestHandler {
  return async (req, res, next) => {
    const token = bearerToken(req.header('authorization'));
    if (token === null) throw unauthenticated(res, 'a bearer token is required');
    const hash = hashToken(token);
    const key = hash.toString('base64');
    let principal = cache.get(key);
    if (!principal) {
      failures.refuseHeldCredential(res, key);
      principal = TOKEN_SHAPE.test(token) ? await findPrincipal(pool, hash) : undefined;
      if (!principal) throw failures.failed(req, res, key, unauthenticated(res, 'the bearer token is not valid', 'invalid_token'));
      cache.set(key, principal);
    }
    req.principal = principal;
    next();
  };
}

/** Allows only the given roles; others get 403. */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    const role = req.principal?.role;
    if (!role || !roles.includes(role)) throw new HttpError(403, 'forbidden', `this action needs one of the roles: ${roles.join(', ')}`);
    next();
  };
}

/** Ops staff read, never write: any other method than GET or HEAD answers 403. */
export function opsReadOnly(allowed: readonly string[] = []): RequestHandler {
  return (req, _res, next) => {
    const exempt = allowed.includes(`${req.method} ${req.path}`);
    if (req.principal?.role === 'ops' && req.method !== 'GET' && req.method !== 'HEAD' && !exempt) {
      throw new HttpError(403, 'forbidden', 'ops staff read, never write');
    }
    next();
  };
}

/**
 * The account a request reads: a customer's own account, whatever it asks for (another account answers 404,
 * as if it did not exist); provider staff name one with `requested`, or get undefined (every account).
 */
export function scopedAccountId(principal: Principal, requested: string | undefined): string | undefined {
  if (principal.accountId === null) return requested;
  if (requested !== undefined && requested !== principal.accountId) throw new HttpError(404, 'not_found', `account ${requested} was not found`);
  return principal.accountId;
}
