/** Sub-accounts: the owner creates, lists and removes the account's PIC users (owner only). */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { createSubAccount, listSubAccounts, removeSubAccount } from '../../db/accounts/users';
import { HttpError } from '../shared/errors';
import { requireRole } from './auth';
import type { PrincipalCache } from './principal-cache';

/** `POST /v1/sub-accounts`. */
export const ZCreateSubAccountRequest = z.strictObject({
  username: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3 to 64 characters of a-z, 0-9, . _ - starting with a letter or digit'),
  email: z.email('must be an email address').max(254),
});
export type TCreateSubAccountRequest = z.infer<typeof ZCreateSubAccountRequest>;

/** A user id in a path. */
export const ZUserId = z.string().regex(/^[\w-]{1,100}$/, 'must be a user id');

/** Builds the `/v1/sub-accounts` router. */
export function subAccountsRouter(deps: { pool: Pool; principals: PrincipalCache }): Router {
  const router = Router();
  router.use(requireRole('owner'));

  router.post('/', async (req, res) => {
    const body = ZCreateSubAccountRequest.parse(req.body);
    const owner = req.principal!;
    const made = await createSubAccount(deps.pool, { accountId: owner.accountId!, ownerId: owner.userId, username: body.username, email: body.email });
    if (!made) throw new HttpError(409, 'username_taken', `the username ${body.username} is already taken`, [{ path: 'username', rule: 'must be unique' }]);
    res.status(201).location(`/v1/sub-accounts/${made.created.id}`).json({ ...made.created, token: made.token });
  });

  router.get('/', async (req, res) => {
    res.json({ items: await listSubAccounts(deps.pool, req.principal!.accountId!) });
  });

  router.delete('/:id', async (req, res) => {
    const id = ZUserId.parse(req.params.id);
    const owner = req.principal!;
    if (!(await removeSubAccount(deps.pool, { accountId: owner.accountId!, ownerId: owner.userId, userId: id }))) {
      throw new HttpError(404, 'not_found', `sub-account ${id} was not found`);
    }
    // Its tokens stop working at once on this API process (others forget them within PRINCIPAL_TTL_MS).
    deps.principals.forgetUser(id);
    res.status(204).end();
  });

  return router;
}
