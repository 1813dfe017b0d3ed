/**
 * Webhook signing secrets at rest: signing needs the secret itself (HMAC), so it cannot be kept as a hash like the
 * other credentials; it is sealed with AES-256-GCM under a key derived from the deployment's WEBHOOK_SECRET_KEY
 * (the API seals, the worker opens). A sealed value is version byte 1, a 12-byte nonce, the ciphertext, the tag.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** The AES key of a WEBHOOK_SECRET_KEY setting. */
function aesKey(secretKey: string): Buffer {
  return createHash('sha256').update(`webhook-signing-secrets\0${secretKey}`, 'utf8').digest();
}

/** A new signing secret, as the endpoint's owner copies it: `whsec_` and 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** Seals `secret` under `secretKey`. */
export function sealSecret(secret: string, secretKey: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', aesKey(secretKey), nonce);
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), nonce, body, cipher.getAuthTag()]);
}

/** Opens a sealed secret; throws when it was sealed under another key or altered. */
export function openSecret(sealed: Buffer, secretKey: string): string {
  if (sealed[0] !== VERSION || sealed.length < 1 + NONCE_BYTES + TAG_BYTES) throw new Error('not a sealed webhook secret');
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', aesKey(secretKey), nonce);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('the webhook secret cannot be opened: it was sealed under another WEBHOOK_SECRET_KEY');
  }
}
