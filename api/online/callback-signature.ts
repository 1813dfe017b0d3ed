/**
 * The payment gateway's callbacks, our side: verify the signature over the raw body and the timestamp, and read
 * the event it carries. The route records every verified event once (db/online/payment-events.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Signatures older or newer than this are refused (a replay window of five minutes either way). */
const DEFAULT_TOLERANCE_SECONDS = 300;

const ZEventId = z.string().regex(/^evt_[A-Za-z0-9]{1,100}$/, 'must be "evt_" and letters or digits');

/** A payment the gateway took: an invoice paid (or a virtual account paid without one). */
export const ZPaymentEvent = z.object({
  id: ZEventId,
  type: z.literal('invoice.paid'),
  created: z.int().nonnegative(),
  data: z.object({
    providerRef: z.string().min(1).max(200),
    merchantRef: z.string().min(1).max(200),
    method: z.enum(['virtual_account', 'credit_card', 'ewallet']),
    amount: z.int().positive(),
    paidAt: z.iso.datetime({ offset: true }),
  }),
});
export type PaymentEvent = z.infer<typeof ZPaymentEvent>;

/** A refund we asked for went out. */
export const ZRefundEvent = z.object({
  id: ZEventId,
  type: z.literal('refund.succeeded'),
  created: z.int().nonnegative(),
  data: z.object({
    refundId: z.string().min(1).max(200),
    reference: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
    merchantRef: z.string().min(1).max(200),
    providerRef: z.string().min(1).max(200).nullable(),
    amount: z.int().positive(),
    succeededAt: z.iso.datetime({ offset: true }),
  }),
});

/** A gateway event as it arrives; unknown fields are tolerated, the ones we use are checked. */
export const ZGatewayEvent = z.discriminatedUnion('type', [ZPaymentEvent, ZRefundEvent]);
export type GatewayEvent = z.infer<typeof ZGatewayEvent>;

/** The outcome of verifying a callback; `reason` starts with a machine-readable code before the colon. */
export type CallbackVerification = { ok: true; event: GatewayEvent } | { ok: false; reason: string };

function refuse(code: string, text: string): CallbackVerification {
  return { ok: false, reason: `${code}: ${text}` };
}

/**
 * Checks a callback: both headers present and well formed, the HMAC-SHA256 of `${timestamp}.${rawBody}` under
 * `secret` equal (in constant time) to the `v1=` signature, the timestamp within `toleranceSeconds` of `nowMs`,
 * and the body a JSON gateway event.
 */
export function verifyCallbackSignature(input: {
  rawBody: Buffer;
  timestampHeader: string | undefined;
  signatureHeader: string | undefined;
  secret: string;
  nowMs: number;
  toleranceSeconds?: number;
}): CallbackVerification {
  const { rawBody, timestampHeader, signatureHeader } = input;
  if (timestampHeader === undefined || timestampHeader === '') return refuse('missing_timestamp', 'the X-Sandbox-Timestamp header is missing');
  if (signatureHeader === undefined || signatureHeader === '') return refuse('missing_signature', 'the X-Sandbox-Signature header is missing');
  if (!/^\d{1,12}$/.test(timestampHeader)) return refuse('malformed_timestamp', 'X-Sandbox-Timestamp must be unix seconds');
  const given = /^v1=([0-9a-f]{64})$/i.exec(signatureHeader.trim())?.[1];
  if (!given) return refuse('malformed_signature', 'X-Sandbox-Signature must be "v1=" and 64 hex digits');

  const expected = createHmac('sha256', input.secret).update(`${timestampHeader}.`).update(rawBody).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) {
    return refuse('signature_mismatch', 'the signature does not match the body and timestamp under our secret');
  }
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const skew = Math.floor(input.nowMs / 1000) - Number(timestampHeader);
  if (Math.abs(skew) > tolerance) {
    return refuse('timestamp_out_of_tolerance', `signed ${Math.abs(skew)} s ${skew > 0 ? 'ago' : 'ahead'}, more than the ${tolerance} s allowed`);
  }

  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return refuse('invalid_json', 'the body is not JSON');
  }
  const parsed = ZGatewayEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse('invalid_event', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'not a gateway event'}`);
  }
  return { ok: true, event: parsed.data };
}
