/**
 * The secrets of identity as stored: session cookies, link tokens and API keys are random (or derived from a secret
 * key), so their SHA-256 is what the database keeps and looks them up by. Passwords are the exception: people pick
 * them, so they are hashed slowly with argon2id (api/accounts/passwords.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a secret, the only form stored. */
export function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** `bytes` random bytes as base64url (43 characters for 32 bytes). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A new random id with a readable prefix (`usr_…`, `ses_…`), never a secret. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(8).toString('hex')}`;
}

/** Compares two secrets in constant time (for their length). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
