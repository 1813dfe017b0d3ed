/**
 * Onboarding, the one path by which accounts and users come to be: an admin's routes, an owner's invitations, the
 * admin command and the demo seed all call these. Each is one transaction: the rows, the one-time link of a person
 * (never of a service, which uses API keys), and the log entries. Sending the link is the caller's next step
 * (api/accounts/password-link-email.ts starts the workflow that emails it).
 */
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../transaction';
import { insertAccount, type Account, type AccountSettings } from './accounts';
import { recordOperation } from './operation-log';
import { issuePasswordLink, type IssuedLink, type PasswordLinkPurpose } from './password-links';
import type { Actor, Role } from './roles';
import { newId } from './secrets';
import { insertUser, type User } from './users';

/** The username asked for belongs to someone already: nothing was created. */
export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`the username ${username} is already taken`);
  }
}

/** A person or service to create. `id` is for the demo seed only, whose ids are fixed. */
export interface Invitee {
  id?: string;
  accountId: string | null;
  username: string;
  email: string;
  role: Role;
}

/** A user created, with the link it sets its password with (null for a service). */
export interface Invited {
  user: User;
  link: IssuedLink | null;
}

/** What every onboarding step needs besides its input. */
export interface OnboardingContext {
  actor: Actor;
  /** The deployment's PASSWORD_LINK_SECRET, from which link tokens are derived. */
  linkSecret: string;
  now: Date;
}

async function insertInvitee(client: PoolClient, invitee: Invitee, purpose: PasswordLinkPurpose, ctx: OnboardingContext): Promise<Invited> {
  const user = await insertUser(client, { id: invitee.id ?? newId('usr'), accountId: invitee.accountId, username: invitee.username, email: invitee.email, role: invitee.role, invitedBy: ctx.actor.userId }, ctx.now);
  if (!user) throw new UsernameTakenError(invitee.username);
  const link = user.role === 'service' ? null : await issuePasswordLink(client, { userId: user.id, purpose, createdBy: ctx.actor.userId }, ctx.linkSecret, ctx.now);
  const details = { userId: user.id, username: user.username, role: user.role, email: user.email, ...(link ? { linkId: link.id, expiresAt: link.expiresAt } : {}) };
  await recordOperation(client, { accountId: user.accountId, actorId: ctx.actor.userId, address: ctx.actor.address, action: link ? 'user.invite' : 'user.create', details });
  return { user, link };
}

/**
 * Creates a user: a person gets an invitation link (72 h), a service nothing (its keys come next); the first admin,
 * made by the admin command, a setup link. Throws {@link UsernameTakenError} when the username is taken.
 */
export async function inviteUser(pool: Pool, invitee: Invitee, ctx: OnboardingContext): Promise<Invited> {
  const purpose: PasswordLinkPurpose = ctx.actor.userId === null ? 'setup' : 'invitation';
  return inTransaction(pool, (client) => insertInvitee(client, invitee, purpose, ctx));
}

/** An account to create with its owner. `id` is for the demo seed only. */
export interface NewAccount {
  id?: string;
  settings: AccountSettings;
  owner: { id?: string; username: string; email: string };
}

/**
 * Creates a customer account and invites its owner, in one transaction. Throws {@link UsernameTakenError} when
 * the owner's username is taken (and creates nothing); null when the account id is taken (the seed's fixed ids).
 */
export async function createAccountWithOwner(pool: Pool, input: NewAccount, ctx: OnboardingContext): Promise<{ account: Account; owner: Invited } | null> {
  return inTransaction(pool, async (client) => {
    const account = await insertAccount(client, input.id ?? newId('acc'), input.settings, ctx.now);
    if (!account) return null;
    await recordOperation(client, { accountId: account.id, actorId: ctx.actor.userId, address: ctx.actor.address, action: 'account.create', details: { ...input.settings } });
    const owner = await insertInvitee(client, { ...input.owner, accountId: account.id, role: 'owner' }, 'invitation', ctx);
    return { account, owner };
  });
}

/**
 * Issues a new link for an existing user (voiding its older links), logged: an invitation sent again, or a setup
 * link from the admin command. (A reset the user asks for: {@link issueResetLink}.)
 */
export async function reissuePasswordLink(pool: Pool, user: User, purpose: 'setup' | 'invitation', ctx: OnboardingContext): Promise<IssuedLink> {
  return inTransaction(pool, async (client) => {
    const link = await issuePasswordLink(client, { userId: user.id, purpose, createdBy: ctx.actor.userId }, ctx.linkSecret, ctx.now);
    const action = 'user.invitation_resend';
    const details = { userId: user.id, username: user.username, linkId: link.id, purpose, expiresAt: link.expiresAt };
    await recordOperation(client, { accountId: user.accountId, actorId: ctx.actor.userId, address: ctx.actor.address, action, details });
    return link;
  });
}

/**
 * Issues a reset link the user asked for, unless it already had `perHour` of them in the hour before `now`: then
 * null, and nothing is sent. The user's row is locked while counting, so requests racing each other count right.
 */
export async function issueResetLink(pool: Pool, user: User, perHour: number, ctx: OnboardingContext): Promise<IssuedLink | null> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
    const since = new Date(ctx.now.getTime() - 3_600_000);
    const recent = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM password_links WHERE user_id = $1 AND purpose = 'reset' AND created_at > $2`, [user.id, since]);
    if ((recent.rows[0]?.n ?? 0) >= perHour) return null;
    const link = await issuePasswordLink(client, { userId: user.id, purpose: 'reset', createdBy: ctx.actor.userId }, ctx.linkSecret, ctx.now);
    const details = { userId: user.id, username: user.username, linkId: link.id, purpose: 'reset', expiresAt: link.expiresAt };
    await recordOperation(client, { accountId: user.accountId, actorId: ctx.actor.userId, address: ctx.actor.address, action: 'user.password_reset_request', details });
    return link;
  });
}
