/**
 * Customers and finance staff for a benchmark, inserted directly with their API keys. Orders are spread
 * over many accounts (as real customers are) and approvals over several finance users, so the API's
 * per-token rate limit (600 a minute) is never what a benchmark measures.
 */
import type { Pool } from 'pg';
import { createApiKey } from '../../db/accounts/api-keys';

/** API keys of the seeded users. */
export interface BenchCredentials {
  /** The owners' tokens: owners[i] is the owner of account `bench_acc_<i>`. */
  owners: string[];
  finance: string[];
}

const pad = (i: number) => String(i).padStart(5, '0');

/** The id of bench account `i`. */
export const benchAccountId = (i: number) => `bench_acc_${pad(i)}`;

/** Inserts customer accounts `bench_acc_00000` … (no users). */
export async function insertBenchAccounts(pool: Pool, accounts: number): Promise<void> {
  await pool.query(
    `INSERT INTO accounts (id, company_name, locale)
     SELECT 'bench_acc_' || lpad(i::text, 5, '0'), 'PT Bench ' || i, CASE WHEN i % 2 = 0 THEN 'en' ELSE 'id' END FROM generate_series(0, $1 - 1) AS i
     ON CONFLICT (id) DO NOTHING`,
    [accounts],
  );
}

/**
 * Inserts `accounts` customer accounts with an owner each and `financeUsers` finance users; answers the tokens
 * of every finance user and of the first `ownerTokens` owners.
 */
export async function seedBenchAccounts(pool: Pool, accounts: number, financeUsers: number, ownerTokens = accounts): Promise<BenchCredentials> {
  await insertBenchAccounts(pool, accounts);
  await pool.query(
    `INSERT INTO users (id, account_id, username, email, role)
     SELECT 'bench_owner_' || lpad(i::text, 5, '0'), 'bench_acc_' || lpad(i::text, 5, '0'), 'bench.owner.' || i, 'owner' || i || '@bench.example', 'owner'
       FROM generate_series(0, $1 - 1) AS i
     UNION ALL
     SELECT 'bench_finance_' || lpad(i::text, 5, '0'), NULL, 'bench.finance.' || i, 'finance' || i || '@topup.local', 'finance' FROM generate_series(0, $2 - 1) AS i
     ON CONFLICT (id) DO NOTHING`,
    [accounts, financeUsers],
  );
  const key = async (userId: string, secret: string) =>
    (await createApiKey(pool, { userId, name: 'bench', scopes: ['read', 'write'], expiresAt: null }, { userId: null, address: null }, new Date(), secret)).secret;
  const owners: string[] = [];
  for (let i = 0; i < Math.min(ownerTokens, accounts); i++) owners.push(await key(`bench_owner_${pad(i)}`, `bench-owner-${pad(i)}-token`));
  const finance: string[] = [];
  for (let i = 0; i < financeUsers; i++) finance.push(await key(`bench_finance_${pad(i)}`, `bench-finance-${pad(i)}-token`));
  return { owners, finance };
}
