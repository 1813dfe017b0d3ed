/**
 * Authentication and the checks every route shares. Two credentials reach the same rules:
 * - an API key (`Authorization: Bearer <key>`) for programs, acting as its user within its scopes;
 * - a console session (the `topup_session` cookie) for people, with its CSRF token in `X-CSRF-Token` on every
 *   request that changes something.
 * Either way the request gets a principal (who: user, role, account) and the routes' role checks decide the rest.
 */
import type { RequestHandler, Request, Response } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Pool } from 'pg';
import { findKeyPrincipal, type KeyPrincipal } from '../../db/accounts/api-keys';
import type { Principal, Role, Scope } from '../../db/accounts/roles';
import { sameSecret, sha256 } from '../../db/accounts/secrets';
import { touchSession, type SessionTimeouts } from '../../db/accounts/sessions';
import { HttpError } from '../shared/errors';
import { AuthFailureLimiter } from './auth-failure-limit';
import { PrincipalCache } from './principal-cache';

export type { Principal, Role };

/** How the caller proved who it is. */
export type Credential =
  | { kind: 'session'; sessionId: string; csrfToken: string; createdAt: Date; lastSeenAt: Date }
  | { kind: 'api_key'; keyId: string; scopes: Scope[]; expiresAt: Date | null };

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    credential?: Credential;
  }
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'topup_session';

/** The header a session's CSRF token travels in. */
export const CSRF_HEADER = 'X-CSRF-Token';

/** Issue 17: a session ends after 30 minutes without a request, and 12 hours after sign-in whatever happens. */
export const SESSION_TIMEOUTS: SessionTimeouts = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 };

/** What a key or a session token may look like: RFC 6750's b64token, of a length our keys (and the demo ones) have. */
const TOKEN_SHAPE = /^[\w.~+/-]{16,200}=*$/;

/**
 * The token of an `Authorization: Bearer <token>` header; null when the header is missing or names another
 * scheme. The scheme name is case-insensitive and may be followed by several spaces (RFC 9110, 11.4).
 */
export function bearerToken(header: string | undefined): string | null {
  const match = /^bearer +(.*)$/i.exec(header?.trim() ?? '');
  return match?.[1] ?? null;
}

/** The session cookie of a request, if it sent one. */
export function sessionCookie(req: Request): string | undefined {
  const header = req.header('cookie');
  return header ? parseCookies(header)[SESSION_COOKIE] : undefined;
}

/** A 401 with the `WWW-Authenticate` challenge RFC 6750 asks for. */
function unauthenticated(res: Response, message: string, error?: 'invalid_token'): HttpError {
  res.set('WWW-Authenticate', error ? `Bearer error="${error}"` : 'Bearer');
  return new HttpError(401, 'unauthenticated', message);
}

/** What authentication needs. */
export interface AuthDeps {
  pool: Pool;
  now: () => Date;
  /** Resolved keys, remembered for a few seconds. */
  principals: PrincipalCache<KeyPrincipal>;
  failures: AuthFailureLimiter;
}

/**
 * Resolves the request's API key or session to a principal, or answers 401: "required" with neither, "not valid"
 * for a key of the wrong shape or one that is not live, "ended" for a session that is not. A Bearer header wins
 * over a cookie. Failed attempts are counted (auth-failure-limit.ts), which answers 429 for the held ones.
 */
export function authenticate(deps: AuthDeps): RequestHandler {
  return async (req, res, next) => {
    const header = req.header('authorization');
    const token = bearerToken(header);
    if (token !== null) await authenticateKey(deps, req, res, token);
    else {
      const session = header === undefined ? sessionCookie(req) : undefined;
      if (session === undefined) throw unauthenticated(res, 'a bearer token is required');
      await authenticateSession(deps, req, res, session);
    }
    next();
  };
}

/**
 * The principal of an `Authorization: Bearer` key resolved less than a few seconds ago (PrincipalCache), with no
 * lookup and nothing counted; undefined otherwise. The routes served in front of Express (api/shared/thin-path.ts)
 * answer only such requests and leave every other to authenticate().
 */
export function cachedKeyPrincipal(principals: PrincipalCache<KeyPrincipal>, authorization: string): KeyPrincipal | undefined {
  const token = bearerToken(authorization);
  return token === null ? undefined : principals.get(sha256(token).toString('base64'));
}

async function authenticateKey(deps: AuthDeps, req: Request, res: Response, token: string): Promise<void> {
  const hash = sha256(token);
  const cacheKey = hash.toString('base64');
  let found = deps.principals.get(cacheKey);
  if (!found) {
    deps.failures.refuseHeldCredential(res, cacheKey);
    found = TOKEN_SHAPE.test(token) ? await findKeyPrincipal(deps.pool, hash, deps.now()) : undefined;
    if (!found) throw deps.failures.failed(req, res, cacheKey, unauthenticated(res, 'the bearer token is not valid', 'invalid_token'));
    deps.principals.set(cacheKey, found, found.expiresAt?.getTime());
  }
  const { keyId, scopes, expiresAt, ...principal } = found;
  req.principal = principal;
  req.credential = { kind: 'api_key', keyId, scopes, expiresAt };
}

async function authenticateSession(deps: AuthDeps, req: Request, res: Response, token: string): Promise<void> {
  const cacheKey = `session:${sha256(token).toString('base64')}`;
  deps.failures.refuseHeldCredential(res, cacheKey);
  const found = TOKEN_SHAPE.test(token) ? await touchSession(deps.pool, token, deps.now(), SESSION_TIMEOUTS) : undefined;
  if (!found) {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    throw deps.failures.failed(req, res, cacheKey, new HttpError(401, 'unauthenticated', 'the session has ended or expired: sign in again'));
  }
  const { sessionId, csrfToken, createdAt, lastSeenAt, ...principal } = found;
  req.principal = principal;
  req.credential = { kind: 'session', sessionId, csrfToken, createdAt, lastSeenAt };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The scope an API key needs for a request: reading (GET), recording usage (POST /usage, POST /usage/batch), or any
 * other change.
 * `path` is relative to /v1.
 */
export function requiredScope(method: string, path: string): Scope {
  if (SAFE_METHODS.has(method)) return 'read';
  return method === 'POST' && (path === '/usage' || path === '/usage/batch') ? 'usage' : 'write';
}

/**
 * The credential's own rule, after authentication: a session's state-changing request carries the session's CSRF
 * token (a page of another site can make the browser send the cookie, never this header); an API key has the
 * scope the request needs.
 */
export const credentialRules: RequestHandler = (req, _res, next) => {
  const credential = req.credential!;
  if (credential.kind === 'session') {
    if (!SAFE_METHODS.has(req.method) && !sameSecret(req.header(CSRF_HEADER) ?? '', credential.csrfToken)) {
      throw new HttpError(403, 'csrf_token_invalid', `a change made with the session cookie needs the session's CSRF token in ${CSRF_HEADER} (GET /v1/session answers it)`, [
        { path: CSRF_HEADER, rule: "must be the session's csrfToken" },
      ]);
    }
  } else {
    const scope = requiredScope(req.method, req.path);
    if (!credential.scopes.includes(scope)) {
      throw new HttpError(403, 'insufficient_scope', `this API key does not have the ${scope} scope this request needs (it has: ${credential.scopes.join(', ')})`);
    }
  }
  next();
};

/** Managing people and credentials is for a signed-in person: an API key gets 403 here, whatever its scopes. */
export const sessionOnly: RequestHandler = (req, _res, next) => {
  if (req.credential?.kind !== 'session') throw new HttpError(403, 'session_required', 'this needs a person signed in to the console: API keys cannot manage people, keys or sessions');
  next();
};

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

/** Who is acting, for the operation log: the caller and its address. */
export function actorOf(req: Request): { userId: string | null; address: string | null } {
  return { userId: req.principal?.userId ?? null, address: req.ip ?? null };
}
