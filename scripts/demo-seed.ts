/**
 * Demo data for `npm start`: two customer accounts and one user per role, with fixed demo tokens so the
 * README's curl walk-through works as written. Idempotent: safe on every start.
 */
import type { Pool } from 'pg';
import { issueToken } from '../db/accounts/tokens';

/** A demo user and the token printed at start. */
export interface DemoCredential {
  username: string;
  role: string;
  account: string | null;
  token: string;
}

const ACCOUNTS = [
  { id: 'acc_acme', company: 'PT Acme Digital Indonesia', locale: 'en' },
  { id: 'acc_nusa', company: 'PT Nusantara Kirim Cepat', locale: 'id' },
];

/**
 * Each demo user with the token `npm start` prints. A token must have the shape the API accepts (16 to 200 of
 * A-Z a-z 0-9 - . _ ~ + /, see api/accounts/auth.ts); test/accounts/demo-credentials.test.ts signs in with every one.
 */
const USERS: { id: string; username: string; email: string; role: string; account: string | null; token: string }[] = [
  { id: 'usr_acme_owner', username: 'acme.owner', email: 'owner@acme.example', role: 'owner', account: 'acc_acme', token: 'demo-acme-owner-token' },
  { id: 'usr_acme_pic', username: 'acme.pic', email: 'pic@acme.example', role: 'pic', account: 'acc_acme', token: 'demo-acme-pic-token' },
  { id: 'usr_nusa_owner', username: 'nusa.owner', email: 'owner@nusa.example', role: 'owner', account: 'acc_nusa', token: 'demo-nusa-owner-token' },
  { id: 'usr_finance', username: 'finance', email: 'finance@topup.local', role: 'finance', account: null, token: 'demo-finance-token' },
  { id: 'usr_ops', username: 'ops', email: 'ops@topup.local', role: 'ops', account: null, token: 'demo-ops-staff-token' },
  { id: 'usr_billing_service', username: 'billing-service', email: 'service@topup.local', role: 'service', account: null, token: 'demo-billing-service-token' },
];

/** Inserts the demo accounts, users and tokens (if missing) and returns the credentials to print. */
export async function seedDemoData(pool: Pool): Promise<DemoCredential[]> {
  for (const a of ACCOUNTS) {
    await pool.query('INSERT INTO accounts (id, company_name, locale) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [a.id, a.company, a.locale]);
  }
  const creds: DemoCredential[] = [];
  for (const u of USERS) {
    await pool.query('INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING', [
      u.id,
      u.account,
      u.username,
      u.email,
      u.role,
    ]);
    const token = await issueToken(pool, u.id, u.token);
    creds.push({ username: u.username, role: u.role, account: u.account, token });
  }
  return creds;
}
