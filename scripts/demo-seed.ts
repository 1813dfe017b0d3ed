/**
 * Demo data for `npm start`, made the way a real deployment is onboarded (db/accounts/onboarding.ts): the first
 * admin as the admin command makes it; the admin creates the two customer accounts (inviting their owners) and
 * the staff; an owner invites its PIC; every person sets the demo password with its own one-time link, as the
 * emailed link would; owners and the admin create the API keys. The only shortcut: the links are used here rather
 * than emailed, and the ids, passwords and keys are fixed, so the API walk-through (docs/api.md) works as written.
 * Idempotent: safe on every start (a password someone changed stays changed).
 */
import type { Pool } from 'pg';
import { hashPassword } from '../api/accounts/passwords';
import { createApiKey } from '../db/accounts/api-keys';
import { createAccountWithOwner, inviteUser, reissuePasswordLink, type Invitee, type OnboardingContext } from '../db/accounts/onboarding';
import { redeemPasswordLink, type IssuedLink } from '../db/accounts/password-links';
import type { Actor, Role, Scope } from '../db/accounts/roles';
import { findPasswordHash, findUser } from '../db/accounts/users';
import { findAccount } from '../db/accounts/accounts';

/** A demo user and what `npm start` prints for it: its password (none for a service) and its API key. */
export interface DemoCredential {
  username: string;
  role: Role;
  account: string | null;
  password: string | null;
  /** None for the admin: keys are for programs, and an admin's work is done signed in. */
  apiKey: string | null;
}

interface DemoUser {
  id: string;
  username: string;
  email: string;
  role: Role;
  password: string | null;
  /** The key printed; it must have the shape the API accepts (16 to 200 of A-Z a-z 0-9 - . _ ~ + /). */
  apiKey: string | null;
  scopes: Scope[];
}

const person = (id: string, username: string, email: string, role: Role, key: string | null): DemoUser => ({
  id,
  username,
  email,
  role,
  password: `demo-${username.replace(/\./g, '-')}-password`,
  apiKey: key,
  scopes: ['read', 'write'],
});

const ADMIN = person('usr_admin', 'admin', 'admin@topup.local', 'admin', null);

const ACCOUNTS = [
  {
    id: 'acc_acme',
    settings: { companyName: 'PT Acme Digital Indonesia', locale: 'en' as const, timeZone: 'Asia/Jakarta', currency: 'IDR' as const, billingEmail: 'billing@acme.example', address: 'Jl. Jenderal Sudirman 1, Jakarta' },
    owner: person('usr_acme_owner', 'acme.owner', 'owner@acme.example', 'owner', 'demo-acme-owner-token'),
    pics: [person('usr_acme_pic', 'acme.pic', 'pic@acme.example', 'pic', 'demo-acme-pic-token')],
  },
  {
    id: 'acc_nusa',
    settings: { companyName: 'PT Nusantara Kirim Cepat', locale: 'id' as const, timeZone: 'Asia/Jakarta', currency: 'IDR' as const, billingEmail: null, address: null },
    owner: person('usr_nusa_owner', 'nusa.owner', 'owner@nusa.example', 'owner', 'demo-nusa-owner-token'),
    pics: [],
  },
];

const STAFF: DemoUser[] = [
  person('usr_finance', 'finance', 'finance@topup.local', 'finance', 'demo-finance-token'),
  person('usr_ops', 'ops', 'ops@topup.local', 'ops', 'demo-ops-staff-token'),
  { id: 'usr_billing_service', username: 'billing-service', email: 'service@topup.local', role: 'service', password: null, apiKey: 'demo-billing-service-token', scopes: ['read', 'write', 'usage'] },
];

/** What every seeding step needs: the links it makes are used at once, never emailed. */
interface SeedContext {
  pool: Pool;
  linkSecret: string;
  now: Date;
}

function as(ctx: SeedContext, actor: Actor): OnboardingContext {
  return { actor, linkSecret: ctx.linkSecret, now: ctx.now };
}

/** Sets the demo password through a link, as the invitee would, unless the user has a password already. */
async function ensurePassword(ctx: SeedContext, user: DemoUser, link: IssuedLink | null): Promise<void> {
  if (user.password === null || (await findPasswordHash(ctx.pool, user.id)) !== null) return;
  const existing = await findUser(ctx.pool, user.id);
  const usable = link ?? (await reissuePasswordLink(ctx.pool, existing!, user.role === 'admin' ? 'setup' : 'invitation', as(ctx, { userId: null, address: null })));
  await redeemPasswordLink(ctx.pool, usable.token, await hashPassword(user.password), null, ctx.now);
}

/** Invites `user` (unless it exists) acting as `actor`, then sets its password. */
async function ensureUser(ctx: SeedContext, user: DemoUser, accountId: string | null, actor: Actor): Promise<void> {
  let link: IssuedLink | null = null;
  if (!(await findUser(ctx.pool, user.id))) {
    const invitee: Invitee = { id: user.id, accountId, username: user.username, email: user.email, role: user.role };
    link = (await inviteUser(ctx.pool, invitee, as(ctx, actor))).link;
  }
  await ensurePassword(ctx, user, link);
}

/** Creates the user's printed key (an existing key with the same secret is kept) and answers its credential line. */
async function ensureKey(ctx: SeedContext, user: DemoUser, account: string | null, creator: Actor): Promise<DemoCredential> {
  const apiKey = user.apiKey && (await createApiKey(ctx.pool, { userId: user.id, name: 'demo key', scopes: user.scopes, expiresAt: null }, creator, ctx.now, user.apiKey)).secret;
  return { username: user.username, role: user.role, account, password: user.password, apiKey };
}

/** Inserts the demo admin, accounts, users, passwords and keys (where missing) and returns the credentials to print. */
export async function seedDemoData(pool: Pool, linkSecret: string): Promise<DemoCredential[]> {
  const ctx: SeedContext = { pool, linkSecret, now: new Date() };
  const admin: Actor = { userId: ADMIN.id, address: null };
  // The admin command's path: no actor yet, a setup link.
  await ensureUser(ctx, ADMIN, null, { userId: null, address: null });
  const creds: DemoCredential[] = [{ username: ADMIN.username, role: 'admin', account: null, password: ADMIN.password, apiKey: null }];
  for (const a of ACCOUNTS) {
    let ownerLink: IssuedLink | null = null;
    if (!(await findAccount(pool, a.id))) {
      const { id, username, email } = a.owner;
      const created = await createAccountWithOwner(pool, { id: a.id, settings: a.settings, owner: { id, username, email } }, as(ctx, admin));
      ownerLink = created?.owner.link ?? null;
    }
    await ensurePassword(ctx, a.owner, ownerLink);
    const owner: Actor = { userId: a.owner.id, address: null };
    creds.push(await ensureKey(ctx, a.owner, a.id, owner));
    for (const pic of a.pics) {
      await ensureUser(ctx, pic, a.id, owner);
      creds.push(await ensureKey(ctx, pic, a.id, owner));
    }
  }
  for (const staff of STAFF) {
    await ensureUser(ctx, staff, null, admin);
    creds.push(await ensureKey(ctx, staff, null, admin));
  }
  return creds;
}
