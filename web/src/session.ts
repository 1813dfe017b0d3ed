/**
 * The signed-in session: the bearer token in sessionStorage (gone when the tab closes, never in a cookie or
 * localStorage), and who it belongs to, read once from GET /v1/me.
 */
import type { Me, TopUpRules } from './types';

const TOKEN_KEY = 'topup.token';

/** The session's token, if signed in. */
export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

let current: { me: Me; rules: TopUpRules } | null = null;

/** Starts a session with a token the API accepted. */
export function startSession(bearer: string, me: Me, rules: TopUpRules): void {
  sessionStorage.setItem(TOKEN_KEY, bearer);
  current = { me, rules };
}

/** Forgets the token and the user. */
export function clearSession(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  current = null;
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

/** Customers (owner, PIC) top up; provider staff (finance, ops) review. */
export function isCustomer(): boolean {
  return current?.me.role === 'owner' || current?.me.role === 'pic';
}
