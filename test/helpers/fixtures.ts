/** Accounts and users for tests, written straight to the database. */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { issueToken } from '../../db/accounts/tokens';
import type { ReceiptData } from '../../activities/bank-transfer/receipt-pdf';

/** A customer account with its owner and the owner's token. */
export interface TestAccount {
  accountId: string;
  ownerId: string;
  ownerToken: string;
  ownerEmail: string;
  companyName: string;
}

export async function createTestAccount(pool: Pool, opts: { locale?: 'en' | 'id'; companyName?: string } = {}): Promise<TestAccount> {
  const suffix = randomBytes(4).toString('hex');
  const accountId = `acc_${suffix}`;
  const ownerId = `usr_${suffix}_owner`;
  const companyName = opts.companyName ?? `PT Uji ${suffix}`;
  const ownerEmail = `owner-${suffix}@customer.example`;
  await pool.query('INSERT INTO accounts (id, company_name, locale) VALUES ($1, $2, $3)', [accountId, companyName, opts.locale ?? 'en']);
  await pool.query(`INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, 'owner')`, [ownerId, accountId, `owner.${suffix}`, ownerEmail]);
  const ownerToken = await issueToken(pool, ownerId);
  return { accountId, ownerId, ownerToken, ownerEmail, companyName };
}

/** A user with a token: provider staff, or a customer's sub-account. */
export interface TestUser {
  userId: string;
  token: string;
  email: string;
}

async function createTestUser(pool: Pool, role: 'pic' | 'finance' | 'ops' | 'service', accountId: string | null): Promise<TestUser> {
  const suffix = randomBytes(4).toString('hex');
  const userId = `usr_${suffix}_${role}`;
  const email = `${role}-${suffix}@${accountId ? 'customer' : 'provider'}.example`;
  await pool.query('INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, $5)', [userId, accountId, `${role}.${suffix}`, email, role]);
  return { userId, token: await issueToken(pool, userId), email };
}

/** A provider staff user (finance, ops) or a service credential, with a token. */
export function createStaffUser(pool: Pool, role: 'finance' | 'ops' | 'service'): Promise<TestUser> {
  return createTestUser(pool, role, null);
}

/** A sub-account (PIC) of `account`, with a token. */
export function createPicUser(pool: Pool, account: Pick<TestAccount, 'accountId'>): Promise<TestUser> {
  return createTestUser(pool, 'pic', account.accountId);
}

/** A paid order's receipt data as the DOMAIN.md example has it (5,000 outstanding, 1,000,000 paid). */
export const sampleReceipt = (overrides: Partial<ReceiptData> = {}): ReceiptData => ({
  locale: 'en',
  timeZone: 'Asia/Jakarta',
  provider: { name: 'ADVANCE.AI Indonesia', address: 'Jl. H.R. Rasuna Said Blok X-5 No. 13, Jakarta Selatan 12950', email: 'receivables@provider.example' },
  customer: { companyName: 'PT Maju Bersama', username: 'budi.santoso' },
  orderNumber: '1202206054089',
  orderTime: '2026-11-24T02:08:38Z',
  paidAt: '2026-11-24T03:15:00Z',
  wallet: 'credit',
  paymentMethod: 'bank_transfer',
  currency: 'IDR',
  amount: 1_000_000,
  settled: 5_000,
  added: 995_000,
  balanceAfter: 995_000,
  checkResult: 'Amount matches the slip',
  ...overrides,
});
