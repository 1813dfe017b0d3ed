/**
 * Console sign-in and sign-out. `POST /v1/session` checks a username and password and opens a session held in
 * PostgreSQL, carried by an HttpOnly, SameSite=Lax cookie (Secure when the console is served over https); the
 * answer holds the session's CSRF token, which the console sends back in `X-CSRF-Token` with every change.
 * `GET /v1/session` answers it again (after a reload); `DELETE /v1/session` signs out.
 *
 * A failed sign-in answers one message whatever failed (unknown username, wrong password, a user not allowed in),
 * takes as long either way (verifyPassword checks a decoy hash), is logged, and is counted per username and per
 * address; a held username or address is refused before its password is checked.
 */
import { Router, type CookieOptions, type Request } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { recordOperation } from '../../db/accounts/operation-log';
import { PERSON_ROLES } from '../../db/accounts/roles';
import { deleteStaleSessions, endSession, openSession } from '../../db/accounts/sessions';
import { findSignInCandidate, recordSignIn } from '../../db/accounts/users';
import { HttpError } from '../shared/errors';
import { actorOf, requireRole, SESSION_COOKIE, SESSION_TIMEOUTS, sessionOnly, type Credential } from './auth';
import type { AuthFailureLimiter } from './auth-failure-limit';
import { describeMe, type Me } from './me-routes';
import { PASSWORD_MAX_LENGTH, verifyPassword } from './passwords';

/** The one answer to a failed sign-in. */
export const SIGN_IN_REFUSED = 'the username or password is not correct';

/** `POST /v1/session`. Usernames are lower case; what is typed is compared lower-cased. */
export const ZSignInRequest = z.strictObject({
  username: z
    .string()
    .min(1, 'is required')
    .max(64, 'must be at most 64 characters')
    .transform((u) => u.trim().toLowerCase()),
  password: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`),
});

/** A session as the console sees it. */
export interface SessionView {
  user: Me;
  /** Sent back in X-CSRF-Token with every request that changes something. */
  csrfToken: string;
  createdAt: string;
  /** The absolute end, 12 h after sign-in (the idle timeout may end it sooner). */
  expiresAt: string;
  idleTimeoutSeconds: number;
}

/** What the session routes need. */
export interface SessionDeps {
  pool: Pool;
  now: () => Date;
  failures: AuthFailureLimiter;
  /** Set the cookie's Secure attribute whatever the request's protocol (the console's public URL is https). */
  secureCookies: boolean;
}

function cookieOptions(req: Request, deps: SessionDeps): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies || req.secure, path: '/' };
}

async function sessionView(pool: Pool, principal: Parameters<typeof describeMe>[1], session: { csrfToken: string; createdAt: Date }, credential: Credential): Promise<SessionView> {
  return {
    user: await describeMe(pool, principal, credential),
    csrfToken: session.csrfToken,
    createdAt: session.createdAt.toISOString(),
    expiresAt: new Date(session.createdAt.getTime() + SESSION_TIMEOUTS.absoluteMs).toISOString(),
    idleTimeoutSeconds: SESSION_TIMEOUTS.idleMs / 1000,
  };
}

/** `POST /v1/session`, mounted before authentication. */
export function signInRouter(deps: SessionDeps): Router {
  const router = Router();
  router.post('/', async (req, res) => {
    const body = ZSignInRequest.parse(req.body);
    const key = `user:${body.username}`;
    deps.failures.refuseHeldSignIn(req, res, key);
    const candidate = await findSignInCandidate(deps.pool, body.username);
    const matches = await verifyPassword(candidate?.passwordHash ?? null, body.password);
    const address = req.ip ?? null;
    if (!candidate || !matches || !candidate.maySignIn) {
      // A username nobody has is not written down: people type their password there by mistake.
      const user = candidate?.user;
      await recordOperation(deps.pool, { accountId: user?.accountId ?? null, actorId: user?.id ?? null, address, action: 'session.sign_in_failed', details: user ? { username: user.username } : {} });
      throw deps.failures.failed(req, res, key, new HttpError(401, 'unauthenticated', SIGN_IN_REFUSED));
    }
    deps.failures.succeeded(key);
    const { user } = candidate;
    const now = deps.now();
    await deleteStaleSessions(deps.pool, user.id, now, SESSION_TIMEOUTS);
    const session = await openSession(deps.pool, user.id, address, now);
    await recordSignIn(deps.pool, user.id, now);
    await recordOperation(deps.pool, { accountId: user.accountId, actorId: user.id, address, action: 'session.sign_in', details: { sessionId: session.id } });
    const principal = { userId: user.id, username: user.username, email: user.email, role: user.role, accountId: user.accountId };
    const credential: Credential = { kind: 'session', sessionId: session.id, csrfToken: session.csrfToken, createdAt: now, lastSeenAt: now };
    res.cookie(SESSION_COOKIE, session.token, cookieOptions(req, deps));
    res.json(await sessionView(deps.pool, principal, session, credential));
  });
  return router;
}

/** `GET` and `DELETE /v1/session`: the signed-in person's own session. */
export function sessionRouter(deps: SessionDeps): Router {
  const router = Router();
  router.use(requireRole(...PERSON_ROLES), sessionOnly);

  router.get('/', async (req, res) => {
    const credential = req.credential!;
    if (credential.kind !== 'session') throw new Error('sessionOnly let an API key through');
    res.json(await sessionView(deps.pool, req.principal!, credential, credential));
  });

  router.delete('/', async (req, res) => {
    const credential = req.credential!;
    if (credential.kind !== 'session') throw new Error('sessionOnly let an API key through');
    const principal = req.principal!;
    await endSession(deps.pool, credential.sessionId, 'sign_out', deps.now());
    await recordOperation(deps.pool, { accountId: principal.accountId, actorId: principal.userId, address: actorOf(req).address, action: 'session.sign_out', details: { sessionId: credential.sessionId } });
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.status(204).end();
  });
  return router;
}
