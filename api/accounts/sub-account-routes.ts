/** Sub-accounts: the owner creates, lists and removes the account's PIC users (owner only). */
import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { inTransaction } from '../../db/transaction';
import { issueToken, requireRole } from './auth';
import { HttpError } from '../shared/errors';
import { recordOperation } from '../../db/accounts/operation-log';
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

/** A PIC as the API shows it (never its token, except once at creation). */
interface SubAccount {
  id: string;
  username: string;
  email: string;
  role: 'pic';
  createdAt: Date;
}

const SUB_ACCOUNT_COLUMNS = 'id, username, email, role, created_at AS "createdAt"';

/** Builds the `/v1/sub-accounts` router. */
export function subAccountsRouter(deps: { pool: Pool; principals: PrincipalCache }): Router {
  const router = Router();
  router.use(requireRole('owner'));

  router.post('/', async (req, res) => {
    const body = ZCreateSubAccountRequest.parse(req.body);
    const owner = req.principal!;
    const accountId = owner.accountId!;
    const { created, token } = await inTransaction(deps.pool, async (client) => {
      const inserted = await client.query<SubAccount>(
        `INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, 'pic')
         ON CONFLICT (username) DO NOTHING RETURNING ${SUB_ACCOUNT_COLUMNS}`,
        [`usr_${randomBytes(8).toString('hex')}`, accountId, body.username, body.email],
      );
      const row = inserted.rows[0];
      if (!row) throw new HttpError(409, 'username_taken', `the username ${body.username} is already taken`, [{ path: 'username', rule: 'must be unique' }]);
      await recordOperation(client, { accountId, actorId: owner.userId, action: 'sub_account.create', details: { userId: row.id, username: row.username } });
      return { created: row, token: await issueToken(client, row.id) };
    });
    res.status(201).location(`/v1/sub-accounts/${created.id}`).json({ ...created, token });
  });

  router.get('/', async (req, res) => {
    const rows = await deps.pool.query<SubAccount>(
      `SELECT ${SUB_ACCOUNT_COLUMNS} FROM users WHERE account_id = $1 AND role = 'pic' AND disabled_at IS NULL ORDER BY created_at, id`,
      [req.principal!.accountId],
    );
    res.json({ items: rows.rows });
  });

  router.delete('/:id', async (req, res) => {
    const id = ZUserId.parse(req.params.id);
    const owner = req.principal!;
    await inTransaction(deps.pool, async (client) => {
      const disabled = await client.query<{ username: string }>(
        `UPDATE users SET disabled_at = now() WHERE id = $1 AND account_id = $2 AND role = 'pic' AND disabled_at IS NULL RETURNING username`,
        [id, owner.accountId],
      );
      const row = disabled.rows[0];
      if (!row) throw new HttpError(404, 'not_found', `sub-account ${id} was not found`);
      await client.query('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [id]);
      await recordOperation(client, { accountId: owner.accountId!, actorId: owner.userId, action: 'sub_account.delete', details: { userId: id, username: row.username } });
    });
    // Its tokens stop working at once on this API process (others forget them within PRINCIPAL_TTL_MS).
    deps.principals.forgetUser(id);
    res.status(204).end();
  });

  return router;
}
