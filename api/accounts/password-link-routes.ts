/**
 * The one-time links, without a credential (the link is the credential): look a link up (whose it is, what for),
 * use it to choose a password, or ask for a reset link by email. An expired, used, replaced or forged link gets one
 * answer naming the token; a failing link is counted per address like a failed authentication. Asking for a reset
 * always answers 202 at once, before anything is looked up, so the answer never tells whether the username exists.
 */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Pool } from 'pg';
import { z } from 'zod';
import { issueResetLink } from '../../db/accounts/onboarding';
import { findOpenLink, redeemPasswordLink } from '../../db/accounts/password-links';
import { sha256 } from '../../db/accounts/secrets';
import { findUserByUsername } from '../../db/accounts/users';
import { HttpError } from '../shared/errors';
import type { AuthFailureLimiter } from './auth-failure-limit';
import { requestPasswordLinkEmail } from './password-link-email';
import { hashPassword, ZNewPassword } from './passwords';

/** A link's token: 43 characters of base64url (a SHA-256 HMAC). */
const ZLinkToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be the token of a password link (the part after #token= in the link)');

/** `POST /v1/password-links/lookup`. */
export const ZPasswordLinkLookupRequest = z.strictObject({ token: ZLinkToken });
/** `POST /v1/password-links/redeem`. */
export const ZPasswordLinkRedeemRequest = z.strictObject({ token: ZLinkToken, password: ZNewPassword });
/** `POST /v1/password-resets`. */
export const ZPasswordResetRequest = z.strictObject({
  username: z
    .string()
    .min(1, 'is required')
    .max(64, 'must be at most 64 characters')
    .transform((u) => u.trim().toLowerCase()),
});

/** At most this many reset emails per user and hour: a request past it sends nothing (and still answers 202). */
export const RESET_LINKS_PER_HOUR = 3;

/** What the link routes need. */
export interface PasswordLinkDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  now: () => Date;
  failures: AuthFailureLimiter;
  passwordLinkSecret: string;
  logger: Logger;
}

function invalidLink(): HttpError {
  return new HttpError(400, 'invalid_link', 'the link is not valid: it has expired, was used already, or a newer one replaced it; ask for a new one', [
    { path: 'token', rule: 'must be a link that is still valid' },
  ]);
}

/** `/v1/password-links`, mounted before authentication. */
export function passwordLinksRouter(deps: PasswordLinkDeps): Router {
  const router = Router();
  const failing = (req: Parameters<AuthFailureLimiter['failed']>[0], res: Parameters<AuthFailureLimiter['failed']>[1], token: string) =>
    deps.failures.failed(req, res, `link:${sha256(token).toString('base64')}`, invalidLink());

  router.post('/lookup', async (req, res) => {
    const { token } = ZPasswordLinkLookupRequest.parse(req.body);
    const link = await findOpenLink(deps.pool, token, deps.now());
    if (!link) throw failing(req, res, token);
    res.json({ username: link.username, purpose: link.purpose, expiresAt: link.expiresAt });
  });

  router.post('/redeem', async (req, res) => {
    const body = ZPasswordLinkRedeemRequest.parse(req.body);
    // Looked up first, so a forged token costs a query, not an argon2 hash; the redemption itself is atomic.
    if (!(await findOpenLink(deps.pool, body.token, deps.now()))) throw failing(req, res, body.token);
    const link = await redeemPasswordLink(deps.pool, body.token, await hashPassword(body.password), req.ip ?? null, deps.now());
    if (!link) throw failing(req, res, body.token);
    res.json({ username: link.username, purpose: link.purpose });
  });
  return router;
}

/** Issues and emails a reset link when the username is a person's who may sign in and has not asked too often. */
async function sendResetLink(deps: PasswordLinkDeps, username: string, address: string | null): Promise<void> {
  const user = await findUserByUsername(deps.pool, username);
  if (!user || user.role === 'service' || user.status === 'disabled' || user.status === 'removed') return;
  const link = await issueResetLink(deps.pool, user, RESET_LINKS_PER_HOUR, { actor: { userId: null, address }, linkSecret: deps.passwordLinkSecret, now: deps.now() });
  if (link) await requestPasswordLinkEmail(deps.temporal, deps.taskQueue, link.id);
}

/** `POST /v1/password-resets`, mounted before authentication. */
export function passwordResetsRouter(deps: PasswordLinkDeps): Router {
  const router = Router();
  router.post('/', (req, res) => {
    const { username } = ZPasswordResetRequest.parse(req.body);
    res.status(202).json({ message: 'if this username belongs to someone who may sign in, a reset link is on its way to their email; it works once, for one hour' });
    sendResetLink(deps, username, req.ip ?? null).catch((err: unknown) => deps.logger.error({ err }, 'a password reset request failed'));
  });
  return router;
}
