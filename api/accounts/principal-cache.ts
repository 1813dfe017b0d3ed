/**
 * Token → principal, remembered for a few seconds so a burst of requests with one token costs one lookup. A
 * token revoked or a user disabled through this process is forgotten at once (`forgetUser`); through another
 * API process, it stops working here within `ttlMs`. Only tokens that resolved are cached: an unknown token is
 * looked up (and counted by the failed-authentication limit) every time, until that limit holds it.
 */
import type { Principal } from '../../db/accounts/tokens';

/** How long a resolved token is trusted without asking PostgreSQL again. */
export const PRINCIPAL_TTL_MS = 5_000;
const MAX_ENTRIES = 10_000;

export class PrincipalCache {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number = PRINCIPAL_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** The principal of a token hash, if resolved less than `ttlMs` ago. */
  get(tokenHash: string): Principal | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    return entry.principal;
  }

  set(tokenHash: string, principal: Principal): void {
    if (this.ttlMs <= 0) return;
    // Bounded: past the cap the oldest entry goes (a Map iterates in insertion order).
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(tokenHash, { principal, expiresAt: this.now() + this.ttlMs });
  }

  /** Forgets every cached token of a user (disabled, or its tokens revoked). */
  forgetUser(userId: string): void {
    for (const [hash, entry] of this.entries) if (entry.principal.userId === userId) this.entries.delete(hash);
  }
}
