/** The PIC users (sub-accounts) an account's owner creates and removes, each change logged with it. */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction } from '../transaction';
import { recordOperation } from './operation-log';
import { issueToken } from './tokens';

/** A PIC as the API shows it (never its token, except once at creation). */
export interface SubAccount {
  id: string;
  username: string;
  email: string;
  role: 'pic';
  createdAt: Date;
}

const SUB_ACCOUNT_COLUMNS = 'id, username, email, role, created_at AS "createdAt"';

/** Who asks for which sub-account. */
export interface NewSubAccount {
  accountId: string;
  ownerId: string;
  username: string;
  email: string;
}

/** Creates a PIC with its first token, logged in the same transaction; null when the username is taken. */
export async function createSubAccount(pool: Pool, req: NewSubAccount): Promise<{ created: SubAccount; token: string } | null> {
  return inTransaction(pool, async (client) => {
    const inserted = await client.query<SubAccount>(
      `INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, 'pic')
       ON CONFLICT (username) DO NOTHING RETURNING ${SUB_ACCOUNT_COLUMNS}`,
      [`usr_${randomBytes(8).toString('hex')}`, req.accountId, req.username, req.email],
    );
    const created = inserted.rows[0];
    if (!created) return null;
    await recordOperation(client, { accountId: req.accountId, actorId: req.ownerId, action: 'sub_account.create', details: { userId: created.id, username: created.username } });
    return { created, token: await issueToken(client, created.id) };
  });
}

/** The account's enabled PICs, oldest first. */
export async function listSubAccounts(pool: Pool, accountId: string): Promise<SubAccount[]> {
  const res = await pool.query<SubAccount>(`SELECT ${SUB_ACCOUNT_COLUMNS} FROM users WHERE account_id = $1 AND role = 'pic' AND disabled_at IS NULL ORDER BY created_at, id`, [accountId]);
  return res.rows;
}

/** Disables a PIC of the account and revokes its tokens, logged in the same transaction; false when there is no such PIC. */
export async function removeSubAccount(pool: Pool, req: { accountId: string; ownerId: string; userId: string }): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const disabled = await client.query<{ username: string }>(
      `UPDATE users SET disabled_at = now() WHERE id = $1 AND account_id = $2 AND role = 'pic' AND disabled_at IS NULL RETURNING username`,
      [req.userId, req.accountId],
    );
    const row = disabled.rows[0];
    if (!row) return false;
    await client.query('UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [req.userId]);
    await recordOperation(client, { accountId: req.accountId, actorId: req.ownerId, action: 'sub_account.delete', details: { userId: req.userId, username: row.username } });
    return true;
  });
}
