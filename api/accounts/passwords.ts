/**
 * Passwords: argon2id through @node-rs/argon2 (a maintained binding of the Rust implementation, hashing on libuv's
 * thread pool so the event loop keeps serving), at least 12 characters, never one of the 10,000 most common
 * passwords. A password is only ever held in memory while it is checked or hashed: never logged, never stored, never
 * echoed in an error (refusals name the field and the rule).
 */
import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'zod';

/** Algorithm.Argon2id: a `const enum`, which the tests' compiler (SWC) cannot inline, so its value is written here. */
const ARGON2ID = 2 as Algorithm;

/**
 * The first argon2id configuration of OWASP's Password Storage Cheat Sheet: 19 MiB, 2 passes, 1 lane. 10–13 ms a
 * hash alone on the 2-core development machine, 40–57 sign-ins a second with 8 at once (`npm run bench --
 * password-hash`); a sign-in costs one such hash.
 */
export const ARGON2_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const PASSWORD_MIN_LENGTH = 12;
/** Long passphrases are welcome; the cap only keeps one request from hashing megabytes. */
export const PASSWORD_MAX_LENGTH = 256;

/**
 * The 10,000 most common passwords: the head of zxcvbn-ts's list of common passwords (`@zxcvbn-ts/language-common`,
 * ranked by how often they appear in leaked password sets), compared without regard to case.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common'].slice(0, 10_000).map((p) => p.toLowerCase()));

/** True when `password` is one of the 10,000 most common passwords. */
export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

/** A password someone chooses: the rules, each refusal naming itself (never the password). */
export const ZNewPassword = z
  .string({ error: 'must be a string' })
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH, `must be at most ${PASSWORD_MAX_LENGTH} characters`)
  .refine((p) => !isCommonPassword(p), 'must not be one of the 10,000 most common passwords');

/** The argon2id hash of a password, in the PHC string format (`$argon2id$v=19$m=19456,t=2,p=1$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * A hash of a random password, checked when a username has no user or no password yet, so that signing in takes as
 * long whether the username exists or not.
 */
let decoyHash: Promise<string> | undefined;

/** True when `password` matches `passwordHash`; a missing hash is checked against a decoy and never matches. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    decoyHash ??= hashPassword(`decoy-${Math.random()}-${Date.now()}`);
    await verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
