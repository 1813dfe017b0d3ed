/**
 * Users. Admins invite the provider's staff (admins, finance, ops) and create services; an account's owner invites
 * its PICs. Every invitation is an email with a one-time link (72 h) with which the invitee sets its password. The
 * same people list, disable, enable again and remove them; a disabled user's sessions end and its keys stop at once.
 * Admins also give staff another role. Nobody disables, removes or re-roles their own user (ask another admin).
 */
import { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { KeyPrincipal } from '../../db/accounts/api-keys';
import { inviteUser, reissuePasswordLink, UsernameTakenError } from '../../db/accounts/onboarding';
import { STAFF_ROLES, type Role } from '../../db/accounts/roles';
import { changeUserRole, findUser, listUsers, removeUser, setUserDisabled, type User } from '../../db/accounts/users';
import { HttpError } from '../shared/errors';
import { actorOf, requireRole, scopedAccountId, sessionOnly } from './auth';
import { requestPasswordLinkEmail } from './password-link-email';
import type { PrincipalCache } from './principal-cache';
import { usernameTaken, ZEmail, ZUserId, ZUsername } from './user-schemas';

/** The roles an admin gives: staff, or a service (a program, with API keys and no password). */
const ADMIN_INVITES = [...STAFF_ROLES, 'service'] as const;

/** `POST /v1/users`: an admin names the role; an owner invites a PIC (the role may be left out). */
export const ZInviteUserRequest = z.strictObject({
  username: ZUsername,
  email: ZEmail,
  role: z.enum([...ADMIN_INVITES, 'pic'], `must be one of: ${[...ADMIN_INVITES, 'pic'].join(', ')}`).optional(),
});

/** `PATCH /v1/users/{userId}`: another staff role. */
export const ZChangeRoleRequest = z.strictObject({ role: z.enum(STAFF_ROLES, `must be one of: ${STAFF_ROLES.join(', ')}`) });

/** `GET /v1/users`: an admin lists the provider's users, or one account's. */
export const ZUsersQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });

/** What the user routes need. */
export interface UserRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  now: () => Date;
  passwordLinkSecret: string;
  principals: PrincipalCache<KeyPrincipal>;
}

/** The role and account a new user gets from who invites it. */
function inviteeRole(req: Request, asked: Role | undefined): { role: Role; accountId: string | null } {
  const principal = req.principal!;
  if (principal.role === 'owner') {
    if (asked !== undefined && asked !== 'pic') throw new HttpError(403, 'forbidden', 'an owner invites PICs only', [{ path: 'role', rule: 'must be pic (or left out)' }]);
    return { role: 'pic', accountId: principal.accountId };
  }
  if (asked === undefined || asked === 'pic') {
    throw new HttpError(400, 'invalid_input', `role: must be one of: ${ADMIN_INVITES.join(', ')}`, [{ path: 'role', rule: `must be one of: ${ADMIN_INVITES.join(', ')} (an account's owner invites its PICs)` }]);
  }
  return { role: asked, accountId: null };
}

/** The user of the path, if the caller manages it: anyone for an admin, its own PICs for an owner; removed users are gone. */
async function managedUser(pool: Pool, req: Request): Promise<User> {
  const userId = ZUserId.parse(req.params.userId);
  const principal = req.principal!;
  const user = await findUser(pool, userId);
  const manages = user !== null && user.status !== 'removed' && (principal.role === 'admin' || (user.accountId === principal.accountId && user.role === 'pic'));
  if (!manages) throw new HttpError(404, 'not_found', `user ${userId} was not found`);
  return user;
}

/** Refuses a change to one's own user: an admin could lock the provider out. */
function notOneself(req: Request, user: User, what: string): void {
  if (user.id === req.principal!.userId) throw new HttpError(409, 'own_user', `you cannot ${what} your own user: ask another admin`);
}

/** Builds the `/v1/users` router. */
export function usersRouter(deps: UserRouteDeps): Router {
  const router = Router();
  router.use(requireRole('admin', 'owner'), sessionOnly);
  const ctx = (req: Request) => ({ actor: actorOf(req), linkSecret: deps.passwordLinkSecret, now: deps.now() });

  router.post('/', async (req, res) => {
    const body = ZInviteUserRequest.parse(req.body);
    const { role, accountId } = inviteeRole(req, body.role);
    let invited;
    try {
      invited = await inviteUser(deps.pool, { accountId, username: body.username, email: body.email, role }, ctx(req));
    } catch (err) {
      if (err instanceof UsernameTakenError) throw usernameTaken(err);
      throw err;
    }
    if (invited.link) await requestPasswordLinkEmail(deps.temporal, deps.taskQueue, invited.link.id);
    res
      .status(201)
      .location(`/v1/users/${invited.user.id}`)
      .json({ ...invited.user, invitationExpiresAt: invited.link?.expiresAt ?? null });
  });

  router.get('/', async (req, res) => {
    const query = ZUsersQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    res.json({ items: await listUsers(deps.pool, accountId ? { accountId } : 'provider') });
  });

  router.patch('/:userId', requireRole('admin'), async (req, res) => {
    const user = await managedUser(deps.pool, req);
    const { role } = ZChangeRoleRequest.parse(req.body);
    notOneself(req, user, 'change the role of');
    if (!(STAFF_ROLES as readonly Role[]).includes(user.role)) throw new HttpError(409, 'not_staff', `only staff change roles; ${user.username} is ${user.role}`);
    await changeUserRole(deps.pool, user, role, actorOf(req));
    deps.principals.forgetUser(user.id);
    res.json(await findUser(deps.pool, user.id));
  });

  for (const [action, disable] of [['disable', true], ['enable', false]] as const) {
    router.post(`/:userId/${action}`, async (req, res) => {
      const user = await managedUser(deps.pool, req);
      notOneself(req, user, action);
      await setUserDisabled(deps.pool, user, disable, actorOf(req), deps.now());
      deps.principals.forgetUser(user.id);
      res.json(await findUser(deps.pool, user.id));
    });
  }

  router.delete('/:userId', async (req, res) => {
    const user = await managedUser(deps.pool, req);
    notOneself(req, user, 'remove');
    await removeUser(deps.pool, user, actorOf(req), deps.now());
    deps.principals.forgetUser(user.id);
    res.status(204).end();
  });

  router.post('/:userId/invitation', async (req, res) => {
    const user = await managedUser(deps.pool, req);
    if (user.status !== 'invited') throw new HttpError(409, 'not_invited', `${user.username} is ${user.status}: an invitation is for a user who has not set a password yet (a person who forgot it asks for a reset)`);
    const link = await reissuePasswordLink(deps.pool, user, 'invitation', ctx(req));
    await requestPasswordLinkEmail(deps.temporal, deps.taskQueue, link.id);
    res.status(202).json({ ...user, invitationExpiresAt: link.expiresAt });
  });
  return router;
}
