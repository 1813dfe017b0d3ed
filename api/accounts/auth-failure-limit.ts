/**
 * The limit on failed authentications. The per-token rate limit (rate-limit.ts) counts each token apart, so a
 * client guessing a new token on every request would never meet it; this one counts failures per client address
 * and per presented credential (the token's hash) and holds them back exponentially (failure-backoff.ts).
 *
 * For tokens (API keys, session cookies) a hold refuses failing attempts only: behind a shared proxy or NAT, one
 * client guessing tokens must not lock out the others. A request with a valid token is looked up and let through
 * whatever its address did; only its failing neighbours get 429 instead of 401. A held credential is refused
 * before the lookup, because a token that failed never becomes valid later (tokens are random, revocation is final).
 *
 * Passwords are the other way round: people choose them, so a guesser who got 429 for wrong guesses and 200 for the
 * right one would lose nothing to the hold. A held username, or a held address, is refused before the password is
 * checked, right or wrong (`refuseHeldSignIn`); a successful sign-in starts its username again from zero.
 */
import type { Request, Response } from 'express';
import { HttpError } from '../shared/errors';
import { FailureBackoff, retryAfterSeconds, type FailureBackoffPolicy } from '../shared/failure-backoff';

/** The holds of failed authentications: per client address and per presented credential. */
export interface AuthFailureLimit {
  address: FailureBackoffPolicy;
  credential: FailureBackoffPolicy;
}

/**
 * An office behind one address mistypes a token now and then, far below 20 failures in a quarter of an hour;
 * one credential failing 5 times is a client retrying a revoked token, or a guess repeated. Past that each
 * failure doubles the hold, from 1 s up to 15 minutes.
 */
export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimit = {
  address: { freeFailures: 20, firstHoldMs: 1_000, maxHoldMs: 15 * 60_000, forgetAfterMs: 15 * 60_000 },
  credential: { freeFailures: 5, firstHoldMs: 1_000, maxHoldMs: 15 * 60_000, forgetAfterMs: 15 * 60_000 },
};

/** The 429 a held attempt gets, with `Retry-After`. */
function heldBack(res: Response, ms: number, who: string): HttpError {
  const seconds = retryAfterSeconds(ms);
  res.set('Retry-After', String(seconds));
  return new HttpError(429, 'too_many_requests', `too many failed authentications ${who}; retry after ${seconds} s`);
}

/** Counts failed authentications and decides which failing attempts are held back. */
export class AuthFailureLimiter {
  private readonly byAddress: FailureBackoff;
  private readonly byCredential: FailureBackoff;

  constructor(limit: AuthFailureLimit = DEFAULT_AUTH_FAILURE_LIMIT, now: () => number = Date.now) {
    this.byAddress = new FailureBackoff(limit.address, now);
    this.byCredential = new FailureBackoff(limit.credential, now);
  }

  /** Throws the 429 for a credential that is held (it failed again and again, so it cannot be valid). */
  refuseHeldCredential(res: Response, credentialKey: string): void {
    const held = this.byCredential.heldForMs(credentialKey);
    if (held > 0) throw heldBack(res, held, 'with this credential');
  }

  /** Throws the 429 for a sign-in whose username or address is held, before its password is checked. */
  refuseHeldSignIn(req: Request, res: Response, usernameKey: string): void {
    const byUsername = this.byCredential.heldForMs(usernameKey);
    const byAddress = this.byAddress.heldForMs(req.ip ?? 'unknown');
    if (byUsername > 0 && byUsername >= byAddress) throw heldBack(res, byUsername, 'for this username');
    if (byAddress > 0) throw heldBack(res, byAddress, 'from this address');
  }

  /** Forgets a credential's failures (a sign-in that succeeded). */
  succeeded(credentialKey: string): void {
    this.byCredential.forget(credentialKey);
  }

  /**
   * Counts a failed attempt for its address and its credential and answers what to throw: the 429 when either is
   * held now, else `refusal` (the 401 naming what was wrong).
   */
  failed(req: Request, res: Response, credentialKey: string, refusal: HttpError): HttpError {
    const address = this.byAddress.recordFailure(req.ip ?? 'unknown');
    const credential = this.byCredential.recordFailure(credentialKey);
    if (credential > 0 && credential >= address) return heldBack(res, credential, 'with this credential');
    if (address > 0) return heldBack(res, address, 'from this address');
    return refusal;
  }
}
