/** What emails and receipts need to know about an order's account and the user who created it. */
import type { Pool } from 'pg';
import type { Locale } from '../../workflows/definitions';

/** The account and user behind an order, as they are now. */
export interface OrderContext {
  companyName: string;
  locale: Locale;
  timeZone: string;
  username: string;
  /** The email of the user who created the order: the one who receives its emails. */
  email: string;
}

/** Loads the context of an order created by `userId` in `accountId`; throws when either is unknown. */
export async function loadOrderContext(pool: Pool, accountId: string, userId: string): Promise<OrderContext> {
  const res = await pool.query<OrderContext>(
    `SELECT a.company_name AS "companyName", a.locale, a.time_zone AS "timeZone", u.username, u.email
       FROM accounts a JOIN users u ON u.account_id = a.id
      WHERE a.id = $1 AND u.id = $2`,
    [accountId, userId],
  );
  const row = res.rows[0];
  if (!row) throw new Error(`no user ${userId} in account ${accountId}`);
  return row;
}
