/**
 * The payment gateway side of the online top-up: the sandbox gateway issues invoices through the provider adapter
 * and calls back over HTTP; a receiver on loopback verifies each callback and records it in a real database.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createSandboxProvider, type ProviderInvoiceRequest } from '../../activities/online/payment-provider';
import { PAYMENT_PROVIDER_REJECTED } from '../../workflows/definitions';
import { verifyCallbackSignature } from '../../api/online/callback-signature';
import { markCallbackApplied, recordCallbackEvent } from '../../db/online/payment-events';
import { freePort } from '../../scripts/net';
import { signCallbackPayload, startSandboxGateway, type SandboxGateway } from '../../scripts/sandbox-gateway';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const API_KEY = 'sandbox-key-0123456789';
const SECRET = 'callback-secret-0123456789abcdef';
const HOUR_MS = 3_600_000;

/** One callback request as the receiver saw it, and what it answered. */
interface Received {
  rawBody: Buffer;
  headers: http.IncomingHttpHeaders;
  status: number;
  answer: string;
}

interface HttpStub {
  url: string;
  close(): Promise<void>;
}

/** A loopback HTTP server around `handle`. */
async function startHttp(handle: (req: http.IncomingMessage, rawBody: Buffer) => Promise<{ status: number; body: string }>): Promise<HttpStub> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, Buffer.concat(chunks)).then(
        ({ status, body }) => res.writeHead(status, { 'content-type': 'application/json' }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

let db: TestDatabase;
let receiver: HttpStub;
let gateway: SandboxGateway;
const received: Received[] = [];
/** The receiver answers 500 to this many requests before verifying anything (a merchant having a bad moment). */
let failNext = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startHttp(async (req, rawBody) => {
    const answer = await (async () => {
      if (failNext > 0) {
        failNext -= 1;
        return { status: 500, body: '{"error":"temporarily unavailable"}' };
      }
      const verified = verifyCallbackSignature({
        rawBody,
        timestampHeader: req.headers['x-sandbox-timestamp'] as string | undefined,
        signatureHeader: req.headers['x-sandbox-signature'] as string | undefined,
        secret: SECRET,
        nowMs: Date.now(),
      });
      if (!verified.ok) return { status: 401, body: JSON.stringify({ refused: verified.reason }) };
      return { status: 200, body: JSON.stringify({ outcome: await recordCallbackEvent(db.pool, verified.event, rawBody) }) };
    })();
    received.push({ rawBody, headers: req.headers, status: answer.status, answer: answer.body });
    return answer;
  });
  gateway = await startSandboxGateway({ apiKey: API_KEY, callbackUrl: `${receiver.url}/v1/payment-callbacks`, callbackSecret: SECRET });
});

afterAll(async () => {
  await gateway.close();
  await receiver.close();
  await db.drop();
});

beforeEach(() => {
  failNext = 0;
});

function orderNumber(): string {
  return `1${String(Date.now()).slice(-6)}${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
}

function invoiceRequest(over: Partial<ProviderInvoiceRequest> = {}): ProviderInvoiceRequest {
  return {
    merchantRef: orderNumber(),
    method: 'virtual_account',
    amount: 1_000_000,
    expiresAt: new Date(Date.now() + 24 * HOUR_MS).toISOString(),
    customer: { name: 'Budi Santoso', email: 'budi@example.co.id' },
    description: 'Top-up: API credit IDR 1,000,000',
    ...over,
  };
}

/** Resends a captured callback request to the receiver, optionally with other headers or body. */
async function post(body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${receiver.url}/v1/payment-callbacks`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, json: await res.json() };
}

async function storedEvents(id: string): Promise<Array<{ merchant_ref: string; amount: number; paid_at: Date; applied_at: Date | null; disposition: string | null }>> {
  const { rows } = await db.pool.query('SELECT merchant_ref, amount, paid_at, applied_at, disposition FROM payment_events WHERE id = $1', [id]);
  return rows;
}

/** A well-formed event nobody has sent yet, unsigned. */
function freshEvent(): { id: string; body: string } {
  const id = `evt_${randomBytes(12).toString('hex')}`;
  const body = JSON.stringify({
    id,
    type: 'invoice.paid',
    created: Math.floor(Date.now() / 1000),
    data: { providerRef: 'inv_forged', merchantRef: orderNumber(), method: 'virtual_account', amount: 1_000_000, paidAt: new Date().toISOString() },
  });
  return { id, body };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('issuing invoices', () => {
  const provider = () => createSandboxProvider({ baseUrl: gateway.url, apiKey: API_KEY });

  test('When a virtual account invoice is asked for twice, then the same invoice comes back with a BCA number derived from the order number', async () => {
    const req = invoiceRequest();
    const first = await provider().createInvoice(req);
    expect(first).toEqual({
      providerRef: expect.stringMatching(/^inv_[0-9a-f]{24}$/),
      method: 'virtual_account',
      amount: 1_000_000,
      expiresAt: req.expiresAt,
      vaNumber: `888${req.merchantRef}`,
      bankCode: 'BCA',
      paymentUrl: null,
    });
    expect(first.vaNumber).toMatch(/^\d{16}$/);
    expect(await provider().createInvoice(req)).toEqual(first);
    expect(gateway.invoices().filter((i) => i.merchantRef === req.merchantRef)).toHaveLength(1);

    const other = await startSandboxGateway({ apiKey: API_KEY, callbackUrl: receiver.url, callbackSecret: SECRET });
    try {
      const elsewhere = await createSandboxProvider({ baseUrl: other.url, apiKey: API_KEY }).createInvoice(req);
      expect(elsewhere.vaNumber).toBe(first.vaNumber);
    } finally {
      await other.close();
    }
  });

  test('When the same order is sent again, then the gateway answers 200 instead of 201 and honours the Idempotency-Key', async () => {
    const req = invoiceRequest({ method: 'ewallet' });
    const send = () =>
      fetch(`${gateway.url}/v1/invoices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': req.merchantRef },
        body: JSON.stringify(req),
      });
    const first = await send();
    const second = await send();
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(await second.json()).toEqual(await first.json());
  });

  test('When a card invoice is issued, then it carries a payment URL on the gateway whose page shows the amount', async () => {
    const invoice = await provider().createInvoice(invoiceRequest({ method: 'credit_card', amount: 1_035_000 }));
    expect(invoice).toMatchObject({ method: 'credit_card', amount: 1_035_000, vaNumber: null, bankCode: null });
    expect(invoice.paymentUrl).toBe(`${gateway.url}/pay/${invoice.providerRef}`);
    const page = await fetch(invoice.paymentUrl ?? '');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('IDR 1,035,000');
  });

  test('When a field is missing or wrong, then the gateway answers 400 naming it, and the provider throws a non-retryable PaymentProviderRejected', async () => {
    const { customer, ...withoutCustomer } = invoiceRequest();
    const raw = await fetch(`${gateway.url}/v1/invoices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...withoutCustomer, customer: { name: customer.name, email: 'not-an-email' } }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error: { code: 'invalid_request', field: 'customer.email', message: expect.stringMatching(/^customer\.email: /) } });

    const failure = await provider()
      .createInvoice(invoiceRequest({ amount: 0 }))
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: PAYMENT_PROVIDER_REJECTED, nonRetryable: true, message: expect.stringContaining('HTTP 400): invalid_request: amount:') });
  });

  test('When an order already invoiced comes back with another amount, then it is refused (409), never re-priced', async () => {
    const req = invoiceRequest();
    await provider().createInvoice(req);
    await expect(provider().createInvoice({ ...req, amount: 2_000_000 })).rejects.toMatchObject({
      type: PAYMENT_PROVIDER_REJECTED,
      message: expect.stringContaining('HTTP 409): merchant_ref_conflict'),
    });
  });

  test('When the API key is wrong, then the gateway answers 401 and the provider throws PaymentProviderRejected', async () => {
    const wrong = createSandboxProvider({ baseUrl: gateway.url, apiKey: 'wrong-key' });
    await expect(wrong.createInvoice(invoiceRequest())).rejects.toMatchObject({ type: PAYMENT_PROVIDER_REJECTED, message: expect.stringContaining('HTTP 401') });
  });

  test('When the gateway fails (503) or cannot be reached, then the provider throws a plain Error that Temporal retries', async () => {
    const failing = await startHttp(async () => ({ status: 503, body: '{"error":{"code":"maintenance","message":"back soon"}}' }));
    try {
      const err = await createSandboxProvider({ baseUrl: failing.url, apiKey: API_KEY })
        .createInvoice(invoiceRequest())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ApplicationFailure);
      expect((err as Error).message).toContain('HTTP 503): maintenance: back soon');
    } finally {
      await failing.close();
    }
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await createSandboxProvider({ baseUrl: closed, apiKey: API_KEY, timeoutMs: 2_000 })
      .createInvoice(invoiceRequest())
      .catch((e: unknown) => e);
    expect(unreachable).not.toBeInstanceOf(ApplicationFailure);
    expect((unreachable as Error).message).toMatch(/^payment gateway unreachable/);
  });
});

describe('callbacks', () => {
  const provider = () => createSandboxProvider({ baseUrl: gateway.url, apiKey: API_KEY });

  test('When an invoice is paid, then a signed callback arrives, verifies and is recorded as new', async () => {
    const req = invoiceRequest();
    const invoice = await provider().createInvoice(req);
    const delivery = await gateway.pay(invoice.providerRef);
    expect(delivery).toMatchObject({ status: 200, attempts: 1, event: { type: 'invoice.paid', data: { providerRef: invoice.providerRef, merchantRef: req.merchantRef, method: 'virtual_account', amount: 1_000_000 } } });
    expect(JSON.parse(delivery.body)).toEqual({ outcome: 'new' });

    const last = received.at(-1);
    expect(last?.headers['x-sandbox-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(Math.abs(Number(last?.headers['x-sandbox-timestamp']) - nowSeconds())).toBeLessThanOrEqual(2);
    expect(await storedEvents(delivery.event.id)).toEqual([
      { merchant_ref: req.merchantRef, amount: 1_000_000, paid_at: new Date(delivery.event.data.paidAt), applied_at: null, disposition: null },
    ]);
    expect(gateway.invoices().find((i) => i.providerRef === invoice.providerRef)).toMatchObject({ status: 'paid', paidAmount: 1_000_000 });
  });

  test('When the same event is delivered twice, then the second is acknowledged as a duplicate and recorded once', async () => {
    const invoice = await provider().createInvoice(invoiceRequest({ method: 'ewallet' }));
    const delivery = await gateway.pay(invoice.providerRef);
    const first = received.at(-1);
    if (!first) throw new Error('no callback received');
    const again = await post(first.rawBody, {
      'x-sandbox-timestamp': String(first.headers['x-sandbox-timestamp']),
      'x-sandbox-signature': String(first.headers['x-sandbox-signature']),
    });
    expect(again).toEqual({ status: 200, json: { outcome: 'duplicate' } });
    expect(await storedEvents(delivery.event.id)).toHaveLength(1);
  });

  test('When an invoice is paid through the simulate-payment endpoint with a different amount, then the callback carries the amount paid', async () => {
    const invoice = await provider().createInvoice(invoiceRequest());
    const res = await fetch(`${gateway.url}/v1/invoices/${invoice.providerRef}/simulate-payment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 999_000 }),
    });
    const answer = (await res.json()) as { event: { id: string }; delivery: { status: number } };
    expect(res.status).toBe(200);
    expect(answer.delivery.status).toBe(200);
    expect(await storedEvents(answer.event.id)).toEqual([expect.objectContaining({ amount: 999_000 })]);

    const twice = await fetch(`${gateway.url}/v1/invoices/${invoice.providerRef}/simulate-payment`, { method: 'POST', headers: { authorization: `Bearer ${API_KEY}` } });
    expect(twice.status).toBe(409);
  });

  const signed = (secret: string, ts: number, signedBody: string, sentBody = signedBody) => ({
    body: sentBody,
    headers: { 'x-sandbox-timestamp': String(ts), 'x-sandbox-signature': signCallbackPayload(secret, ts, signedBody) },
  });
  test.each([
    ['a forged signature', (body: string, ts: number) => signed('not-our-secret', ts, body), 'signature_mismatch'],
    ['a body altered after signing', (body: string, ts: number) => signed(SECRET, ts, body, body.replace('"amount":1000000', '"amount":9000000')), 'signature_mismatch'],
    ['a timestamp 301 s old', (body: string, ts: number) => signed(SECRET, ts - 301, body), 'timestamp_out_of_tolerance'],
    ['no timestamp header', (body: string, ts: number) => ({ body, headers: { 'x-sandbox-signature': signCallbackPayload(SECRET, ts, body) } }), 'missing_timestamp'],
    ['no signature header', (body: string, ts: number) => ({ body, headers: { 'x-sandbox-timestamp': String(ts) } }), 'missing_signature'],
  ])('When a callback comes with %s, then it is refused with its reason and nothing is recorded', async (_, forge, code) => {
    const event = freshEvent();
    const { body, headers } = forge(event.body, nowSeconds());
    const res = await post(body, headers);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ refused: expect.stringMatching(new RegExp(`^${code}: `)) });
    expect(await storedEvents(event.id)).toEqual([]);
  });

  test('When an invoice is paid after it expired, then the callback still verifies and the payment is recorded', async () => {
    const req = invoiceRequest({ expiresAt: new Date(Date.now() + 60_000).toISOString() });
    const invoice = await provider().createInvoice(req);
    const paidAt = Date.parse(req.expiresAt) + HOUR_MS;
    const delivery = await gateway.pay(invoice.providerRef, { at: paidAt });
    expect(delivery.status).toBe(200);
    expect(delivery.event.data.paidAt).toBe(new Date(paidAt).toISOString());
    expect(await storedEvents(delivery.event.id)).toEqual([expect.objectContaining({ merchant_ref: req.merchantRef, paid_at: new Date(paidAt) })]);
  });

  test('When the receiver answers 500 once, then the gateway retries the same event and it is recorded once', async () => {
    const invoice = await provider().createInvoice(invoiceRequest());
    const before = received.length;
    failNext = 1;
    const delivery = await gateway.pay(invoice.providerRef);
    expect(delivery).toMatchObject({ status: 200, attempts: 2 });
    const attempts = received.slice(before);
    expect(attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(attempts[0]?.rawBody.equals(attempts[1]?.rawBody ?? Buffer.alloc(0))).toBe(true);
    expect(await storedEvents(delivery.event.id)).toHaveLength(1);
  });

  test('When a recorded payment is marked applied twice, then the first disposition stands; an unknown event is an error', async () => {
    const invoice = await provider().createInvoice(invoiceRequest());
    const { event } = await gateway.pay(invoice.providerRef);
    await markCallbackApplied(db.pool, event.id, 'paid');
    await markCallbackApplied(db.pool, event.id, 'paid_late');
    expect(await storedEvents(event.id)).toEqual([expect.objectContaining({ applied_at: expect.any(Date), disposition: 'paid' })]);
    await expect(markCallbackApplied(db.pool, 'evt_unknown', 'paid')).rejects.toThrow('no payment event evt_unknown');
  });
});

describe('voiding, faults and restarts', () => {
  const provider = (timeoutMs?: number) => createSandboxProvider({ baseUrl: gateway.url, apiKey: API_KEY, ...(timeoutMs ? { timeoutMs } : {}) });
  const setFault = (fault: object) =>
    fetch(`${gateway.url}/v1/sandbox/fault`, { method: 'PUT', headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  afterEach(() => gateway.setFault({ mode: 'none' }));

  test('When an issued invoice is voided, then it can no longer be paid, and voiding again answers the same', async () => {
    const req = invoiceRequest({ method: 'ewallet' });
    const invoice = await provider().createInvoice(req);
    expect(await provider().voidInvoice(req.merchantRef)).toBe('voided');
    expect(await provider().voidInvoice(req.merchantRef)).toBe('voided');
    expect(gateway.invoices().find((i) => i.providerRef === invoice.providerRef)).toMatchObject({ status: 'voided' });
    await expect(gateway.pay(invoice.providerRef)).rejects.toMatchObject({ code: 'invoice_voided' });
    const page = await fetch(invoice.paymentUrl!, { method: 'POST' });
    expect(await page.text()).toContain('can no longer be paid');
  });

  test('When a reference is voided before its invoice exists, then a late creation under it is refused and a new reference issues a new invoice', async () => {
    const req = invoiceRequest();
    expect(await provider().voidInvoice(req.merchantRef)).toBe('voided');
    await expect(provider().createInvoice(req)).rejects.toMatchObject({ type: PAYMENT_PROVIDER_REJECTED, message: expect.stringContaining('HTTP 409): reference_voided') });
    const second = await provider().createInvoice({ ...req, reference: `${req.merchantRef}-2`, amount: 1_500_000 });
    expect(second).toMatchObject({ amount: 1_500_000, vaNumber: expect.stringMatching(/^888\d{13}$/) });
    expect(second.vaNumber).not.toBe(`888${req.merchantRef}`);
    expect(gateway.invoices().filter((i) => i.merchantRef === req.merchantRef).map((i) => [i.reference, i.status])).toEqual([[`${req.merchantRef}-2`, 'pending']]);
  });

  test('When a paid invoice is voided, then the gateway says it was paid and keeps it paid', async () => {
    const req = invoiceRequest();
    const invoice = await provider().createInvoice(req);
    await gateway.pay(invoice.providerRef);
    expect(await provider().voidInvoice(req.merchantRef)).toBe('already-paid');
    expect(gateway.invoices().find((i) => i.providerRef === invoice.providerRef)).toMatchObject({ status: 'paid' });
  });

  test('When the gateway is set to fail or to be slow, then the merchant API answers 500 or only after the delay, and goes on at once when repaired', async () => {
    expect((await setFault({ mode: 'error' })).status).toBe(200);
    const failed = await provider().createInvoice(invoiceRequest()).catch((e: unknown) => e);
    expect(failed).not.toBeInstanceOf(ApplicationFailure);
    expect((failed as Error).message).toContain('(HTTP 500): internal:');

    expect(await (await setFault({ mode: 'slow' })).json()).toEqual({ mode: 'slow', delayMs: 30_000 });
    const req = invoiceRequest();
    const started = Date.now();
    const timedOut = await provider(1_000).createInvoice(req).catch((e: unknown) => e);
    expect((timedOut as Error).message).toMatch(/^payment gateway unreachable issuing the invoice/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const held = provider().createInvoice(req);
    await setFault({ mode: 'none' });
    const invoice = await held;
    expect(gateway.invoices().filter((i) => i.merchantRef === req.merchantRef)).toEqual([expect.objectContaining({ providerRef: invoice.providerRef })]);
    expect((await setFault({ mode: 'slow', delayMs: 0 })).status).toBe(400);
  });

  test('When the gateway is stopped and started again on its journal, then it keeps every invoice and delivers the callback it could not deliver before', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-journal-'));
    const dataFile = path.join(dir, 'journal.jsonl');
    let receiving = false;
    const merchant = await startHttp(async (req, rawBody) => {
      if (!receiving) return { status: 503, body: '{}' };
      received.push({ rawBody, headers: req.headers, status: 200, answer: 'ok' });
      return { status: 200, body: '{}' };
    });
    const options = { apiKey: API_KEY, callbackUrl: merchant.url, callbackSecret: SECRET, dataFile, redeliveryIntervalMs: 200 };
    let first: SandboxGateway | null = await startSandboxGateway(options);
    try {
      const own = createSandboxProvider({ baseUrl: first.url, apiKey: API_KEY });
      const paid = await own.createInvoice(invoiceRequest());
      const voidedReq = invoiceRequest();
      await own.voidInvoice(voidedReq.merchantRef);
      const delivery = await first.pay(paid.providerRef);
      expect(delivery).toMatchObject({ status: 503, attempts: 4 });
      await first.close();
      first = null;

      receiving = true;
      const again = await startSandboxGateway(options);
      try {
        expect(again.invoices()).toEqual([expect.objectContaining({ providerRef: paid.providerRef, status: 'paid' })]);
        expect(again.voidedReferences()).toEqual([voidedReq.merchantRef]);
        const redelivered = await eventuallyReceived(delivery.event.id);
        expect(JSON.parse(redelivered.rawBody.toString('utf8'))).toEqual(delivery.event);
        // Delivered once taken: nothing more arrives.
        await new Promise((r) => setTimeout(r, 600));
        expect(received.filter((r) => r.rawBody.toString('utf8').includes(delivery.event.id))).toHaveLength(1);
      } finally {
        await again.close();
      }
    } finally {
      await first?.close();
      await merchant.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function eventuallyReceived(eventId: string): Promise<Received> {
  for (let i = 0; i < 100; i += 1) {
    const found = received.find((r) => r.rawBody.toString('utf8').includes(eventId));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the callback of ${eventId} never arrived`);
}

describe('verifyCallbackSignature', () => {
  const verify = (body: string, over: { ts?: number; nowMs?: number; signature?: string } = {}) => {
    const ts = over.ts ?? nowSeconds();
    return verifyCallbackSignature({
      rawBody: Buffer.from(body),
      timestampHeader: String(ts),
      signatureHeader: over.signature ?? signCallbackPayload(SECRET, ts, body),
      secret: SECRET,
      nowMs: over.nowMs ?? Date.now(),
    });
  };

  test('When the timestamp is 300 s old, then it is accepted; 301 s ahead, then it is refused', () => {
    const { body } = freshEvent();
    expect(verify(body, { ts: nowSeconds() - 300 }).ok).toBe(true);
    expect(verify(body, { ts: nowSeconds() + 301 })).toEqual({ ok: false, reason: expect.stringMatching(/^timestamp_out_of_tolerance: signed 301 s ahead/) });
  });

  test('When a signed body is not a gateway event, then it is refused naming the field', () => {
    expect(verify('not json')).toEqual({ ok: false, reason: 'invalid_json: the body is not JSON' });
    const { body } = freshEvent();
    expect(verify(body.replace('"amount":1000000', '"amount":-5'))).toEqual({ ok: false, reason: expect.stringMatching(/^invalid_event: data\.amount: /) });
  });

  test('When the signature header is not "v1=" and 64 hex digits, then it is refused as malformed', () => {
    const { body } = freshEvent();
    expect(verify(body, { signature: 'sha256=abc' })).toEqual({ ok: false, reason: expect.stringMatching(/^malformed_signature: /) });
  });
});
