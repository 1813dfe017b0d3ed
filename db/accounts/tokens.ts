/**
 * Bearer tokens: random, stored only as their SHA-256, each bound to one user with one role. Customer roles
 * (owner, pic) are bound to one account.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

/** Roles, from DOMAIN.md "People and accounts". */
export type Role = 'owner' | 'pic' | 'finance' | 'ops' | 'service';

/** Who is calling: the user a live token belongs to. */
export interface Principal {
  userId: string;
  username: string;
  email: string;
  role: Role;
  /** The caller's account; null for provider staff and services. */
  accountId: string | null;
}

/** SHA-256 of a token, the only form stored. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Issues a new random token for a user and returns it (shown once, never stored in clear). */
export async function issueToken(pool: Pool | PoolClient, userId: string, token: string = randomBytes(24).toString('base64url')): Promise<string> {
  await pool.query('INSERT INTO api_tokens (token_sha256, user_id) VALUES ($1, $2) ON CONFLICT (token_sha256) DO NOTHING', [hashToken(token), userId]);
  return token;
}

/** The principal of a token's hash, if the token is live and its user enabled. */
export async function findPrincipal(pool: Pool, hash: Buffer): Promise<Principal | undefined> {
  const res = await pool.query<Principal>({
    name: 'authenticate',
    text: `SELECT u.id AS "userId", u.username, u.email, u.role, u.account_id AS "accountId"
             FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL`,
    values: [hash],
  });
  return res.rows[0];
}
