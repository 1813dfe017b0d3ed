/**
 * API keys for programs (customer portals, the metering backend): random, shown once, kept as their SHA-256 with
 * their first 12 characters as a visible prefix. A key acts as its user (an account's owner or PIC, or a provider
 * user) within its scopes, until it expires or is revoked, and only while its user is enabled and its account not
 * suspended. Creation and revocation are logged with them.
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { inTransaction } from '../transaction';
import { notifyCredentialsChanged } from './credential-changes';
import { recordOperation } from './operation-log';
import type { Actor, Principal, Scope } from './roles';
import { newId, sha256 } from './secrets';

/** How a new key begins: people and secret scanners recognise it. */
export const API_KEY_MARK = 'tpk_';

/** A key as its lists show it: never the key itself. */
export interface ApiKey {
  id: string;
  /** The key's first 12 characters; null for a bearer token issued before API keys. */
  prefix: string | null;
  name: string;
  user: { id: string; username: string; role: string };
  accountId: string | null;
  scopes: Scope[];
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A new key: `tpk_` and 8 characters (the prefix), `_`, then 256 random bits. */
export function newApiKeySecret(): string {
  return `${API_KEY_MARK}${randomBytes(6).toString('base64url')}_${randomBytes(32).toString('base64url')}`;
}

/** What a key is made for. */
export interface NewApiKey {
  userId: string;
  name: string;
  scopes: Scope[];
  expiresAt: Date | null;
}

/** The key columns with their user, as {@link ApiKey}. */
const KEY_COLUMNS = `k.id, k.prefix, k.name, json_build_object('id', u.id, 'username', u.username, 'role', u.role) AS user,
  u.account_id AS "accountId", k.scopes, k.created_at AS "createdAt", k.expires_at AS "expiresAt", k.last_used_at AS "lastUsedAt",
  k.revoked_at AS "revokedAt"`;

/**
 * Creates a key for a user and answers it with the secret, shown this once. `secret` is for the demo seed only,
 * whose printed keys are fixed; an existing key with the same secret is kept as it is.
 */
export async function createApiKey(pool: Pool, key: NewApiKey, actor: Actor, now: Date, secret: string = newApiKeySecret()): Promise<{ key: ApiKey; secret: string }> {
  return inTransaction(pool, async (client) => {
    const id = newId('key');
    const inserted = await client.query<{ accountId: string | null }>(
      `INSERT INTO api_keys (id, key_sha256, prefix, name, user_id, scopes, created_by, created_at, expires_at)
       SELECT $1, $2, $3, $4, u.id, $6, $7, $8, $9 FROM users u WHERE u.id = $5
       ON CONFLICT (key_sha256) DO NOTHING RETURNING (SELECT account_id FROM users WHERE id = $5) AS "accountId"`,
      [id, sha256(secret), secret.slice(0, 12), key.name, key.userId, key.scopes, actor.userId, now, key.expiresAt],
    );
    const row = inserted.rows[0];
    if (row) {
      const details = { keyId: id, name: key.name, userId: key.userId, scopes: key.scopes };
      await recordOperation(client, { accountId: row.accountId, actorId: actor.userId, address: actor.address, action: 'api_key.create', details });
    }
    const stored = await client.query<ApiKey>(`SELECT ${KEY_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_sha256 = $1`, [sha256(secret)]);
    if (!stored.rows[0]) throw new Error(`no user ${key.userId} to create an API key for`);
    return { key: stored.rows[0], secret };
  });
}

/** A key's user and what the key may do. */
export interface KeyPrincipal extends Principal {
  keyId: string;
  scopes: Scope[];
  expiresAt: Date | null;
}

/**
 * The principal of a key's hash, if the key is live (not revoked, not expired at `now`), its user enabled and its
 * account not suspended. The key's last use is recorded at most once a minute, in the same statement.
 */
export async function findKeyPrincipal(pool: Pool, keyHash: Buffer, now: Date): Promise<KeyPrincipal | undefined> {
  const res = await pool.query<KeyPrincipal>({
    name: 'authenticate-api-key',
    text: `WITH live AS (
             SELECT k.id AS "keyId", k.scopes, k.expires_at AS "expiresAt", u.id AS "userId", u.username, u.email, u.role, u.account_id AS "accountId"
               FROM api_keys k JOIN users u ON u.id = k.user_id LEFT JOIN accounts a ON a.id = u.account_id
              WHERE k.key_sha256 = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)
                AND u.disabled_at IS NULL AND a.suspended_at IS NULL
           ), used AS (
             UPDATE api_keys k SET last_used_at = $2 FROM live
              WHERE k.id = live."keyId" AND (k.last_used_at IS NULL OR k.last_used_at < $2::timestamptz - interval '1 minute')
           )
           SELECT * FROM live`,
    values: [keyHash, now],
  });
  return res.rows[0];
}

/** Whose keys a list shows: one account's, or the provider users'. */
export type ApiKeyScope = { accountId: string } | 'provider';

/** The keys of an account or of the provider's users, newest first, revoked ones too. */
export async function listApiKeys(pool: Pool, scope: ApiKeyScope): Promise<ApiKey[]> {
  const accountId = scope === 'provider' ? null : scope.accountId;
  const res = await pool.query<ApiKey>(
    `SELECT ${KEY_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id
      WHERE u.account_id IS NOT DISTINCT FROM $1 ORDER BY k.created_at DESC, k.id DESC`,
    [accountId],
  );
  return res.rows;
}

/** A key with whose it is, or null. */
export async function findApiKey(pool: Pool, keyId: string): Promise<ApiKey | null> {
  const res = await pool.query<ApiKey>(`SELECT ${KEY_COLUMNS} FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1`, [keyId]);
  return res.rows[0] ?? null;
}

/** Revokes a key, logged; false when it was already revoked. Revocation is final. */
export async function revokeApiKey(pool: Pool, key: ApiKey, actor: Actor, now: Date): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const res = await client.query('UPDATE api_keys SET revoked_at = $2, revoked_by = $3 WHERE id = $1 AND revoked_at IS NULL', [key.id, now, actor.userId]);
    if (res.rowCount !== 1) return false;
    await notifyCredentialsChanged(client, key.user.id);
    await recordOperation(client, { accountId: key.accountId, actorId: actor.userId, address: actor.address, action: 'api_key.revoke', details: { keyId: key.id, name: key.name } });
    return true;
  });
}
