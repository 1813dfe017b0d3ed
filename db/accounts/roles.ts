/** Roles and scopes (DOMAIN.md "People and accounts"), and who a caller is. */
import type { ROLE_NAMES } from '../../workflows/definitions';

/** One role per user. `admin`, `finance`, `ops` and `service` are the provider's; `owner` and `pic` a customer's. */
export const ROLES = ['admin', 'owner', 'pic', 'finance', 'ops', 'service'] as const;
export type Role = (typeof ROLES)[number];
// Compile-time proof that the table of names (workflows/shared/names.ts) names every role and no other.
type Assert<T extends true> = T;
type RolesNamed = Assert<[Role] extends [keyof typeof ROLE_NAMES] ? ([keyof typeof ROLE_NAMES] extends [Role] ? true : false) : false>;

/** Customer roles, bound to one account. */
export type CustomerRole = 'owner' | 'pic';

/** True for the roles bound to a customer account. */
export function isCustomerRole(role: Role): role is CustomerRole {
  return role === 'owner' || role === 'pic';
}

/** People, who sign in with a password; a service is a program and uses API keys only. */
export const PERSON_ROLES = ['admin', 'owner', 'pic', 'finance', 'ops'] as const satisfies readonly Role[];

/** The provider's staff roles an admin invites by email (a service is a program and is never invited). */
export const STAFF_ROLES = ['admin', 'finance', 'ops'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/**
 * What an API key may do: `read` the GET routes, `write` the other routes its user's role allows, `usage` record
 * usage charges. A signed-in person has them all; managing people and credentials needs a signed-in person.
 */
export const SCOPES = ['read', 'write', 'usage'] as const;
export type Scope = (typeof SCOPES)[number];

/** Who is calling: the user a live session or API key belongs to. */
export interface Principal {
  userId: string;
  username: string;
  email: string;
  role: Role;
  /** The caller's account; null for provider users. */
  accountId: string | null;
}

/** Who did something, for the operation log: a user (null for the admin command) and the client's address. */
export interface Actor {
  userId: string | null;
  address: string | null;
}
