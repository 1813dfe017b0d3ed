/**
 * Accounts, users and their credentials for tests, written straight to the database (no operation-log entries,
 * so a test's log holds what the test did). Each user gets an API key with every scope, so its role alone decides
 * what it may do; a person gets a password when the test signs in as it (hashing costs ~70 ms, so only then).
 */
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import request from 'supertest';
import type { Express } from 'express';
import { hashPassword } from '../../api/accounts/passwords';
import { newApiKeySecret } from '../../db/accounts/api-keys';
import { SCOPES, type Role, type Scope } from '../../db/accounts/roles';
import { sha256 } from '../../db/accounts/secrets';
import { openSession } from '../../db/accounts/sessions';
import type { ReceiptData } from '../../activities/bank-transfer/receipt-pdf';
import type { OrderView } from '../../workflows/definitions';

/** The password tests give a user when they sign in as it. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** A customer account with its owner and the owner's API key. */
export interface TestAccount {
  accountId: string;
  ownerId: string;
  ownerUsername: string;
  ownerToken: string;
  ownerEmail: string;
  companyName: string;
}

/** Inserts an API key for a user with `scopes` (every scope unless given) and answers the key. */
export async function insertTestApiKey(pool: Pool, userId: string, scopes: readonly Scope[] = SCOPES): Promise<string> {
  const secret = newApiKeySecret();
  await pool.query(`INSERT INTO api_keys (id, key_sha256, prefix, name, user_id, scopes) VALUES ($1, $2, $3, 'test key', $4, $5)`, [
    `key_${randomBytes(8).toString('hex')}`,
    sha256(secret),
    secret.slice(0, 12),
    userId,
    [...scopes],
  ]);
  return secret;
}

/** Gives a user the password {@link TEST_PASSWORD} (or `password`), as setting it from a link would. */
export async function giveTestPassword(pool: Pool, userId: string, password = TEST_PASSWORD): Promise<void> {
  await pool.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [userId, await hashPassword(password)]);
}

/**
 * A customer account and its owner, with an API key (`apiKey: false` leaves it out, for a schema from before API
 * keys) and, when asked, the password {@link TEST_PASSWORD}.
 */
export async function createTestAccount(pool: Pool, opts: { locale?: 'en' | 'id'; companyName?: string; password?: boolean; apiKey?: boolean } = {}): Promise<TestAccount> {
  const suffix = randomBytes(4).toString('hex');
  const accountId = `acc_${suffix}`;
  const ownerId = `usr_${suffix}_owner`;
  const ownerUsername = `owner.${suffix}`;
  const companyName = opts.companyName ?? `PT Uji ${suffix}`;
  const ownerEmail = `owner-${suffix}@customer.example`;
  await pool.query('INSERT INTO accounts (id, company_name, locale) VALUES ($1, $2, $3)', [accountId, companyName, opts.locale ?? 'en']);
  await pool.query(`INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, 'owner')`, [ownerId, accountId, ownerUsername, ownerEmail]);
  if (opts.password) await giveTestPassword(pool, ownerId);
  const ownerToken = opts.apiKey === false ? '' : await insertTestApiKey(pool, ownerId);
  return { accountId, ownerId, ownerUsername, ownerToken, ownerEmail, companyName };
}

/** A user with an API key: provider staff, a service, or a customer's PIC. */
export interface TestUser {
  userId: string;
  username: string;
  token: string;
  email: string;
}

async function createTestUser(pool: Pool, role: Exclude<Role, 'owner'>, accountId: string | null, password: boolean): Promise<TestUser> {
  const suffix = randomBytes(4).toString('hex');
  const userId = `usr_${suffix}_${role}`;
  const username = `${role}.${suffix}`;
  const email = `${role}-${suffix}@${accountId ? 'customer' : 'provider'}.example`;
  await pool.query('INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, $5)', [userId, accountId, username, email, role]);
  if (password) await giveTestPassword(pool, userId);
  return { userId, username, token: await insertTestApiKey(pool, userId), email };
}

/** A provider user (admin, finance, ops) or a service credential, with an API key. */
export function createStaffUser(pool: Pool, role: 'admin' | 'finance' | 'ops' | 'service', opts: { password?: boolean } = {}): Promise<TestUser> {
  return createTestUser(pool, role, null, opts.password ?? false);
}

/** A PIC of `account`, with an API key. */
export function createPicUser(pool: Pool, account: Pick<TestAccount, 'accountId'>, opts: { password?: boolean } = {}): Promise<TestUser> {
  return createTestUser(pool, 'pic', account.accountId, opts.password ?? false);
}

/** A console session: the cookie to send and the CSRF token of its changes. */
export interface TestSession {
  cookie: string;
  csrfToken: string;
  /** The headers of a request that changes something: the cookie and the CSRF token. */
  headers: Record<string, string>;
}

/** Signs in over HTTP as a person would (POST /v1/session); fails the test when refused. */
export async function signIn(app: Express, username: string, password = TEST_PASSWORD): Promise<TestSession> {
  const res = await request(app).post('/v1/session').send({ username, password });
  if (res.status !== 200) throw new Error(`sign-in as ${username} answered ${res.status}: ${JSON.stringify(res.body)}`);
  const cookie = [res.headers['set-cookie']].flat().find((c): c is string => typeof c === 'string' && c.startsWith('topup_session='))!.split(';')[0]!;
  const csrfToken = String(res.body.csrfToken);
  return { cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } };
}

/** A session opened directly, as a sign-in does once the password matched (no argon2 hash: for tests that need many). */
export async function openTestSession(pool: Pool, userId: string): Promise<TestSession> {
  const session = await openSession(pool, userId, '127.0.0.1', new Date());
  const cookie = `topup_session=${session.token}`;
  return { cookie, csrfToken: session.csrfToken, headers: { cookie, 'x-csrf-token': session.csrfToken } };
}

/** A paid order's receipt data as the DOMAIN.md example has it (5,000 outstanding, 1,000,000 paid). */
/** A bank-transfer order just created (Unpaid), as its workflow records it in the read model. */
export function unpaidOrderView(orderNumber: string, owner: Pick<TestAccount, 'accountId' | 'ownerId'>, createdAt: string): OrderView {
  return {
    orderNumber,
    accountId: owner.accountId,
    createdBy: owner.ownerId,
    wallet: 'credit',
    amount: 100_000,
    currency: 'IDR',
    status: 'unpaid',
    paymentMethod: null,
    slip: null,
    createdAt,
    submittedAt: null,
    deadline: null,
    checkResult: null,
    failure: null,
    paid: null,
    final: false,
    submissions: 0,
    revision: 0,
  };
}

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
