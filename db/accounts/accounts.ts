/**
 * Customer accounts: what an admin records when onboarding a customer, as the API and the activities read it.
 * Every change is logged with it, in one transaction.
 */
import type { Pool, PoolClient } from 'pg';
import type { Currency, Locale } from '../../workflows/definitions';
import { inTransaction } from '../transaction';
import { notifyAccountCredentialsChanged } from './credential-changes';
import { recordOperation } from './operation-log';
import type { Actor } from './roles';
import { endAccountSessions } from './sessions';

/** An account as the API shows it. */
export interface Account {
  id: string;
  companyName: string;
  locale: Locale;
  timeZone: string;
  currency: Currency;
  billingEmail: string | null;
  address: string | null;
  status: 'active' | 'suspended';
  suspendedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The settings of an account an admin chooses (the owner may change some of them later). */
export interface AccountSettings {
  companyName: string;
  locale: Locale;
  timeZone: string;
  currency: Currency;
  billingEmail: string | null;
  address: string | null;
}

const ACCOUNT_COLUMNS = `id, company_name AS "companyName", locale, time_zone AS "timeZone", currency, billing_email AS "billingEmail",
  address, CASE WHEN suspended_at IS NULL THEN 'active' ELSE 'suspended' END AS status, suspended_at AS "suspendedAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Reads an account, or null. */
export async function findAccount(pool: Pool | PoolClient, accountId: string): Promise<Account | null> {
  const res = await pool.query<Account>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [accountId]);
  return res.rows[0] ?? null;
}

/** One page of the accounts, newest first, optionally only active or only suspended ones. */
export async function listAccounts(pool: Pool, filter: { status?: 'active' | 'suspended'; page: number; pageSize: number }): Promise<{ items: Account[]; total: number }> {
  const where = `WHERE ($1::text IS NULL OR ($1 = 'suspended') = (suspended_at IS NOT NULL))`;
  const [rows, count] = await Promise.all([
    pool.query<Account>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ${where} ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, [
      filter.status ?? null,
      filter.pageSize,
      (filter.page - 1) * filter.pageSize,
    ]),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM accounts ${where}`, [filter.status ?? null]),
  ]);
  return { items: rows.rows, total: count.rows[0]?.total ?? 0 };
}

/** Inserts an account (inside the onboarding transaction); false when the id is taken. */
export async function insertAccount(client: PoolClient, id: string, settings: AccountSettings, now: Date): Promise<Account | null> {
  const res = await client.query<Account>(
    `INSERT INTO accounts (id, company_name, locale, time_zone, currency, billing_email, address, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) ON CONFLICT (id) DO NOTHING RETURNING ${ACCOUNT_COLUMNS}`,
    [id, settings.companyName, settings.locale, settings.timeZone, settings.currency, settings.billingEmail, settings.address, now],
  );
  return res.rows[0] ?? null;
}

/** Changes some settings of an account, logged with the fields changed (and their new values); null when there is no such account. */
export async function updateAccount(pool: Pool, accountId: string, changes: Partial<AccountSettings>, actor: Actor, now: Date): Promise<Account | null> {
  return inTransaction(pool, async (client) => {
    const before = await findAccount(client, accountId);
    if (!before) return null;
    const changed = Object.fromEntries(Object.entries(changes).filter(([key, value]) => value !== undefined && before[key as keyof AccountSettings] !== value));
    if (Object.keys(changed).length === 0) return before;
    const after = { ...before, ...changed } as Account;
    const res = await client.query<Account>(
      `UPDATE accounts SET company_name = $2, locale = $3, time_zone = $4, currency = $5, billing_email = $6, address = $7, updated_at = $8
        WHERE id = $1 RETURNING ${ACCOUNT_COLUMNS}`,
      [accountId, after.companyName, after.locale, after.timeZone, after.currency, after.billingEmail, after.address, now],
    );
    await recordOperation(client, { accountId, actorId: actor.userId, address: actor.address, action: 'account.update', details: { changed } });
    return res.rows[0]!;
  });
}

/**
 * Suspends an account (its users' sessions end, and neither its sessions nor its keys work while it is suspended)
 * or reactivates it, logged; null when there is no such account. Suspending a suspended account changes nothing.
 */
export async function setAccountSuspended(pool: Pool, accountId: string, suspend: boolean, actor: Actor, now: Date): Promise<Account | null> {
  return inTransaction(pool, async (client) => {
    const res = await client.query<Account>(
      `UPDATE accounts SET suspended_at = CASE WHEN $2 THEN coalesce(suspended_at, $3) END, updated_at = $3
        WHERE id = $1 AND (suspended_at IS NULL) = $2 RETURNING ${ACCOUNT_COLUMNS}`,
      [accountId, suspend, now],
    );
    const account = res.rows[0];
    if (!account) return findAccount(client, accountId);
    if (suspend) {
      await endAccountSessions(client, accountId, 'account_suspended', now);
      await notifyAccountCredentialsChanged(client, accountId);
    }
    await recordOperation(client, { accountId, actorId: actor.userId, address: actor.address, action: suspend ? 'account.suspend' : 'account.reactivate' });
    return account;
  });
}

/** The account's owner (its main user), who receives the account's notices, or null. */
export interface AccountOwner {
  email: string;
  /** Where renewal invoices go when the account has one (else the owner's email). */
  billingEmail: string | null;
  companyName: string;
  locale: Locale;
}

/** Reads the owner of an account, or null. */
export async function findAccountOwner(pool: Pool, accountId: string): Promise<AccountOwner | null> {
  const res = await pool.query<AccountOwner>(
    `SELECT u.email, a.billing_email AS "billingEmail", a.company_name AS "companyName", a.locale
       FROM accounts a JOIN users u ON u.account_id = a.id AND u.role = 'owner' WHERE a.id = $1`,
    [accountId],
  );
  return res.rows[0] ?? null;
}

/** The company name of each of `accountIds` that exists. */
export async function companyNames(pool: Pool, accountIds: string[]): Promise<Map<string, string>> {
  if (accountIds.length === 0) return new Map();
  const res = await pool.query<{ id: string; companyName: string }>('SELECT id, company_name AS "companyName" FROM accounts WHERE id = ANY($1::text[])', [accountIds]);
  return new Map(res.rows.map((r) => [r.id, r.companyName]));
}
