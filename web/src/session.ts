/**
 * The signed-in session as the console knows it: who (GET /v1/session's user), the rules in force, and the CSRF
 * token of the session's changes, all in memory. The session itself is the HttpOnly cookie, which scripts cannot
 * read: a reload asks GET /v1/session again.
 */
import type { Me, Role, SessionView, TopUpRules } from './types';

let current: { me: Me; rules: TopUpRules; csrfToken: string } | null = null;

/** Starts a session the API opened. */
export function startSession(session: SessionView, rules: TopUpRules): void {
  current = { me: session.user, rules, csrfToken: session.csrfToken };
}

/** Forgets the user (the cookie is ended by the API, or has expired). */
export function clearSession(): void {
  current = null;
}

/** The CSRF token of the session's changes, if signed in. */
export function csrfToken(): string | null {
  return current?.csrfToken ?? null;
}

/** The signed-in user; only called on pages that need one. */
export function me(): Me {
  if (!current) throw new Error('not signed in');
  return current.me;
}

/** The top-up rules in force, read at sign-in. */
export function rules(): TopUpRules {
  if (!current) throw new Error('not signed in');
  return current.rules;
}

/** True once a user is known. */
export function signedIn(): boolean {
  return current !== null;
}

/** The signed-in user's role, if any. */
export function role(): Role | null {
  return current?.me.role ?? null;
}

/** Customers (owner, PIC) top up; provider staff (finance, ops) review; admins onboard. */
export function isCustomer(): boolean {
  return role() === 'owner' || role() === 'pic';
}
