/**
 * API key → principal, remembered for a few seconds so a burst of requests with one key costs one lookup. A key
 * revoked or a user disabled is forgotten at once (`forgetUser`): through this process directly, through another
 * one when PostgreSQL announces it (db/accounts/credential-changes.ts), and without that announcement (a listener
 * reconnecting) within `ttlMs`. Only keys that resolved are cached: an unknown key is looked up (and counted by the
 * failed-authentication limit) every time, until that limit holds it. Sessions are never cached: each request moves
 * their idle clock in PostgreSQL.
 */
import type { Principal } from '../../db/accounts/roles';

/** How long a resolved key is trusted without asking PostgreSQL again. */
export const PRINCIPAL_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export class PrincipalCache<P extends Principal = Principal> {
  private readonly entries = new Map<string, { principal: P; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number = PRINCIPAL_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The principal of a key's hash, if resolved less than `ttlMs` ago. */
  get(tokenHash: string): P | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  /** Remembers a principal for `ttlMs`, or until `until` (a key's expiry) when that comes first. */
  set(tokenHash: string, principal: P, until: number = Infinity): void {
    if (this.ttlMs <= 0) return;
    // Bounded: past the cap the oldest entry goes (a Map iterates in insertion order).
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { principal, expiresAt: Math.min(this.now() + this.ttlMs, until) });
  }

  /** Forgets every cached key of a user (disabled, removed, another role, or a key of it revoked). */
  forgetUser(userId: string): void {
    for (const [hash, entry] of this.entries) if (entry.principal.userId === userId) this.entries.delete(hash);
  }

  /** Forgets everything (the announcements of changes may have been missed). */
  forgetAll(): void {
    this.entries.clear();
  }
}
