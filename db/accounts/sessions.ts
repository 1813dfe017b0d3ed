/**
 * Console sessions, held in PostgreSQL: the cookie carries a random token kept here as its SHA-256; each request
 * finds the session by it and moves its idle clock in the same statement. A session ends when its user signs out,
 * changes or resets the password (the others), is disabled or removed, or its account is suspended.
 */
import type { Pool, PoolClient } from 'pg';
import type { Principal } from './roles';
import { newId, randomSecret, sha256 } from './secrets';

/** Why a session ended (sessions.end_reason). */
export type SessionEndReason = 'sign_out' | 'password_change' | 'password_reset' | 'disabled' | 'removed' | 'account_suspended';

/** A session just opened: its token goes into the cookie once and is never stored in clear. */
export interface NewSession {
  id: string;
  token: string;
  csrfToken: string;
  createdAt: Date;
}

/** A live session and whose it is. */
export interface SessionPrincipal extends Principal {
  sessionId: string;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
}

/** How long a session lives: since its last request (idle), and at most since it opened (absolute). */
export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

/** Opens a session for a user who just signed in. */
export async function openSession(pool: Pool, userId: string, address: string | null, now: Date): Promise<NewSession> {
  const session = { id: newId('ses'), token: randomSecret(32), csrfToken: randomSecret(32), createdAt: now };
  await pool.query('INSERT INTO sessions (id, token_sha256, csrf_token, user_id, address, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $6)', [
    session.id,
    sha256(session.token),
    session.csrfToken,
    userId,
    address,
    now,
  ]);
  return session;
}

/**
 * The session of a cookie's token, if it is open, neither idle nor older than its absolute timeout, its user
 * enabled and its account not suspended; its idle clock restarts now. One statement, one round trip.
 */
export async function touchSession(pool: Pool, token: string, now: Date, timeouts: SessionTimeouts): Promise<SessionPrincipal | undefined> {
  const res = await pool.query<SessionPrincipal>({
    name: 'touch-session',
    text: `UPDATE sessions s SET last_seen_at = $2
             FROM users u LEFT JOIN accounts a ON a.id = u.account_id
            WHERE s.token_sha256 = $1 AND u.id = s.user_id AND s.ended_at IS NULL
              AND s.last_seen_at > $2::timestamptz - make_interval(secs => $3 / 1000.0)
              AND s.created_at > $2::timestamptz - make_interval(secs => $4 / 1000.0)
              AND u.disabled_at IS NULL AND a.suspended_at IS NULL
        RETURNING s.id AS "sessionId", s.csrf_token AS "csrfToken", s.created_at AS "createdAt", s.last_seen_at AS "lastSeenAt",
                  u.id AS "userId", u.username, u.email, u.role, u.account_id AS "accountId"`,
    values: [sha256(token), now, timeouts.idleMs, timeouts.absoluteMs],
  });
  return res.rows[0];
}

/** Ends one session (signing out); false when it had already ended. */
export async function endSession(pool: Pool | PoolClient, sessionId: string, reason: SessionEndReason, now: Date): Promise<boolean> {
  const res = await pool.query('UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL', [sessionId, now, reason]);
  return res.rowCount === 1;
}

/** Ends every open session of a user, but `keep` (the one changing its password); answers how many ended. */
export async function endUserSessions(client: Pool | PoolClient, userId: string, reason: SessionEndReason, now: Date, keep: string | null = null): Promise<number> {
  const res = await client.query('UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE user_id = $1 AND ended_at IS NULL AND id IS DISTINCT FROM $4', [userId, now, reason, keep]);
  return res.rowCount ?? 0;
}

/** Ends every open session of an account's users. */
export async function endAccountSessions(client: PoolClient, accountId: string, reason: SessionEndReason, now: Date): Promise<void> {
  await client.query(
    'UPDATE sessions s SET ended_at = $2, end_reason = $3 FROM users u WHERE u.id = s.user_id AND u.account_id = $1 AND s.ended_at IS NULL',
    [accountId, now, reason],
  );
}

/** Deletes a user's sessions that ended or timed out, so the table holds live sessions and a little history. */
export async function deleteStaleSessions(pool: Pool, userId: string, now: Date, timeouts: SessionTimeouts): Promise<void> {
  await pool.query(
    `DELETE FROM sessions WHERE user_id = $1
        AND (ended_at IS NOT NULL OR last_seen_at <= $2::timestamptz - make_interval(secs => $3 / 1000.0) OR created_at <= $2::timestamptz - make_interval(secs => $4 / 1000.0))`,
    [userId, now, timeouts.idleMs, timeouts.absoluteMs],
  );
}
