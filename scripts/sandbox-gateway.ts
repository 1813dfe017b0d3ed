/**
 * A local sandbox payment gateway that behaves like an Indonesian one (Xendit, Midtrans): it issues invoices
 * with a virtual account number or a payment link, and when an invoice is paid it calls the merchant back over
 * HTTP with a signed event, retrying until the merchant answers 2xx (a few times, with backoff).
 *
 * Wire format of a callback: `POST <callbackUrl>` with the JSON event as body and the headers
 * `X-Sandbox-Timestamp: <unix seconds>` and `X-Sandbox-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`,
 * signed again with a fresh timestamp on each attempt. Paying after the invoice expired is allowed (a gateway race,
 * a screenshotted QR code) and calls back like any payment.
 *
 * Run alone: `node dist/scripts/sandbox-gateway.js` with SANDBOX_GATEWAY_PORT, PAYMENT_PROVIDER_API_KEY,
 * PAYMENT_CALLBACK_URL and PAYMENT_CALLBACK_SECRET. It listens on 127.0.0.1 only.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { PaymentMethod, ProviderInvoice } from '../activities/online/payment-provider';

/** An invoice as the sandbox keeps it. */
export interface SandboxInvoice extends ProviderInvoice {
  merchantRef: string;
  customer: { name: string; email: string };
  description: string;
  status: 'pending' | 'paid';
  paidAt: string | null;
  paidAmount: number | null;
  createdAt: string;
}

/** The event the sandbox calls back with. */
export interface SandboxEvent {
  id: string;
  type: 'invoice.paid';
  /** Unix seconds. */
  created: number;
  data: { providerRef: string; merchantRef: string; method: PaymentMethod; amount: number; paidAt: string };
}

/** The last attempt of a callback delivery; `status` 0 when no HTTP answer came (network error, timeout). */
export interface CallbackDelivery {
  status: number;
  body: string;
  event: SandboxEvent;
  attempts: number;
}

/** A running sandbox gateway. */
export interface SandboxGateway {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Pays an invoice (at `at` ms, default now; `amount` default the invoice's) and delivers the callback. */
  pay(providerRef: string, opts?: { at?: number; amount?: number }): Promise<CallbackDelivery>;
  /** Every invoice issued, oldest first (copies). */
  invoices(): SandboxInvoice[];
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
}

/** Loopback unless told otherwise (a compose stack binds 0.0.0.0 so the worker can reach it). */
const DEFAULT_HOST = '127.0.0.1';
const MAX_BODY_BYTES = 64 * 1024;
/** Waits between delivery attempts: four attempts in all, bounded to a few seconds on loopback. */
const DELIVERY_BACKOFF_MS = [200, 1_000, 3_000];
const DELIVERY_TIMEOUT_MS = 5_000;
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

const ZSimulatePaymentRequest = z.strictObject({ amount: z.int().positive().optional() });

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
      : `${expired ? '<p>This invoice expired; the sandbox still takes the payment, as a real gateway race would.</p>' : ''}<form method="post"><button>Pay</button></form>`;
  return `<!doctype html><meta charset="utf-8"><title>Sandbox checkout</title><h1>Sandbox checkout</h1>
<p>${escapeHtml(inv.description)}</p><p>Order ${escapeHtml(inv.merchantRef)}, ${inv.method === 'credit_card' ? 'credit card' : 'e-wallet'}</p>
<p><strong>IDR ${inv.amount.toLocaleString('en-US')}</strong></p>${note}${state}`;
}

/** Starts a sandbox gateway on 127.0.0.1:`port` (0 or absent: a free one). */
export async function startSandboxGateway(opts: SandboxGatewayOptions): Promise<SandboxGateway> {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => undefined);
  const byMerchantRef = new Map<string, SandboxInvoice>();
  const byProviderRef = new Map<string, SandboxInvoice>();
  const closing = new AbortController();
  let url = '';

  function createInvoice(body: z.infer<typeof ZCreateInvoiceRequest>): { invoice: SandboxInvoice; created: boolean } {
    const existing = byMerchantRef.get(body.merchantRef);
    if (existing) {
      if (existing.method !== body.method || existing.amount !== body.amount) {
        throw new GatewayError(409, 'merchant_ref_conflict', `merchantRef ${body.merchantRef} was already invoiced as ${existing.method} for ${existing.amount}`, 'merchantRef');
      }
      return { invoice: existing, created: false };
    }
    if (Date.parse(body.expiresAt) <= now()) throw new GatewayError(400, 'invalid_request', 'expiresAt: must be in the future', 'expiresAt');
    const providerRef = `inv_${randomBytes(12).toString('hex')}`;
    const isVa = body.method === 'virtual_account';
    const invoice: SandboxInvoice = {
      providerRef,
      merchantRef: body.merchantRef,
      method: body.method,
      amount: body.amount,
      expiresAt: new Date(body.expiresAt).toISOString(),
      vaNumber: isVa ? vaNumberFor(body.merchantRef) : null,
      bankCode: isVa ? VA_BANK_CODE : null,
      paymentUrl: isVa ? null : `${url}/pay/${providerRef}`,
      customer: body.customer,
      description: body.description,
      status: 'pending',
      paidAt: null,
      paidAmount: null,
      createdAt: new Date(now()).toISOString(),
    };
    byMerchantRef.set(invoice.merchantRef, invoice);
    byProviderRef.set(providerRef, invoice);
    log(`invoice ${providerRef} for ${invoice.merchantRef}: ${invoice.method} IDR ${invoice.amount}`);
    return { invoice, created: true };
  }

  async function deliver(event: SandboxEvent): Promise<CallbackDelivery> {
    const rawBody = JSON.stringify(event);
    let last = { status: 0, body: '' };
    let attempts = 0;
    for (;;) {
      attempts += 1;
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
        last = { status: res.status, body: await res.text() };
      } catch (err) {
        last = { status: 0, body: err instanceof Error ? err.message : String(err) };
      }
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

  function pay(providerRef: string, payOpts: { at?: number; amount?: number } = {}): Promise<CallbackDelivery> {
    const invoice = byProviderRef.get(providerRef);
    if (!invoice) return Promise.reject(new GatewayError(404, 'invoice_not_found', `no invoice ${providerRef}`));
    if (invoice.status === 'paid') return Promise.reject(new GatewayError(409, 'invoice_already_paid', `invoice ${providerRef} was paid at ${invoice.paidAt}`));
    invoice.status = 'paid';
    invoice.paidAt = new Date(payOpts.at ?? now()).toISOString();
    invoice.paidAmount = payOpts.amount ?? invoice.amount;
    const { merchantRef, method, paidAt } = invoice;
    return deliver({
      id: `evt_${randomBytes(12).toString('hex')}`,
      type: 'invoice.paid',
      created: Math.floor(now() / 1000),
      data: { providerRef, merchantRef, method, amount: invoice.paidAmount, paidAt },
    });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', url).pathname;
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
    if (!hasApiKey(req.headers.authorization, opts.apiKey)) {
      return sendJson(res, 401, { error: { code: 'unauthorized', message: 'a valid API key is required (Basic or Bearer)' } }, { 'www-authenticate': 'Basic realm="sandbox"' });
    }
    if (req.method === 'POST' && path === '/v1/invoices') {
      const { invoice, created } = createInvoice(parseJson(body, ZCreateInvoiceRequest));
      return sendJson(res, created ? 201 : 200, invoice);
    }
    const simulate = /^\/v1\/invoices\/([\w-]+)\/simulate-payment$/.exec(path);
    if (req.method === 'POST' && simulate?.[1]) {
      const { amount } = parseJson(body, ZSimulatePaymentRequest);
      const delivery = await pay(simulate[1], { amount });
      return sendJson(res, 200, { invoice: byProviderRef.get(simulate[1]), event: delivery.event, delivery: { status: delivery.status, attempts: delivery.attempts } });
    }
    throw new GatewayError(404, 'not_found', `no route ${req.method} ${path}`);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (err instanceof GatewayError) {
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
  return {
    url,
    port,
    pay,
    invoices: () => [...byProviderRef.values()].map((i) => structuredClone(i)),
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeIdleConnections();
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
