/** `GET /v1/me`: who the bearer token belongs to, and the customer's account, so a console signs in with a token alone. */
import { Router } from 'express';
import type { Pool } from 'pg';
import { findAccount, type AccountSummary } from '../../db/accounts/accounts';
import type { Principal } from './auth';

/** The caller and, for a customer, its account (company, locale and time zone shown in the console). */
export interface Me {
  userId: string;
  username: string;
  email: string;
  role: Principal['role'];
  account: AccountSummary | null;
}

/** Builds the `/v1/me` router; every authenticated role may ask. */
export function meRouter(deps: { pool: Pool }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { userId, username, email, role, accountId } = req.principal!;
    const me: Me = { userId, username, email, role, account: accountId ? await findAccount(deps.pool, accountId) : null };
    res.json(me);
  });
  return router;
}
