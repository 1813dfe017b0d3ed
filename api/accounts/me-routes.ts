/** `GET /v1/me`: who the bearer token belongs to, and the customer's account, so a console signs in with a token alone. */
import { Router } from 'express';
import type { Pool } from 'pg';
import type { Principal } from './auth';

/** The caller and, for a customer, its account (company, locale and time zone shown in the console). */
export interface Me {
  userId: string;
  username: string;
  email: string;
  role: Principal['role'];
  account: { id: string; companyName: string; locale: 'en' | 'id'; timeZone: string } | null;
}

/** Builds the `/v1/me` router; every authenticated role may ask. */
export function meRouter(deps: { pool: Pool }): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { userId, username, email, role, accountId } = req.principal!;
    const found = accountId
      ? await deps.pool.query<NonNullable<Me['account']>>('SELECT id, company_name AS "companyName", locale, time_zone AS "timeZone" FROM accounts WHERE id = $1', [accountId])
      : null;
    const me: Me = { userId, username, email, role, account: found?.rows[0] ?? null };
    res.json(me);
  });
  return router;
}
