/**
 * API keys for programs. An account's owner makes keys for its account (acting as itself or as one of its PICs);
 * an admin makes keys for the provider's finance, ops and service users (the metering backend is a service). The
 * key is answered once and kept as its SHA-256; lists show its prefix, name, scopes, expiry and last use; the same
 * people revoke them. A key acts as its user, within its scopes, under the same role checks as a signed-in person.
 */
import { Router, type Request } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey, type ApiKey, type KeyPrincipal } from '../../db/accounts/api-keys';
import { SCOPES } from '../../db/accounts/roles';
import { findUser, type User } from '../../db/accounts/users';
import { HttpError } from '../shared/errors';
import { actorOf, requireRole, scopedAccountId, sessionOnly } from './auth';
import type { PrincipalCache } from './principal-cache';
import { ZUserId } from './user-schemas';

/** The longest a key may live when it is given an expiry. */
const MAX_LIFETIME_DAYS = 730;

/** `POST /v1/api-keys`. */
export const ZCreateApiKeyRequest = z.strictObject({
  name: z.string().trim().min(1, 'is required').max(100, 'must be at most 100 characters'),
  scopes: z
    .array(z.enum(SCOPES, `must be one of: ${SCOPES.join(', ')}`))
    .min(1, 'must name at least one scope')
    .refine((s) => new Set(s).size === s.length, 'must not repeat a scope'),
  expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time with a time zone, e.g. 2027-01-31T00:00:00Z' }).nullable().default(null),
  userId: ZUserId.optional(),
});

/** `GET /v1/api-keys`: an admin lists the provider users' keys, or one account's. */
export const ZApiKeysQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });

/** A key id in a path. */
export const ZKeyId = z.string().regex(/^[\w-]{1,100}$/, 'must be a key id');

/** What the key routes need. */
export interface ApiKeyRouteDeps {
  pool: Pool;
  now: () => Date;
  principals: PrincipalCache<KeyPrincipal>;
}

/** The user a new key acts as: an owner's own user or one of its PICs; for an admin, a finance, ops or service user. */
async function keyHolder(pool: Pool, req: Request, userId: string | undefined): Promise<User> {
  const principal = req.principal!;
  if (principal.role === 'owner' && userId === undefined) userId = principal.userId;
  if (userId === undefined) throw new HttpError(400, 'invalid_input', 'userId: is required', [{ path: 'userId', rule: 'must name the finance, ops or service user the key acts as' }]);
  const user = await findUser(pool, userId);
  const allowed =
    user !== null &&
    user.status !== 'removed' &&
    (principal.role === 'owner' ? user.accountId === principal.accountId && (user.role === 'owner' || user.role === 'pic') : ['finance', 'ops', 'service'].includes(user.role));
  if (!allowed) {
    const rule = principal.role === 'owner' ? 'must be you or a PIC of your account' : 'must be a finance, ops or service user';
    throw new HttpError(400, 'invalid_input', `userId: ${rule}`, [{ path: 'userId', rule }]);
  }
  return user;
}

/** The key of the path, if the caller manages it: any for an admin, its account's for an owner. */
async function managedKey(pool: Pool, req: Request): Promise<ApiKey> {
  const keyId = ZKeyId.parse(req.params.keyId);
  const principal = req.principal!;
  const key = await findApiKey(pool, keyId);
  if (!key || (principal.role !== 'admin' && key.accountId !== principal.accountId)) throw new HttpError(404, 'not_found', `API key ${keyId} was not found`);
  return key;
}

/** Builds the `/v1/api-keys` router. */
export function apiKeysRouter(deps: ApiKeyRouteDeps): Router {
  const router = Router();
  router.use(requireRole('admin', 'owner'), sessionOnly);

  router.post('/', async (req, res) => {
    const body = ZCreateApiKeyRequest.parse(req.body);
    const now = deps.now();
    const expiresAt = body.expiresAt === null ? null : new Date(body.expiresAt);
    if (expiresAt && (expiresAt <= now || expiresAt.getTime() - now.getTime() > MAX_LIFETIME_DAYS * 86_400_000)) {
      throw new HttpError(400, 'invalid_input', `expiresAt: must be in the future, at most ${MAX_LIFETIME_DAYS} days away`, [
        { path: 'expiresAt', rule: `must be in the future, at most ${MAX_LIFETIME_DAYS} days away (or null: no expiry)` },
      ]);
    }
    const holder = await keyHolder(deps.pool, req, body.userId);
    const { key, secret } = await createApiKey(deps.pool, { userId: holder.id, name: body.name, scopes: body.scopes, expiresAt }, actorOf(req), now);
    res.status(201).location(`/v1/api-keys/${key.id}`).json({ ...key, secret });
  });

  router.get('/', async (req, res) => {
    const query = ZApiKeysQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    res.json({ items: await listApiKeys(deps.pool, accountId ? { accountId } : 'provider') });
  });

  router.delete('/:keyId', async (req, res) => {
    const key = await managedKey(deps.pool, req);
    await revokeApiKey(deps.pool, key, actorOf(req), deps.now());
    deps.principals.forgetUser(key.user.id);
    res.status(204).end();
  });
  return router;
}
