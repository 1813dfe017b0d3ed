/**
 * The signature of an outgoing webhook, like the payment callbacks we receive: `t=<unix seconds>,v1=<hex>` where
 * each v1 is HMAC-SHA256 of `<t>.<raw body>` under one signing secret. While a rotated secret still signs, the
 * header carries one v1 per secret (the current one first), so a receiver holding either verifies.
 * Receivers verify it with the code in docs/webhooks.md.
 */
import { createHmac } from 'node:crypto';

/** The header that carries the signature. */
export const SIGNATURE_HEADER = 'Topup-Signature';

/** The hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body, 'utf8').digest('hex');
}

/** The signature header's value for `body` sent at `timestamp` (unix seconds), one v1 per secret. */
export function signatureHeader(secrets: readonly string[], timestamp: number, body: string): string {
  return [`t=${timestamp}`, ...secrets.map((s) => `v1=${webhookSignature(s, timestamp, body)}`)].join(',');
}
