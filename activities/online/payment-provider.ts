/**
 * The payment gateway as the activities see it: an adapter interface, and its one implementation, which talks
 * HTTP to the sandbox gateway (scripts/sandbox-gateway.ts) the way it would to a real Indonesian gateway.
 * Issuing an invoice is idempotent by the order number (`merchantRef`), so an activity retry never bills twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { PAYMENT_PROVIDER_REJECTED, type PaymentMethod as OrderPaymentMethod } from '../../workflows/definitions';

/** The online payment methods a gateway invoice can be paid with (every method of the policy but bank transfer). */
export type PaymentMethod = Exclude<OrderPaymentMethod, 'bank_transfer'>;

/** What we ask the gateway to bill. */
export interface ProviderInvoiceRequest {
  /** Our order number; the gateway keys its invoices by it. */
  merchantRef: string;
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
  /** Issues the invoice of `req.merchantRef`, or returns the one already issued for it. */
  createInvoice(req: ProviderInvoiceRequest): Promise<ProviderInvoice>;
}

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

const ZGatewayError = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

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

/** The provider on the sandbox gateway at `baseUrl` (e.g. `http://127.0.0.1:4010`), authenticating with `apiKey`. */
export function createSandboxProvider(opts: { baseUrl: string; apiKey: string; timeoutMs?: number }): PaymentProvider {
  const authorization = `Basic ${Buffer.from(`${opts.apiKey}:`).toString('base64')}`;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async createInvoice(req) {
      let res: Response;
      try {
        res = await fetch(new URL('/v1/invoices', opts.baseUrl), {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json', 'idempotency-key': req.merchantRef },
          body: JSON.stringify(req),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new Error(`payment gateway unreachable issuing the invoice of ${req.merchantRef}: ${err instanceof Error ? err.message : String(err)}`);
      }
      const bodyText = await res.text();
      if (isRefusal(res.status)) {
        throw ApplicationFailure.create({
          type: PAYMENT_PROVIDER_REJECTED,
          nonRetryable: true,
          message: `payment gateway refused the invoice of ${req.merchantRef} (HTTP ${res.status}): ${describeRefusal(bodyText)}`,
          details: [{ status: res.status }],
        });
      }
      if (!res.ok) throw new Error(`payment gateway failed issuing the invoice of ${req.merchantRef} (HTTP ${res.status}): ${describeRefusal(bodyText)}`);
      let json: unknown;
      try {
        json = JSON.parse(bodyText);
      } catch {
        throw new Error(`payment gateway answered HTTP ${res.status} with a body that is not JSON`);
      }
      const parsed = ZProviderInvoice.safeParse(json);
      if (!parsed.success) throw new Error(`payment gateway answered an unexpected invoice: ${z.prettifyError(parsed.error)}`);
      const { providerRef, method, amount, expiresAt, vaNumber, bankCode, paymentUrl } = parsed.data;
      return { providerRef, method, amount, expiresAt, vaNumber, bankCode, paymentUrl };
    },
  };
}
