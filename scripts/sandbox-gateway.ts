/**
 * A local sandbox payment gateway that behaves like an Indonesian one (Xendit, Midtrans): it issues invoices
 * with a virtual account number or a payment link, and when an invoice is paid it calls the merchant back over
 * HTTP with a signed event, retrying until the merchant answers 2xx (a few times, with backoff).
 *
 * Wire format of a callback: `POST <callbackUrl>` with the JSON event as body and the headers
 * `X-Sandbox-Timestamp: <unix seconds>` and `X-Sandbox-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`,
 * signed again with a fresh timestamp on each attempt. Paying after the invoice expired is allowed (a gateway race,
 * a screenshotted QR code) and calls back like any payment. A callback not delivered in those first attempts is
 * delivered again every few seconds in the background until the merchant takes it.
 *
 * Invoices are keyed by the merchant's `Idempotency-Key` (its reference of the issuance; the `merchantRef` when
 * absent): the same key answers the same invoice. `POST /v1/invoices/by-reference/{reference}/void` makes the
 * invoice of a reference unpayable, also before it exists (a later creation under it is refused), as real
 * gateways expire or cancel an invoice. `PUT /v1/sandbox/fault` makes the merchant API slow or fail, or declines
 * every card charge, for tests and the fault campaign. Saved cards and off-session charges: sandbox-gateway-cards.ts.
 *
 * Refunds: `POST /v1/refunds` (Idempotency-Key: the merchant's reference of the refund) sends money back, of a
 * payment it took (`providerRef`, at most what was paid on it less what was refunded) or to a bank account
 * (`destination`, for money the merchant received by bank transfer); the refund is pending, then settles a moment
 * later and the merchant is called back with a signed `refund.succeeded` event, delivered like a payment's.
 * A virtual account takes a second payment (`simulate-payment` with `"again": true`: a customer who transferred
 * twice), and `POST /v1/sandbox/payments` pays a virtual account of no invoice (a typo in the number, an old one).
 * Both payment-simulating routes honour an Idempotency-Key: the same key answers the payment it made, so a retried
 * request pays once.
 *
 * Run alone: `node dist/scripts/sandbox-gateway.js` with SANDBOX_GATEWAY_PORT, PAYMENT_PROVIDER_API_KEY,
 * PAYMENT_CALLBACK_URL and PAYMENT_CALLBACK_SECRET (and SANDBOX_GATEWAY_DATA_FILE to keep its state across
 * restarts). It listens on 127.0.0.1 only.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { PaymentMethod, ProviderInvoice } from '../activities/online/payment-provider';
import { openJournal, type JournalRefund } from './sandbox-gateway-journal';
import { CardDeskError, createCardDesk, type CardRecord, type SandboxChargeAnswer } from './sandbox-gateway-cards';

/** An invoice as the sandbox keeps it. */
export interface SandboxInvoice extends ProviderInvoice {
  merchantRef: string;
  /** The merchant's reference of this issuance (its Idempotency-Key). */
  reference: string;
  customer: { name: string; email: string };
  description: string;
  /** `voided`: the merchant voided it; it can no longer be paid. */
  status: 'pending' | 'paid' | 'voided';
  paidAt: string | null;
  paidAmount: number | null;
  createdAt: string;
}

/**
 * How the merchant API (`/v1/invoices…`, `/v1/charges`) misbehaves: `slow` holds each request `delayMs` before doing
 * it (those held go on at once when the mode changes, as a recovered gateway drains its queue), `error` answers 500
 * without doing anything, `decline` declines every card charge (the rest works). The checkout and card pages and
 * the admin routes are unaffected.
 */
export type SandboxFault = { mode: 'none' } | { mode: 'slow'; delayMs: number } | { mode: 'error' } | { mode: 'decline' };

/** The event the sandbox calls back with when money is paid in. */
export interface SandboxEvent {
  id: string;
  type: 'invoice.paid';
  /** Unix seconds. */
  created: number;
  data: { providerRef: string; merchantRef: string; method: PaymentMethod; amount: number; paidAt: string };
}

/** The event the sandbox calls back with when a refund has gone out. */
export interface SandboxRefundEvent {
  id: string;
  type: 'refund.succeeded';
  created: number;
  data: { refundId: string; reference: string; merchantRef: string; providerRef: string | null; amount: number; succeededAt: string };
}

/** Either event. */
export type AnySandboxEvent = SandboxEvent | SandboxRefundEvent;

/** A refund as the sandbox keeps it. */
export interface SandboxRefund extends JournalRefund {
  status: 'pending' | 'succeeded';
  succeededAt: string | null;
}

/** The last attempt of a callback delivery; `status` 0 when no HTTP answer came (network error, timeout). */
export interface CallbackDelivery<E extends AnySandboxEvent = SandboxEvent> {
  status: number;
  body: string;
  event: E;
  attempts: number;
}

/** A running sandbox gateway. */
export interface SandboxGateway {
  url: string;
  port: number;
  close(): Promise<void>;
  /**
   * Pays an invoice (at `at` ms, default now; `amount` default the invoice's) and delivers the callback; `again`
   * pays a virtual account that was paid already a second time.
   */
  pay(providerRef: string, opts?: { at?: number; amount?: number; again?: boolean }): Promise<CallbackDelivery>;
  /** A payment into a virtual account of no invoice, naming `merchantRef`; delivers the callback. */
  payStray(input: { merchantRef: string; amount: number; method?: PaymentMethod }): Promise<CallbackDelivery>;
  /** Every refund taken, oldest first (copies). */
  refunds(): SandboxRefund[];
  /** Every invoice issued, oldest first (copies). */
  invoices(): SandboxInvoice[];
  /** References voided before any invoice was issued under them. */
  voidedReferences(): string[];
  /** Sets how the merchant API misbehaves (also `PUT /v1/sandbox/fault`). */
  setFault(fault: SandboxFault): void;
  /** Every card charge answered, with its Idempotency-Key (copies). */
  charges(): Array<{ key: string } & SandboxChargeAnswer>;
}

/** Options of `startSandboxGateway`; `now` is the gateway's clock in ms (default `Date.now`). */
export interface SandboxGatewayOptions {
  port?: number;
  /** Address to listen on; 127.0.0.1 unless given. */
  host?: string;
  /** Host name in the payment links it hands out, when clients reach it by another name. */
  publicHost?: string;
  apiKey: string;
  callbackUrl: string;
  callbackSecret: string;
  now?: () => number;
  log?: (line: string) => void;
  /** Where the gateway keeps its state (a JSON-lines journal); in memory only when absent. */
  dataFile?: string;
  /** How often callbacks not yet delivered are sent again (ms, default 5,000). */
  redeliveryIntervalMs?: number;
  /** How long a refund stays pending before it settles and is called back (ms, default 200). */
  refundSettleMs?: number;
}

/** Loopback unless told otherwise (a compose stack binds 0.0.0.0 so the worker can reach it). */
const DEFAULT_HOST = '127.0.0.1';
const MAX_BODY_BYTES = 64 * 1024;
/** Waits between delivery attempts: four attempts in all, bounded to a few seconds on loopback. */
const DELIVERY_BACKOFF_MS = [200, 1_000, 3_000];
const DELIVERY_TIMEOUT_MS = 5_000;
const REDELIVERY_INTERVAL_MS = 5_000;
/** A slow gateway's default delay: the issue's "slow (30 s)". */
const DEFAULT_SLOW_MS = 30_000;
/** The sandbox's virtual account company code; an order number follows it. */
const VA_COMPANY_CODE = '888';
const VA_BANK_CODE = 'BCA';

const ZCreateInvoiceRequest = z.object({
  merchantRef: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"'),
  method: z.enum(['virtual_account', 'credit_card', 'ewallet']),
  amount: z.int().positive(),
  expiresAt: z.iso.datetime({ offset: true }),
  customer: z.object({ name: z.string().trim().min(1).max(255), email: z.email() }),
  description: z.string().trim().min(1).max(255),
});

const ZSimulatePaymentRequest = z.strictObject({ amount: z.int().positive().optional(), again: z.boolean().optional() });

const ZStrayPaymentRequest = z.strictObject({
  merchantRef: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1 to 64 letters, digits, "_", "." or "-"'),
  amount: z.int().positive(),
  method: z.enum(['virtual_account', 'credit_card', 'ewallet']).default('virtual_account'),
});

const ZRefundRequest = z
  .strictObject({
    merchantRef: z.string().min(1).max(200),
    providerRef: z.string().min(1).max(200).nullable().optional(),
    amount: z.int().positive(),
    reason: z.string().trim().min(1).max(500),
    destination: z.strictObject({ name: z.string().trim().min(1).max(200), account: z.string().trim().min(1).max(100) }).nullable().optional(),
  })
  .refine((r) => Boolean(r.providerRef) || Boolean(r.destination), { message: 'give the providerRef of the payment, or a destination bank account', path: ['providerRef'] });

/** A refund settles this long after the gateway took it, unless told otherwise. */
const REFUND_SETTLE_MS = 200;

const ZFaultRequest = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('none') }),
  z.strictObject({ mode: z.literal('slow'), delayMs: z.int().min(1).max(600_000).default(DEFAULT_SLOW_MS) }),
  z.strictObject({ mode: z.literal('error') }),
  z.strictObject({ mode: z.literal('decline') }),
]);

const REFERENCE = /^[A-Za-z0-9_.-]{1,64}$/;

/** The signature header value of `rawBody` sent at `timestamp` (unix seconds). */
export function signCallbackPayload(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')}`;
}

/** The 16-digit virtual account of `merchantRef`: company code + the order number, or 13 digits of its hash. */
export function vaNumberFor(merchantRef: string): string {
  const customerPart = /^\d{1,13}$/.test(merchantRef)
    ? merchantRef
    : (BigInt(`0x${createHash('sha256').update(merchantRef).digest('hex')}`) % 10n ** 13n).toString();
  return VA_COMPANY_CODE + customerPart.padStart(13, '0');
}

/** A refusal the HTTP layer answers as JSON `{ error: { code, message, field? } }`. */
class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new GatewayError(413, 'body_too_large', `the body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The JSON body validated by `schema`; an empty body reads as `{}`. Refusals name the field. */
function parseJson<T>(raw: Buffer, schema: z.ZodType<T>): T {
  let json: unknown = {};
  if (raw.length > 0) {
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new GatewayError(400, 'invalid_json', 'the body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join('.') ?? '';
  throw new GatewayError(400, 'invalid_request', `${field || 'body'}: ${issue?.message ?? 'invalid'}`, field || undefined);
}

/** Basic (the key as user name) or Bearer, compared in constant time. */
function hasApiKey(header: string | undefined, apiKey: string): boolean {
  const m = /^(Basic|Bearer) +(\S+)$/i.exec(header ?? '');
  if (!m?.[1] || !m[2]) return false;
  const given = m[1].toLowerCase() === 'basic' ? Buffer.from(m[2], 'base64').toString('utf8').split(':')[0] ?? '' : m[2];
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(apiKey));
}

function checkoutPage(inv: SandboxInvoice, nowMs: number, note = ''): string {
  const expired = Date.parse(inv.expiresAt) < nowMs;
  const state =
    inv.status === 'paid'
      ? `<p>Paid at ${escapeHtml(inv.paidAt ?? '')}.</p>`
      : inv.status === 'voided'
        ? '<p>The merchant cancelled this invoice; it can no longer be paid.</p>'
        : `${expired ? '<p>This invoice expired; the sandbox still takes the payment, as a real gateway race would.</p>' : ''}<form method="post"><button>Pay</button></form>`;
  return `<!doctype html><meta charset="utf-8"><title>Sandbox checkout</title><h1>Sandbox checkout</h1>
<p>${escapeHtml(inv.description)}</p><p>Order ${escapeHtml(inv.merchantRef)}, ${inv.method === 'credit_card' ? 'credit card' : 'e-wallet'}</p>
<p><strong>IDR ${inv.amount.toLocaleString('en-US')}</strong></p>${note}${state}`;
}

/** Starts a sandbox gateway on 127.0.0.1:`port` (0 or absent: a free one). */
export async function startSandboxGateway(opts: SandboxGatewayOptions): Promise<SandboxGateway> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => undefined);
  const byReference = new Map<string, SandboxInvoice>();
  const byProviderRef = new Map<string, SandboxInvoice>();
  /** References voided before an invoice existed under them: creating one is refused. */
  const voidedReferences = new Set<string>();
  /** Paid and refund events the merchant has not taken yet, in order. */
  const undelivered = new Map<string, AnySandboxEvent>();
  /** What was paid, and refunded, under each provider reference (an invoice, or a stray payment). */
  const paidTotal = new Map<string, number>();
  const refundedTotal = new Map<string, number>();
  const refundsByReference = new Map<string, SandboxRefund>();
  /** Simulated payments by the Idempotency-Key they were made under. */
  const paymentsByKey = new Map<string, SandboxEvent>();
  /** Settlement timers of pending refunds. */
  const settling = new Set<NodeJS.Timeout>();
  /** Events `pay` is delivering right now; the background redelivery leaves them alone. */
  const delivering = new Set<string>();
  const journal = openJournal<SandboxInvoice, AnySandboxEvent>(opts.dataFile);
  let fault: SandboxFault = { mode: 'none' };
  const closing = new AbortController();
  let url = '';
  const desk = createCardDesk({ now, log, append: (record) => journal.append({ type: 'cards', record }), baseUrl: () => url });

  for (const record of journal.read()) {
    if (record.type === 'invoice') {
      byReference.set(record.invoice.reference, record.invoice);
      byProviderRef.set(record.invoice.providerRef, record.invoice);
    } else if (record.type === 'paid') {
      const invoice = byProviderRef.get(record.providerRef);
      if (invoice && invoice.status !== 'paid') Object.assign(invoice, { status: 'paid', paidAt: record.paidAt, paidAmount: record.paidAmount });
      paidTotal.set(record.providerRef, (paidTotal.get(record.providerRef) ?? 0) + record.paidAmount);
      undelivered.set(record.event.id, record.event);
      if (record.key) paymentsByKey.set(record.key, record.event as SandboxEvent);
    } else if (record.type === 'refund') {
      refundsByReference.set(record.refund.reference, { ...record.refund, status: 'pending', succeededAt: null });
      if (record.refund.providerRef) refundedTotal.set(record.refund.providerRef, (refundedTotal.get(record.refund.providerRef) ?? 0) + record.refund.amount);
    } else if (record.type === 'refunded') {
      const refund = [...refundsByReference.values()].find((r) => r.refundId === record.refundId);
      if (refund) Object.assign(refund, { status: 'succeeded', succeededAt: record.at });
      undelivered.set(record.event.id, record.event);
    } else if (record.type === 'cards') {
      desk.restore(record.record as CardRecord);
    } else if (record.type === 'voided') {
      const invoice = byReference.get(record.reference);
      if (invoice) invoice.status = 'voided';
      else voidedReferences.add(record.reference);
    } else {
      undelivered.delete(record.eventId);
    }
  }

  function createInvoice(body: z.infer<typeof ZCreateInvoiceRequest>, reference: string): { invoice: SandboxInvoice; created: boolean } {
    const existing = byReference.get(reference);
    if (existing) {
      if (existing.merchantRef !== body.merchantRef || existing.method !== body.method || existing.amount !== body.amount) {
        const [code, field] = reference === body.merchantRef ? ['merchant_ref_conflict', 'merchantRef'] : ['idempotency_key_conflict', 'Idempotency-Key'];
        throw new GatewayError(409, code!, `${field} ${reference} was already invoiced as ${existing.method} for ${existing.amount} (order ${existing.merchantRef})`, field);
      }
      return { invoice: existing, created: false };
    }
    if (voidedReferences.has(reference)) throw new GatewayError(409, 'reference_voided', `the merchant voided ${reference}; no invoice can be issued under it`, 'Idempotency-Key');
    if (Date.parse(body.expiresAt) <= now()) throw new GatewayError(400, 'invalid_request', 'expiresAt: must be in the future', 'expiresAt');
    const providerRef = `inv_${randomBytes(12).toString('hex')}`;
    const isVa = body.method === 'virtual_account';
    const invoice: SandboxInvoice = {
      providerRef,
      merchantRef: body.merchantRef,
      reference,
      method: body.method,
      amount: body.amount,
      expiresAt: new Date(body.expiresAt).toISOString(),
      vaNumber: isVa ? vaNumberFor(reference) : null,
      bankCode: isVa ? VA_BANK_CODE : null,
      paymentUrl: isVa ? null : `${url}/pay/${providerRef}`,
      customer: body.customer,
      description: body.description,
      status: 'pending',
      paidAt: null,
      paidAmount: null,
      createdAt: new Date(now()).toISOString(),
    };
    journal.append({ type: 'invoice', invoice });
    byReference.set(reference, invoice);
    byProviderRef.set(providerRef, invoice);
    log(`invoice ${providerRef} for ${invoice.merchantRef} (${reference}): ${invoice.method} IDR ${invoice.amount}`);
    return { invoice, created: true };
  }

  /** Voids the invoice of `reference`, or the reference itself when no invoice exists under it yet. */
  function voidReference(reference: string): SandboxInvoice | null {
    const invoice = byReference.get(reference);
    if (invoice?.status === 'paid') throw new GatewayError(409, 'invoice_already_paid', `invoice ${invoice.providerRef} of ${reference} was paid at ${invoice.paidAt}`);
    if (invoice?.status !== 'voided' && !(invoice === undefined && voidedReferences.has(reference))) {
      journal.append({ type: 'voided', reference, at: new Date(now()).toISOString() });
      if (invoice) invoice.status = 'voided';
      else voidedReferences.add(reference);
      log(`voided ${reference}${invoice ? ` (invoice ${invoice.providerRef})` : ' before any invoice'}`);
    }
    return invoice ?? null;
  }

  async function postCallback(event: AnySandboxEvent): Promise<{ status: number; body: string }> {
    const rawBody = JSON.stringify(event);
    const timestamp = Math.floor(now() / 1000);
    try {
      const res = await fetch(opts.callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sandbox-timestamp': String(timestamp),
          'x-sandbox-signature': signCallbackPayload(opts.callbackSecret, timestamp, rawBody),
        },
        body: rawBody,
        signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), closing.signal]),
      });
      const answer = { status: res.status, body: await res.text() };
      if (res.ok && undelivered.delete(event.id)) journal.append({ type: 'delivered', eventId: event.id });
      return answer;
    } catch (err) {
      return { status: 0, body: err instanceof Error ? err.message : String(err) };
    }
  }

  async function deliver<E extends AnySandboxEvent>(event: E): Promise<CallbackDelivery<E>> {
    delivering.add(event.id);
    try {
      return await deliverNow(event);
    } finally {
      delivering.delete(event.id);
    }
  }

  async function deliverNow<E extends AnySandboxEvent>(event: E): Promise<CallbackDelivery<E>> {
    let last = { status: 0, body: '' };
    let attempts = 0;
    for (;;) {
      attempts += 1;
      last = await postCallback(event);
      log(`callback ${event.id} attempt ${attempts}: ${last.status || last.body}`);
      const backoff = DELIVERY_BACKOFF_MS[attempts - 1];
      if ((last.status >= 200 && last.status < 300) || backoff === undefined || closing.signal.aborted) break;
      try {
        await sleep(backoff, undefined, { signal: closing.signal });
      } catch {
        break;
      }
    }
    return { ...last, event, attempts };
  }

  /** Sends every callback the merchant has not taken yet, again and again until it does or the gateway closes. */
  async function redeliverForever(): Promise<void> {
    for (;;) {
      try {
        await sleep(opts.redeliveryIntervalMs ?? REDELIVERY_INTERVAL_MS, undefined, { signal: closing.signal });
      } catch {
        return;
      }
      for (const event of [...undelivered.values()].filter((e) => !delivering.has(e.id))) {
        const { status, body } = await postCallback(event);
        log(`callback ${event.id} redelivered: ${status || body}`);
      }
    }
  }

  function pay(providerRef: string, payOpts: { at?: number; amount?: number; again?: boolean; key?: string } = {}): Promise<CallbackDelivery> {
    const invoice = byProviderRef.get(providerRef);
    if (!invoice) return Promise.reject(new GatewayError(404, 'invoice_not_found', `no invoice ${providerRef}`));
    const again = payOpts.again === true && invoice.status === 'paid';
    if (again && invoice.method !== 'virtual_account') return Promise.reject(new GatewayError(409, 'invoice_already_paid', `only a virtual account takes a second payment; invoice ${providerRef} is ${invoice.method}`));
    if (invoice.status === 'paid' && !again) return Promise.reject(new GatewayError(409, 'invoice_already_paid', `invoice ${providerRef} was paid at ${invoice.paidAt}`));
    if (invoice.status === 'voided') return Promise.reject(new GatewayError(409, 'invoice_voided', `the merchant cancelled invoice ${providerRef}; it can no longer be paid`));
    const paidAt = new Date(payOpts.at ?? now()).toISOString();
    const paidAmount = payOpts.amount ?? invoice.amount;
    const { merchantRef, method } = invoice;
    const event: SandboxEvent = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      type: 'invoice.paid',
      created: Math.floor(now() / 1000),
      data: { providerRef, merchantRef, method, amount: paidAmount, paidAt },
    };
    // Written before anyone is told: a gateway killed now still has the payment and calls back after its restart.
    journal.append({ type: 'paid', providerRef, paidAt, paidAmount, event, ...(payOpts.key ? { key: payOpts.key } : {}) });
    if (payOpts.key) paymentsByKey.set(payOpts.key, event);
    if (!again) Object.assign(invoice, { status: 'paid', paidAt, paidAmount });
    paidTotal.set(providerRef, (paidTotal.get(providerRef) ?? 0) + paidAmount);
    undelivered.set(event.id, event);
    return deliver(event);
  }

  function payStray(input: { merchantRef: string; amount: number; method?: PaymentMethod }, key?: string): Promise<CallbackDelivery> {
    const providerRef = `pay_${randomBytes(12).toString('hex')}`;
    const paidAt = new Date(now()).toISOString();
    const event: SandboxEvent = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      type: 'invoice.paid',
      created: Math.floor(now() / 1000),
      data: { providerRef, merchantRef: input.merchantRef, method: input.method ?? 'virtual_account', amount: input.amount, paidAt },
    };
    journal.append({ type: 'paid', providerRef, paidAt, paidAmount: input.amount, event, ...(key ? { key } : {}) });
    if (key) paymentsByKey.set(key, event);
    paidTotal.set(providerRef, input.amount);
    undelivered.set(event.id, event);
    log(`stray payment ${providerRef} naming ${input.merchantRef}: IDR ${input.amount}`);
    return deliver(event);
  }

  /** Takes a refund (the same reference answers the same refund) and settles it a moment later. */
  function takeRefund(body: z.infer<typeof ZRefundRequest>, reference: string): { refund: SandboxRefund; created: boolean } {
    const existing = refundsByReference.get(reference);
    if (existing) {
      if (existing.amount !== body.amount || existing.merchantRef !== body.merchantRef) {
        throw new GatewayError(409, 'idempotency_key_conflict', `refund ${reference} was taken for ${existing.amount} of ${existing.merchantRef}`, 'Idempotency-Key');
      }
      return { refund: existing, created: false };
    }
    const providerRef = body.providerRef ?? null;
    if (providerRef) {
      const paid = paidTotal.get(providerRef);
      if (paid === undefined) throw new GatewayError(404, 'payment_not_found', `no payment was taken under ${providerRef}`, 'providerRef');
      const left = paid - (refundedTotal.get(providerRef) ?? 0);
      if (body.amount > left) throw new GatewayError(409, 'refund_exceeds_payment', `only ${left} of the ${paid} paid under ${providerRef} can still be refunded`, 'amount');
    }
    const refund: SandboxRefund = {
      refundId: `rfd_${randomBytes(12).toString('hex')}`,
      reference,
      providerRef,
      merchantRef: body.merchantRef,
      amount: body.amount,
      reason: body.reason,
      destination: body.destination ?? null,
      createdAt: new Date(now()).toISOString(),
      status: 'pending',
      succeededAt: null,
    };
    const { status: _status, succeededAt: _succeededAt, ...journalled } = refund;
    journal.append({ type: 'refund', refund: journalled });
    refundsByReference.set(reference, refund);
    if (providerRef) refundedTotal.set(providerRef, (refundedTotal.get(providerRef) ?? 0) + body.amount);
    log(`refund ${refund.refundId} (${reference}) of IDR ${refund.amount} for ${refund.merchantRef}`);
    scheduleSettlement(refund);
    return { refund, created: true };
  }

  /** A pending refund goes out after a moment, and the merchant is called back with the signed event. */
  function scheduleSettlement(refund: SandboxRefund): void {
    const timer = setTimeout(() => {
      settling.delete(timer);
      if (closing.signal.aborted || refund.status !== 'pending') return;
      const succeededAt = new Date(now()).toISOString();
      const event: SandboxRefundEvent = {
        id: `evt_${randomBytes(12).toString('hex')}`,
        type: 'refund.succeeded',
        created: Math.floor(now() / 1000),
        data: { refundId: refund.refundId, reference: refund.reference, merchantRef: refund.merchantRef, providerRef: refund.providerRef, amount: refund.amount, succeededAt },
      };
      journal.append({ type: 'refunded', refundId: refund.refundId, at: succeededAt, event });
      Object.assign(refund, { status: 'succeeded', succeededAt });
      undelivered.set(event.id, event);
      void deliver(event);
    }, opts.refundSettleMs ?? REFUND_SETTLE_MS);
    settling.add(timer);
  }

  /** Requests a slow gateway is holding; they go on at once when the gateway is repaired, as its queue drains. */
  let repaired = new AbortController();

  /** The merchant API's misbehaviour of the moment, if any, before it handles a request. */
  async function misbehave(): Promise<void> {
    const current = fault;
    if (current.mode === 'error') throw new GatewayError(500, 'internal', 'the sandbox gateway is failing (fault mode "error")');
    if (current.mode !== 'slow') return;
    try {
      await sleep(current.delayMs, undefined, { signal: AbortSignal.any([closing.signal, repaired.signal]) });
    } catch (err) {
      if (closing.signal.aborted) throw err;
    }
  }

  function changeFault(next: SandboxFault): void {
    fault = next;
    repaired.abort();
    repaired = new AbortController();
    log(`fault mode: ${JSON.stringify(next)}`);
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestUrl = new URL(req.url ?? '/', url);
    const path = requestUrl.pathname;
    const body = await readBody(req);
    const payPage = /^\/pay\/([\w-]+)$/.exec(path);
    if (payPage?.[1]) {
      const invoice = byProviderRef.get(payPage[1]);
      if (!invoice || invoice.vaNumber !== null) throw new GatewayError(404, 'invoice_not_found', `no payment page ${path}`);
      if (req.method === 'POST' && invoice.status === 'pending') {
        const delivery = await pay(invoice.providerRef);
        return sendHtml(res, 200, checkoutPage(invoice, now(), `<p>The merchant was notified (HTTP ${delivery.status}).</p>`));
      }
      return sendHtml(res, 200, checkoutPage(invoice, now()));
    }
    const cardPage = desk.page(req.method ?? 'GET', path, new URLSearchParams(body.toString('utf8')));
    if (cardPage !== null) return sendHtml(res, 200, cardPage);
    if (!hasApiKey(req.headers.authorization, opts.apiKey)) {
      return sendJson(res, 401, { error: { code: 'unauthorized', message: 'a valid API key is required (Basic or Bearer)' } }, { 'www-authenticate': 'Basic realm="sandbox"' });
    }
    if (req.method === 'PUT' && path === '/v1/sandbox/fault') {
      changeFault(parseJson(body, ZFaultRequest));
      return sendJson(res, 200, fault);
    }
    if (req.method === 'GET' && path === '/v1/invoices') {
      const merchantRef = requestUrl.searchParams.get('merchantRef');
      const items = [...byProviderRef.values()].filter((i) => merchantRef === null || i.merchantRef === merchantRef);
      return sendJson(res, 200, { items, voidedReferences: [...voidedReferences].filter((r) => merchantRef === null || r === merchantRef || r.startsWith(`${merchantRef}-`)) });
    }
    const simulate = /^\/v1\/invoices\/([\w-]+)\/simulate-payment$/.exec(path);
    const key = typeof req.headers['idempotency-key'] === 'string' && req.headers['idempotency-key'] !== '' ? req.headers['idempotency-key'] : undefined;
    const repeated = key ? paymentsByKey.get(key) : undefined;
    if (req.method === 'POST' && (simulate?.[1] || path === '/v1/sandbox/payments') && repeated) {
      return sendJson(res, 200, { invoice: byProviderRef.get(repeated.data.providerRef) ?? null, event: repeated, repeated: true });
    }
    if (req.method === 'POST' && simulate?.[1]) {
      const { amount, again } = parseJson(body, ZSimulatePaymentRequest);
      const delivery = await pay(simulate[1], { amount, again, ...(key ? { key } : {}) });
      return sendJson(res, 200, { invoice: byProviderRef.get(simulate[1]), event: delivery.event, delivery: { status: delivery.status, attempts: delivery.attempts } });
    }
    if (req.method === 'POST' && path === '/v1/sandbox/payments') {
      const delivery = await payStray(parseJson(body, ZStrayPaymentRequest), key);
      return sendJson(res, 200, { event: delivery.event, delivery: { status: delivery.status, attempts: delivery.attempts } });
    }
    if (req.method === 'POST' && path === '/v1/refunds') {
      await misbehave();
      const request = parseJson(body, ZRefundRequest);
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !REFERENCE.test(key)) throw new GatewayError(400, 'invalid_request', 'Idempotency-Key: is required, 1 to 64 letters, digits, "_", "." or "-"', 'Idempotency-Key');
      const { refund, created } = takeRefund(request, key);
      return sendJson(res, created ? 201 : 200, refund);
    }
    if (req.method === 'GET' && path === '/v1/refunds') {
      const merchantRef = requestUrl.searchParams.get('merchantRef');
      return sendJson(res, 200, { items: [...refundsByReference.values()].filter((r) => merchantRef === null || r.merchantRef === merchantRef) });
    }
    if (req.method === 'POST' && path === '/v1/invoices') {
      await misbehave();
      const request = parseJson(body, ZCreateInvoiceRequest);
      const key = req.headers['idempotency-key'];
      const reference = typeof key === 'string' && key !== '' ? key : request.merchantRef;
      if (!REFERENCE.test(reference)) throw new GatewayError(400, 'invalid_request', 'Idempotency-Key: must be 1 to 64 letters, digits, "_", "." or "-"', 'Idempotency-Key');
      const { invoice, created } = createInvoice(request, reference);
      return sendJson(res, created ? 201 : 200, invoice);
    }
    const voiding = /^\/v1\/invoices\/by-reference\/([A-Za-z0-9_.-]{1,64})\/void$/.exec(path);
    if (req.method === 'POST' && voiding?.[1]) {
      await misbehave();
      const invoice = voidReference(voiding[1]);
      return sendJson(res, 200, { reference: voiding[1], status: 'voided', invoice });
    }
    if (req.method === 'POST' && path === '/v1/charges') await misbehave();
    const card = desk.merchantRoute(req.method ?? 'GET', path, (schema) => parseJson(body, schema), key, fault.mode === 'decline');
    if (card) return sendJson(res, card.status, card.body);
    throw new GatewayError(404, 'not_found', `no route ${req.method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent || closing.signal.aborted) return res.destroy();
      if (err instanceof GatewayError || err instanceof CardDeskError) {
        sendJson(res, err.status, { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } });
      } else {
        sendJson(res, 500, { error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? DEFAULT_HOST, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${opts.publicHost ?? (opts.host && opts.host !== '0.0.0.0' ? opts.host : DEFAULT_HOST)}:${port}`;
  const redelivering = redeliverForever();
  // Refunds taken before a restart and not settled yet settle now.
  for (const refund of refundsByReference.values()) if (refund.status === 'pending') scheduleSettlement(refund);
  return {
    url,
    port,
    pay,
    payStray,
    refunds: () => [...refundsByReference.values()].map((r) => structuredClone(r)),
    invoices: () => [...byProviderRef.values()].map((i) => structuredClone(i)),
    voidedReferences: () => [...voidedReferences],
    setFault: changeFault,
    charges: desk.charges,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        for (const timer of settling) clearTimeout(timer);
        server.close(() => void redelivering.then(() => resolve()));
        server.closeAllConnections();
      }),
  };
}

const ZProcessEnv = z.object({
  SANDBOX_GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SANDBOX_GATEWAY_HOST: z.string().min(1).default(DEFAULT_HOST),
  SANDBOX_GATEWAY_PUBLIC_HOST: z.string().min(1).optional(),
  PAYMENT_PROVIDER_API_KEY: z.string().min(1),
  PAYMENT_CALLBACK_URL: z.url({ protocol: /^https?$/ }),
  PAYMENT_CALLBACK_SECRET: z.string().min(16, 'at least 16 characters'),
  SANDBOX_GATEWAY_DATA_FILE: z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const env = ZProcessEnv.safeParse(process.env);
  if (!env.success) {
    process.stderr.write(`sandbox gateway: invalid configuration\n${z.prettifyError(env.error)}\n`);
    process.exit(1);
  }
  const gateway = await startSandboxGateway({
    port: env.data.SANDBOX_GATEWAY_PORT,
    host: env.data.SANDBOX_GATEWAY_HOST,
    ...(env.data.SANDBOX_GATEWAY_PUBLIC_HOST ? { publicHost: env.data.SANDBOX_GATEWAY_PUBLIC_HOST } : {}),
    apiKey: env.data.PAYMENT_PROVIDER_API_KEY,
    callbackUrl: env.data.PAYMENT_CALLBACK_URL,
    callbackSecret: env.data.PAYMENT_CALLBACK_SECRET,
    ...(env.data.SANDBOX_GATEWAY_DATA_FILE ? { dataFile: env.data.SANDBOX_GATEWAY_DATA_FILE } : {}),
    log: (line) => process.stdout.write(`[sandbox-gateway] ${line}\n`),
  });
  process.stdout.write(`[sandbox-gateway] listening on ${gateway.url}, calling back ${env.data.PAYMENT_CALLBACK_URL}\n`);
  const stop = () => void gateway.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`sandbox gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
