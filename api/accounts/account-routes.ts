/**
 * Customer accounts. Admins create one (its owner is invited by email in the same step), read, update, suspend and
 * reactivate any; provider staff read them; an account's owner reads and updates its own settings (not its
 * currency), its PICs read them. Another account answers 404, as if it did not exist.
 */
import { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findAccount, listAccounts, setAccountSuspended, updateAccount, type Account } from '../../db/accounts/accounts';
import { createAccountWithOwner, UsernameTakenError } from '../../db/accounts/onboarding';
import { CURRENCIES } from '../../workflows/definitions';
import { HttpError } from '../shared/errors';
import { ZPaging } from '../orders/schemas';
import { actorOf, requireRole, sessionOnly } from './auth';
import { requestPasswordLinkEmail } from './password-link-email';
import { ZEmail, ZUsername, usernameTaken } from './user-schemas';

/** An account id in a path. */
export const ZAccountId = z.string().regex(/^[\w-]{1,100}$/, 'must be an account id');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const settingsShape = {
  companyName: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
  locale: z.enum(['en', 'id'], 'must be en or id'),
  timeZone: z.string().max(64, 'must be at most 64 characters').refine(isTimeZone, 'must be an IANA time zone, e.g. Asia/Jakarta'),
  currency: z.enum(CURRENCIES, `must be one of: ${CURRENCIES.join(', ')} (the currencies the service handles)`),
  billingEmail: ZEmail.nullable(),
  address: z.string().trim().min(1, 'must not be empty (send null to clear it)').max(500, 'must be at most 500 characters').nullable(),
};

/** `POST /v1/accounts`: the account's settings (defaults: en, Asia/Jakarta, IDR) and its owner to invite. */
export const ZCreateAccountRequest = z.strictObject({
  companyName: settingsShape.companyName,
  locale: settingsShape.locale.default('en'),
  timeZone: settingsShape.timeZone.default('Asia/Jakarta'),
  currency: settingsShape.currency.default('IDR'),
  billingEmail: settingsShape.billingEmail.default(null),
  address: settingsShape.address.default(null),
  owner: z.strictObject({ username: ZUsername, email: ZEmail }),
});

/** `PATCH /v1/accounts/{accountId}`: any setting; an owner may not change the currency. */
export const ZUpdateAccountRequest = z.strictObject({
  companyName: settingsShape.companyName.optional(),
  locale: settingsShape.locale.optional(),
  timeZone: settingsShape.timeZone.optional(),
  currency: settingsShape.currency.optional(),
  billingEmail: settingsShape.billingEmail.optional(),
  address: settingsShape.address.optional(),
});

/** `GET /v1/accounts`. */
export const ZAccountsQuery = z.strictObject({ ...ZPaging.shape, status: z.enum(['active', 'suspended'], 'must be active or suspended').optional() });

/** What the account routes need. */
export interface AccountRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  now: () => Date;
  passwordLinkSecret: string;
}

/** The account of the path, if the caller may see it: any for provider staff, its own for a customer. */
async function visibleAccount(pool: Pool, req: Request): Promise<Account> {
  const accountId = ZAccountId.parse(req.params.accountId);
  const principal = req.principal!;
  const account = principal.accountId === null || principal.accountId === accountId ? await findAccount(pool, accountId) : null;
  if (!account) throw new HttpError(404, 'not_found', `account ${accountId} was not found`);
  return account;
}

/** Builds the `/v1/accounts` router. */
export function accountsRouter(deps: AccountRouteDeps): Router {
  const router = Router();

  router.post('/', requireRole('admin'), sessionOnly, async (req, res) => {
    const body = ZCreateAccountRequest.parse(req.body);
    const { owner, ...settings } = body;
    let created;
    try {
      created = await createAccountWithOwner(deps.pool, { settings, owner }, { actor: actorOf(req), linkSecret: deps.passwordLinkSecret, now: deps.now() });
    } catch (err) {
      if (err instanceof UsernameTakenError) throw usernameTaken(err, 'owner.username');
      throw err;
    }
    if (!created) throw new Error('a new account id was taken');
    const link = created.owner.link!;
    await requestPasswordLinkEmail(deps.temporal, deps.taskQueue, link.id);
    res
      .status(201)
      .location(`/v1/accounts/${created.account.id}`)
      .json({ ...created.account, owner: { ...created.owner.user, invitationExpiresAt: link.expiresAt } });
  });

  router.get('/', requireRole('admin', 'finance', 'ops'), async (req, res) => {
    const query = ZAccountsQuery.parse(req.query);
    const { items, total } = await listAccounts(deps.pool, query);
    res.json({ items, page: query.page, pageSize: query.pageSize, total });
  });

  router.get('/:accountId', requireRole('admin', 'finance', 'ops', 'owner', 'pic'), async (req, res) => {
    res.json(await visibleAccount(deps.pool, req));
  });

  router.patch('/:accountId', requireRole('admin', 'owner'), sessionOnly, async (req, res) => {
    const account = await visibleAccount(deps.pool, req);
    const changes = ZUpdateAccountRequest.parse(req.body);
    if (req.principal!.role === 'owner' && changes.currency !== undefined && changes.currency !== account.currency) {
      throw new HttpError(403, 'forbidden', "only the provider's admins change an account's currency", [{ path: 'currency', rule: 'is changed by an admin only' }]);
    }
    res.json(await updateAccount(deps.pool, account.id, changes, actorOf(req), deps.now()));
  });

  for (const [action, suspend] of [['suspend', true], ['reactivate', false]] as const) {
    router.post(`/:accountId/${action}`, requireRole('admin'), sessionOnly, async (req, res) => {
      const account = await visibleAccount(deps.pool, req);
      res.json(await setAccountSuspended(deps.pool, account.id, suspend, actorOf(req), deps.now()));
    });
  }
  return router;
}
