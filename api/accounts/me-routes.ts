/**
 * `GET /v1/me`: who the caller is, with its account, by API key or session; `POST /v1/me/password`: a signed-in
 * person changes its password (its other sessions end).
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findAccount, type Account } from '../../db/accounts/accounts';
import { PERSON_ROLES } from '../../db/accounts/roles';
import { changePassword, findPasswordHash } from '../../db/accounts/users';
import { HttpError } from '../shared/errors';
import { actorOf, requireRole, sessionOnly, type Credential, type Principal } from './auth';
import type { AuthFailureLimiter } from './auth-failure-limit';
import { hashPassword, PASSWORD_MAX_LENGTH, verifyPassword, ZNewPassword } from './passwords';

/** The caller and, for a customer, its account (company, locale, time zone and currency shown in the console). */
export interface Me {
  userId: string;
  username: string;
  email: string;
  role: Principal['role'];
  account: Account | null;
  /** How the caller authenticated: a console session or an API key. */
  credential: 'session' | 'api_key';
}

/** The `Me` of a principal. */
export async function describeMe(pool: Pool, principal: Principal, credential: Credential): Promise<Me> {
  const { userId, username, email, role, accountId } = principal;
  return { userId, username, email, role, account: accountId ? await findAccount(pool, accountId) : null, credential: credential.kind };
}

/** `POST /v1/me/password`. */
export const ZChangePasswordRequest = z.strictObject({
  currentPassword: z.string().min(1, 'is required').max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`),
  newPassword: ZNewPassword,
});

/** Builds the `/v1/me` router; every authenticated role may ask who it is. */
export function meRouter(deps: { pool: Pool; now: () => Date; failures: AuthFailureLimiter }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    res.json(await describeMe(deps.pool, req.principal!, req.credential!));
  });

  router.post('/password', requireRole(...PERSON_ROLES), sessionOnly, async (req, res) => {
    const body = ZChangePasswordRequest.parse(req.body);
    const principal = req.principal!;
    const credential = req.credential!;
    // The current password is a password guess like a sign-in: held and counted the same way.
    const key = `user:${principal.username}`;
    deps.failures.refuseHeldSignIn(req, res, key);
    if (!(await verifyPassword(await findPasswordHash(deps.pool, principal.userId), body.currentPassword))) {
      throw deps.failures.failed(req, res, key, new HttpError(400, 'invalid_input', 'currentPassword: is not your current password', [{ path: 'currentPassword', rule: 'must be your current password' }]));
    }
    deps.failures.succeeded(key);
    const hash = await hashPassword(body.newPassword);
    const keep = credential.kind === 'session' ? credential.sessionId : null;
    const ended = await changePassword(deps.pool, principal.userId, hash, keep, actorOf(req), deps.now());
    res.json({ otherSessionsEnded: ended });
  });
  return router;
}
