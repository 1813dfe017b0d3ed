/**
 * One-time password links: an invitation (72 h) or the first admin's setup link (72 h) lets a new user choose a
 * password; a reset link (1 h) lets a user choose a new one. A link works once, until it expires; a newer link for
 * the same user voids the older ones.
 *
 * A link's token is derived from its id with the deployment's secret (HMAC-SHA256, like Django's reset tokens),
 * and only the token's SHA-256 is stored. The email carrying it is sent by a workflow whose input is the link's id
 * alone: the activity derives the token again, so a retried email carries the same link, and no token is ever in
 * a workflow history, a table or a log.
 */
import { createHmac } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Locale } from '../../workflows/definitions';
import { inTransaction } from '../transaction';
import { recordOperation } from './operation-log';
import type { Role } from './roles';
import { newId, sha256 } from './secrets';
import { endUserSessions } from './sessions';

/** What a link is for. */
export type PasswordLinkPurpose = 'setup' | 'invitation' | 'reset';

/** How long each kind of link works (issue 17: invitations 72 h, resets 1 h). */
export const PASSWORD_LINK_LIFETIME_MS: Record<PasswordLinkPurpose, number> = {
  setup: 72 * 3_600_000,
  invitation: 72 * 3_600_000,
  reset: 3_600_000,
};

/** The token of a link: HMAC-SHA256 of its id under the deployment's PASSWORD_LINK_SECRET, base64url. */
export function passwordLinkToken(secret: string, linkId: string): string {
  return createHmac('sha256', secret).update(`password-link:${linkId}`, 'utf8').digest('base64url');
}

/** A link just issued. */
export interface IssuedLink {
  id: string;
  token: string;
  purpose: PasswordLinkPurpose;
  expiresAt: Date;
}

/** Issues a link for a user (voiding its older open links) inside the caller's transaction. */
export async function issuePasswordLink(
  client: PoolClient,
  link: { userId: string; purpose: PasswordLinkPurpose; createdBy: string | null },
  secret: string,
  now: Date,
): Promise<IssuedLink> {
  const id = newId('pwl');
  const token = passwordLinkToken(secret, id);
  const expiresAt = new Date(now.getTime() + PASSWORD_LINK_LIFETIME_MS[link.purpose]);
  await client.query('UPDATE password_links SET voided_at = $2 WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL', [link.userId, now]);
  await client.query('INSERT INTO password_links (id, user_id, purpose, token_sha256, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    id,
    link.userId,
    link.purpose,
    sha256(token),
    link.createdBy,
    now,
    expiresAt,
  ]);
  return { id, token, purpose: link.purpose, expiresAt };
}

/** A link that still works: whose it is and what for. */
export interface OpenLink {
  linkId: string;
  purpose: PasswordLinkPurpose;
  expiresAt: Date;
  userId: string;
  username: string;
}

const OPEN = `l.used_at IS NULL AND l.voided_at IS NULL AND l.expires_at > $2 AND u.disabled_at IS NULL`;

/** The link of a token, if it still works at `now`; null for an unknown, expired, used or voided one. */
export async function findOpenLink(pool: Pool, token: string, now: Date): Promise<OpenLink | null> {
  const res = await pool.query<OpenLink>(
    `SELECT l.id AS "linkId", l.purpose, l.expires_at AS "expiresAt", u.id AS "userId", u.username
       FROM password_links l JOIN users u ON u.id = l.user_id WHERE l.token_sha256 = $1 AND ${OPEN}`,
    [sha256(token), now],
  );
  return res.rows[0] ?? null;
}

/**
 * Uses a link: the user's password becomes `passwordHash`, the link is spent, the user's other open links are
 * voided, and after a reset every session of the user ends; logged. Null when the link does not work (unknown,
 * expired, used, voided, or its user disabled). Two requests racing with one link: one wins, the other gets null.
 */
export async function redeemPasswordLink(pool: Pool, token: string, passwordHash: string, address: string | null, now: Date): Promise<OpenLink | null> {
  return inTransaction(pool, async (client) => {
    const used = await client.query<OpenLink & { accountId: string | null }>(
      `UPDATE password_links l SET used_at = $2 FROM users u
        WHERE l.token_sha256 = $1 AND u.id = l.user_id AND ${OPEN}
        RETURNING l.id AS "linkId", l.purpose, l.expires_at AS "expiresAt", u.id AS "userId", u.username, u.account_id AS "accountId"`,
      [sha256(token), now],
    );
    const link = used.rows[0];
    if (!link) return null;
    await client.query('UPDATE users SET password_hash = $2, password_changed_at = $3 WHERE id = $1', [link.userId, passwordHash, now]);
    await client.query('UPDATE password_links SET voided_at = $2 WHERE user_id = $1 AND used_at IS NULL AND voided_at IS NULL', [link.userId, now]);
    const ended = link.purpose === 'reset' ? await endUserSessions(client, link.userId, 'password_reset', now) : 0;
    const action = link.purpose === 'reset' ? 'user.password_reset' : 'user.password_set';
    await recordOperation(client, { accountId: link.accountId, actorId: link.userId, address, action, details: { linkId: link.linkId, sessionsEnded: ended } });
    const { accountId: _accountId, ...open } = link;
    return open;
  });
}

/** What the email of a link needs: the link (is it still worth sending?), its user and the user's account. */
export interface LinkEmailContext {
  linkId: string;
  purpose: PasswordLinkPurpose;
  expiresAt: Date;
  tokenSha256: Buffer;
  open: boolean;
  username: string;
  email: string;
  role: Role;
  companyName: string | null;
  locale: Locale;
  timeZone: string;
  invitedBy: string | null;
}

/** Loads what the link's email says, or null when there is no such link. */
export async function loadLinkEmailContext(pool: Pool, linkId: string, now: Date): Promise<LinkEmailContext | null> {
  const res = await pool.query<LinkEmailContext>(
    `SELECT l.id AS "linkId", l.purpose, l.expires_at AS "expiresAt", l.token_sha256 AS "tokenSha256", (${OPEN}) AS open,
            u.username, u.email, u.role, a.company_name AS "companyName", coalesce(a.locale, 'en') AS locale,
            coalesce(a.time_zone, 'Asia/Jakarta') AS "timeZone", i.username AS "invitedBy"
       FROM password_links l JOIN users u ON u.id = l.user_id LEFT JOIN accounts a ON a.id = u.account_id LEFT JOIN users i ON i.id = l.created_by
      WHERE l.id = $1`,
    [linkId, now],
  );
  return res.rows[0] ?? null;
}
