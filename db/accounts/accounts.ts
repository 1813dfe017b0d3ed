/** Customer accounts and their owners, as the API and the activities read them. */
import type { Pool } from 'pg';
import type { Locale } from '../../workflows/definitions';

/** An account as its console shows it. */
export interface AccountSummary {
  id: string;
  companyName: string;
  locale: Locale;
  timeZone: string;
}

/** Reads an account, or null. */
export async function findAccount(pool: Pool, accountId: string): Promise<AccountSummary | null> {
  const res = await pool.query<AccountSummary>('SELECT id, company_name AS "companyName", locale, time_zone AS "timeZone" FROM accounts WHERE id = $1', [accountId]);
  return res.rows[0] ?? null;
}

/** The account's owner (its main user), who receives the account's notices, or null. */
export interface AccountOwner {
  email: string;
  companyName: string;
  locale: Locale;
}

/** Reads the owner of an account, or null. */
export async function findAccountOwner(pool: Pool, accountId: string): Promise<AccountOwner | null> {
  const res = await pool.query<AccountOwner>(
    `SELECT u.email, a.company_name AS "companyName", a.locale FROM accounts a JOIN users u ON u.account_id = a.id AND u.role = 'owner' WHERE a.id = $1`,
    [accountId],
  );
  return res.rows[0] ?? null;
}
