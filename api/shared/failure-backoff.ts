/**
 * Failed attempts counted per key (a client address, a presented credential; later a username for password
 * sign-in), with an exponential hold once a key has used its free failures. It only counts and answers how long
 * a key is held: whoever uses it decides what a hold refuses. The rule for credentials is that a hold refuses
 * failing attempts only, never a request whose credential is valid (api/accounts/auth-failure-limit.ts).
 *
 * Kept in memory per API process, like the rate limits (rate-limit.ts): several processes each count their own.
 */

/** How one kind of key is held back. */
export interface FailureBackoffPolicy {
  /** Failures a key may have before it is held (counted until the key is forgotten). */
  freeFailures: number;
  /** The hold after the first failure past the free ones; each further failure doubles it. */
  firstHoldMs: number;
  /** The longest hold. */
  maxHoldMs: number;
  /** A key with no failure for this long after its hold ended starts again from zero. */
  forgetAfterMs: number;
}

interface FailureRecord {
  failures: number;
  lastFailureAt: number;
  heldUntil: number;
}

/** Past this many keys the least recently failed are forgotten first, so a spray of new keys cannot grow memory. */
const DEFAULT_MAX_KEYS = 100_000;

/** Failure counts and holds of one kind of key. */
export class FailureBackoff {
  private readonly records = new Map<string, FailureRecord>();

  constructor(
    private readonly policy: FailureBackoffPolicy,
    private readonly now: () => number = Date.now,
    private readonly maxKeys: number = DEFAULT_MAX_KEYS,
  ) {}

  /** How long `key` is held from now, in ms (0 when it is not). */
  heldForMs(key: string): number {
    const at = this.now();
    const record = this.live(key, at);
    return record ? Math.max(0, record.heldUntil - at) : 0;
  }

  /** Counts a failure of `key`; answers how long the key is held from now, in ms (0 while failures are free). */
  recordFailure(key: string): number {
    const at = this.now();
    const record = this.live(key, at) ?? { failures: 0, lastFailureAt: at, heldUntil: 0 };
    record.failures += 1;
    record.lastFailureAt = at;
    const past = record.failures - this.policy.freeFailures;
    if (past > 0) {
      // 2 ** past overflows to Infinity long after the cap; Math.min keeps the cap.
      record.heldUntil = at + Math.min(this.policy.maxHoldMs, this.policy.firstHoldMs * 2 ** (past - 1));
    }
    this.remember(key, record);
    return Math.max(0, record.heldUntil - at);
  }

  /** Forgets `key`'s failures (a sign-in that succeeded starts its username again from zero). */
  forget(key: string): void {
    this.records.delete(key);
  }

  /** The key's record, unless it has been quiet long enough to be forgotten. */
  private live(key: string, at: number): FailureRecord | undefined {
    const record = this.records.get(key);
    if (record && at - Math.max(record.lastFailureAt, record.heldUntil) >= this.policy.forgetAfterMs) {
      this.records.delete(key);
      return undefined;
    }
    return record;
  }

  /** Stores the record as the most recently failed; drops the least recently failed past the cap. */
  private remember(key: string, record: FailureRecord): void {
    this.records.delete(key);
    this.records.set(key, record);
    if (this.records.size > this.maxKeys) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
  }
}

/** Whole seconds for a `Retry-After` header, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
