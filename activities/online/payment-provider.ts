/**
 * The payment gateway as the activities see it: an adapter interface, and its one implementation, which talks
 * HTTP to the sandbox gateway (scripts/sandbox-gateway.ts) the way it would to a real Indonesian gateway.
 * Issuing an invoice is idempotent by its `reference` (sent as the Idempotency-Key), so a retry never bills twice;
 * voiding by the same reference makes sure an invoice we gave up on can never be paid, even one whose creation
 * reaches the gateway only after the void did.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { PAYMENT_PROVIDER_REJECTED, type PaymentMethod as OrderPaymentMethod, type VoidOutcome } from '../../workflows/definitions';

/** The online payment methods a gateway invoice can be paid with (every method of the policy but bank transfer). */
export type PaymentMethod = Exclude<OrderPaymentMethod, 'bank_transfer'>;

/** What we ask the gateway to bill. */
export interface ProviderInvoiceRequest {
  /** Our order number; the gateway's callbacks name it. */
  merchantRef: string;
  /**
   * Our reference of this issuance, unique per invoice we ask for (the order number for an order's first
   * confirmation, `<orderNumber>-<n>` for its n-th): the Idempotency-Key. Defaults to `merchantRef`.
   */
  reference?: string;
  method: PaymentMethod;
  /** IDR, the total billed (card fee included). */
  amount: number;
  /** ISO 8601 instant after which the invoice can no longer be paid normally. */
  expiresAt: string;
  customer: { name: string; email: string };
  description: string;
}

/** An invoice the gateway issued: a virtual account number, or a payment link (card, e-wallet). */
export interface ProviderInvoice {
  providerRef: string;
  method: PaymentMethod;
  amount: number;
  expiresAt: string;
  vaNumber: string | null;
  bankCode: string | null;
  paymentUrl: string | null;
}

/** A payment gateway. */
export interface PaymentProvider {
  /** Issues the invoice of `req.reference`, or returns the one already issued for it. */
  createInvoice(req: ProviderInvoiceRequest): Promise<ProviderInvoice>;
  /**
   * Makes the invoice of `reference` unpayable, whether or not it exists yet: the gateway refuses to create one
   * under the reference afterwards. Idempotent.
   */
  voidInvoice(reference: string): Promise<VoidOutcome>;
  /**
   * Charges a card saved at the gateway, without its holder present, once per `reference` (the Idempotency-Key: a
   * retry answers the first outcome). A decline, or a refusal of the request, is an answer; a gateway that fails or
   * cannot be reached throws (try again with the same reference).
   */
  chargeCard(req: CardChargeRequest): Promise<CardChargeOutcome>;

  /**
   * Sends money back: of a payment the gateway took (`providerRef`), or, for money received by bank transfer, to
   * the payer's account (`destination`). Idempotent by `reference`; the gateway confirms it later by a signed
   * `refund.succeeded` callback. A refusal (more than was paid, an unknown payment) is non-retryable.
   */
  refund(req: ProviderRefundRequest): Promise<{ refundId: string }>;
}

/** A refund we ask the gateway for. */
export interface ProviderRefundRequest {
  /** Our reference of the refund: the Idempotency-Key, and what its callback names. */
  reference: string;
  merchantRef: string;
  providerRef: string | null;
  destination: { name: string; account: string } | null;
  amount: number;
  reason: string;
}

/** An off-session charge of a saved card. */
export interface CardChargeRequest {
  /** The gateway's token of the card. */
  cardRef: string;
  /** IDR. */
  amount: number;
  /** Our order number of the charge: the gateway names it. */
  merchantRef: string;
  /** The charge's Idempotency-Key. */
  reference: string;
  description: string;
}

/** How a charge went: taken, declined by the issuer, or refused by the gateway (e.g. the card is unknown). */
export type CardChargeOutcome = { result: 'succeeded'; chargeRef: string } | { result: 'declined' | 'refused'; reason: string };

const DEFAULT_TIMEOUT_MS = 10_000;

const ZProviderInvoice = z.object({
  providerRef: z.string().min(1),
  method: z.enum(['virtual_account', 'credit_card', 'ewallet']),
  amount: z.int().positive(),
  expiresAt: z.iso.datetime({ offset: true }),
  vaNumber: z.string().nullable(),
  bankCode: z.string().nullable(),
  paymentUrl: z.string().nullable(),
});

const ZProviderRefund = z.object({ refundId: z.string().min(1), reference: z.string(), amount: z.int().positive() });

const ZGatewayError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

const ZCharge = z.object({ chargeRef: z.string().min(1), status: z.literal('succeeded') });

/** The gateway's own words for a refusal, or the start of whatever it answered. */
function describeRefusal(bodyText: string): string {
  try {
    const parsed = ZGatewayError.safeParse(JSON.parse(bodyText));
    if (parsed.success) return `${parsed.data.error.code}: ${parsed.data.error.message}`;
  } catch {
    // not JSON: fall through to the raw text
  }
  return bodyText.slice(0, 200);
}

/** 408 and 429 are "try again later"; every other 4xx is a refusal of this very request. */
function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

/** Sends one request to the gateway; a network failure is a plain (retryable) Error naming `what`. */
async function send(url: URL, init: RequestInit, timeoutMs: number, what: string): Promise<{ status: number; bodyText: string }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new Error(`payment gateway unreachable ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { status: res.status, bodyText: await res.text() };
}

/** A refusal (4xx) as a non-retryable failure; any other failure status as a plain Error Temporal retries. */
function failure(status: number, bodyText: string, what: string): Error {
  if (isRefusal(status)) {
    return ApplicationFailure.create({
      type: PAYMENT_PROVIDER_REJECTED,
      nonRetryable: true,
      message: `payment gateway refused ${what} (HTTP ${status}): ${describeRefusal(bodyText)}`,
      details: [{ status }],
    });
  }
  return new Error(`payment gateway failed ${what} (HTTP ${status}): ${describeRefusal(bodyText)}`);
}

function isAlreadyPaid(bodyText: string): boolean {
  try {
    return ZGatewayError.safeParse(JSON.parse(bodyText)).data?.error.code === 'invoice_already_paid';
  } catch {
    return false;
  }
}

/** The provider on the sandbox gateway at `baseUrl` (e.g. `http://127.0.0.1:4010`), authenticating with `apiKey`. */
export function createSandboxProvider(opts: { baseUrl: string; apiKey: string; timeoutMs?: number }): PaymentProvider {
  const authorization = `Basic ${Buffer.from(`${opts.apiKey}:`).toString('base64')}`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async createInvoice(req) {
      const reference = req.reference ?? req.merchantRef;
      const what = `issuing the invoice of ${reference}`;
      const { status, bodyText } = await send(
        new URL('/v1/invoices', opts.baseUrl),
        { method: 'POST', headers: { authorization, 'content-type': 'application/json', 'idempotency-key': reference }, body: JSON.stringify({ ...req, reference }) },
        timeoutMs,
        what,
      );
      if (status < 200 || status >= 300) throw failure(status, bodyText, what);
      let json: unknown;
      try {
        json = JSON.parse(bodyText);
      } catch {
        throw new Error(`payment gateway answered HTTP ${status} with a body that is not JSON`);
      }
      const parsed = ZProviderInvoice.safeParse(json);
      if (!parsed.success) throw new Error(`payment gateway answered an unexpected invoice: ${z.prettifyError(parsed.error)}`);
      const { providerRef, method, amount, expiresAt, vaNumber, bankCode, paymentUrl } = parsed.data;
      return { providerRef, method, amount, expiresAt, vaNumber, bankCode, paymentUrl };
    },

    async voidInvoice(reference) {
      const what = `voiding the invoice of ${reference}`;
      const { status, bodyText } = await send(
        new URL(`/v1/invoices/by-reference/${encodeURIComponent(reference)}/void`, opts.baseUrl),
        { method: 'POST', headers: { authorization } },
        timeoutMs,
        what,
      );
      if (status === 409 && isAlreadyPaid(bodyText)) return 'already-paid';
      if (status < 200 || status >= 300) throw failure(status, bodyText, what);
      return 'voided';
    },

    async chargeCard(req) {
      const what = `charging the card of ${req.merchantRef}`;
      const { status, bodyText } = await send(
        new URL('/v1/charges', opts.baseUrl),
        {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', 'idempotency-key': req.reference },
          body: JSON.stringify({ cardRef: req.cardRef, amount: req.amount, merchantRef: req.merchantRef, description: req.description }),
        },
        timeoutMs,
        what,
      );
      if (status === 402) return { result: 'declined', reason: describeRefusal(bodyText) };
      if (isRefusal(status)) return { result: 'refused', reason: `HTTP ${status}: ${describeRefusal(bodyText)}` };
      if (status < 200 || status >= 300) throw failure(status, bodyText, what);
      const parsed = ZCharge.safeParse(JSON.parse(bodyText));
      if (!parsed.success) throw new Error(`payment gateway answered an unexpected charge: ${z.prettifyError(parsed.error)}`);
      return { result: 'succeeded', chargeRef: parsed.data.chargeRef };
    },

    async refund(req) {
      const what = `refunding ${req.amount} of ${req.merchantRef} (${req.reference})`;
      const { reference, ...body } = req;
      const { status, bodyText } = await send(
        new URL('/v1/refunds', opts.baseUrl),
        { method: 'POST', headers: { authorization, 'content-type': 'application/json', 'idempotency-key': reference }, body: JSON.stringify(body) },
        timeoutMs,
        what,
      );
      if (status < 200 || status >= 300) throw failure(status, bodyText, what);
      const parsed = ZProviderRefund.safeParse(JSON.parse(bodyText));
      if (!parsed.success) throw new Error(`payment gateway answered an unexpected refund: ${z.prettifyError(parsed.error)}`);
      return { refundId: parsed.data.refundId };
    },
  };
}
