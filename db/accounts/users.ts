/**
 * Users: people (admins, finance, ops, an account's owner and PICs) who sign in with a password they set from an
 * emailed link, and services, which use API keys. Disabling a user ends its sessions at once and stops its keys
 * while it is disabled; removing it is final (its keys are revoked). Each change is logged with it.
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../transaction';
import { recordOperation } from './operation-log';
import type { Actor, Role } from './roles';
import { notifyCredentialsChanged } from './credential-changes';
import { endUserSessions } from './sessions';

/** Where a user stands: invited (no password yet), active, disabled (may be enabled again), removed (for good). */
export type UserStatus = 'invited' | 'active' | 'disabled' | 'removed';

/** A user as the API shows it (never a secret). */
export interface User {
  id: string;
  username: string;
  email: string;
  role: Role;
  accountId: string | null;
  status: UserStatus;
  createdAt: Date;
  lastSignInAt: Date | null;
}

const USER_COLUMNS = `u.id, u.username, u.email, u.role, u.account_id AS "accountId",
  CASE WHEN u.removed_at IS NOT NULL THEN 'removed' WHEN u.disabled_at IS NOT NULL THEN 'disabled'
       WHEN u.password_hash IS NULL AND u.role <> 'service' THEN 'invited' ELSE 'active' END AS status,
  u.created_at AS "createdAt", u.last_sign_in_at AS "lastSignInAt"`;

/** A user to create. */
export interface NewUser {
  id: string;
  accountId: string | null;
  username: string;
  email: string;
  role: Role;
  invitedBy: string | null;
}

/** Inserts a user inside the caller's transaction; null when the username is taken. */
export async function insertUser(client: PoolClient, user: NewUser, now: Date): Promise<User | null> {
  const res = await client.query<User>(
    `INSERT INTO users AS u (id, account_id, username, email, role, invited_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (username) DO NOTHING RETURNING ${USER_COLUMNS}`,
    [user.id, user.accountId, user.username, user.email, user.role, user.invitedBy, now],
  );
  return res.rows[0] ?? null;
}

/** A user by id, or null. */
export async function findUser(pool: Pool | PoolClient, userId: string): Promise<User | null> {
  const res = await pool.query<User>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.id = $1`, [userId]);
  return res.rows[0] ?? null;
}

/** A user by username, or null. */
export async function findUserByUsername(pool: Pool, username: string): Promise<User | null> {
  const res = await pool.query<User>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.username = $1`, [username]);
  return res.rows[0] ?? null;
}

/** Whose users a list shows: one account's, or the provider's. */
export type UserScope = { accountId: string } | 'provider';

/** The users of an account or of the provider, oldest first; removed ones are left out. */
export async function listUsers(pool: Pool, scope: UserScope): Promise<User[]> {
  const accountId = scope === 'provider' ? null : scope.accountId;
  const res = await pool.query<User>(`SELECT ${USER_COLUMNS} FROM users u WHERE u.account_id IS NOT DISTINCT FROM $1 AND u.removed_at IS NULL ORDER BY u.created_at, u.id`, [
    accountId,
  ]);
  return res.rows;
}

/** What signing in needs to know of a username: the user and its password hash, and whether it may sign in now. */
export interface SignInCandidate {
  user: User;
  passwordHash: string | null;
  /** Enabled, and its account (if any) not suspended. */
  maySignIn: boolean;
}

/** The sign-in candidate of a username, or null when nobody has it. */
export async function findSignInCandidate(pool: Pool, username: string): Promise<SignInCandidate | null> {
  const res = await pool.query<User & { passwordHash: string | null; maySignIn: boolean }>(
    `SELECT ${USER_COLUMNS}, u.password_hash AS "passwordHash", (u.disabled_at IS NULL AND a.suspended_at IS NULL) AS "maySignIn"
       FROM users u LEFT JOIN accounts a ON a.id = u.account_id WHERE u.username = $1`,
    [username],
  );
  const row = res.rows[0];
  if (!row) return null;
  const { passwordHash, maySignIn, ...user } = row;
  return { user, passwordHash, maySignIn };
}

/** Stamps a successful sign-in. */
export async function recordSignIn(pool: Pool, userId: string, now: Date): Promise<void> {
  await pool.query('UPDATE users SET last_sign_in_at = $2 WHERE id = $1', [userId, now]);
}

/** The password hash of a user (to check its current password), or null. */
export async function findPasswordHash(pool: Pool, userId: string): Promise<string | null> {
  const res = await pool.query<{ hash: string | null }>('SELECT password_hash AS hash FROM users WHERE id = $1', [userId]);
  return res.rows[0]?.hash ?? null;
}

/** Changes a user's password and ends its other sessions (all but `keepSession`), logged; answers how many ended. */
export async function changePassword(pool: Pool, userId: string, passwordHash: string, keepSession: string | null, actor: Actor, now: Date): Promise<number> {
  return inTransaction(pool, async (client) => {
    const res = await client.query<{ accountId: string | null }>('UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1 RETURNING account_id AS "accountId"', [
      userId,
      passwordHash,
      now,
    ]);
    const ended = await endUserSessions(client, userId, 'password_change', now, keepSession);
    await recordOperation(client, { accountId: res.rows[0]?.accountId ?? null, actorId: actor.userId, address: actor.address, action: 'user.password_change', details: { sessionsEnded: ended } });
    return ended;
  });
}

/** The log entry of a change to `user` made by `actor`. */
function userEntry(user: User, actor: Actor, action: string, details: Record<string, unknown> = {}) {
  return { accountId: user.accountId, actorId: actor.userId, address: actor.address, action, details: { userId: user.id, username: user.username, role: user.role, ...details } };
}

/**
 * Disables a user (its sessions end, its open links are voided, its keys stop while it is disabled) or enables it
 * again, logged; false when nothing changed (already so, or removed).
 */
export async function setUserDisabled(pool: Pool, user: User, disable: boolean, actor: Actor, now: Date): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const res = await client.query(
      `UPDATE users SET disabled_at = CASE WHEN $2 THEN $3::timestamptz END WHERE id = $1 AND removed_at IS NULL AND (disabled_at IS NULL) = $2`,
      [user.id, disable, now],
    );
    if (res.rowCount !== 1) return false;
    if (disable) {
      await endUserSessions(client, user.id, 'disabled', now);
      await client.query('UPDATE password_links SET voided_at = $2 WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL', [user.id, now]);
      await notifyCredentialsChanged(client, user.id);
    }
    await recordOperation(client, userEntry(user, actor, disable ? 'user.disable' : 'user.enable'));
    return true;
  });
}

/** Removes a user for good: disabled, sessions ended, keys revoked, links voided; logged. False when already removed. */
export async function removeUser(pool: Pool, user: User, actor: Actor, now: Date): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const res = await client.query('UPDATE users SET removed_at = $2, disabled_at = coalesce(disabled_at, $2) WHERE id = $1 AND removed_at IS NULL', [user.id, now]);
    if (res.rowCount !== 1) return false;
    await endUserSessions(client, user.id, 'removed', now);
    await client.query('UPDATE api_keys SET revoked_at = $2, revoked_by = $3 WHERE user_id = $1 AND revoked_at IS NULL', [user.id, now, actor.userId]);
    await client.query('UPDATE password_links SET voided_at = $2 WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL', [user.id, now]);
    await notifyCredentialsChanged(client, user.id);
    await recordOperation(client, userEntry(user, actor, 'user.remove'));
    return true;
  });
}

/** Gives a provider user another staff role, logged; false when it already had it. */
export async function changeUserRole(pool: Pool, user: User, role: Role, actor: Actor): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const res = await client.query('UPDATE users SET role = $2 WHERE id = $1 AND role <> $2 AND removed_at IS NULL', [user.id, role]);
    if (res.rowCount !== 1) return false;
    await notifyCredentialsChanged(client, user.id);
    await recordOperation(client, userEntry(user, actor, 'user.role_change', { from: user.role, to: role }));
    return true;
  });
}
