/**
 * The payment gateway's card setups, as the API calls them (the sandbox gateway's protocol, scripts/sandbox-gateway-
 * cards.ts): open a setup for the account, whose page the owner opens to enter the card; then read the card back.
 * The card number never reaches this service.
 */
import { z } from 'zod';
import { HttpError } from '../shared/errors';

/** Where the gateway is, and the merchant's key (PAYMENT_GATEWAY_URL, PAYMENT_PROVIDER_API_KEY). */
export interface GatewayAccess {
  url: string;
  apiKey: string;
}

const ZSetup = z.object({
  setupRef: z.string(),
  customerRef: z.string(),
  status: z.enum(['pending', 'completed']),
  card: z.object({ cardRef: z.string(), brand: z.string(), last4: z.string(), expMonth: z.int(), expYear: z.int() }).nullable(),
  url: z.string().optional(),
});
export type GatewayCardSetup = z.infer<typeof ZSetup>;

async function call(gateway: GatewayAccess | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  if (!gateway) throw new HttpError(503, 'gateway_unavailable', 'no payment gateway is configured (PAYMENT_GATEWAY_URL)');
  let res: Response;
  try {
    res = await fetch(new URL(path, gateway.url), {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${gateway.apiKey}:`).toString('base64')}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new HttpError(503, 'gateway_unavailable', `the payment gateway cannot be reached: ${err instanceof Error ? err.message : String(err)}; try again`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: the status says enough
  }
  if (res.status >= 500) throw new HttpError(503, 'gateway_unavailable', `the payment gateway failed (HTTP ${res.status}); try again`);
  return { status: res.status, json };
}

/** Opens a card setup for `accountId`: the URL of the gateway's page where the owner enters the card. */
export async function openCardSetup(gateway: GatewayAccess | undefined, accountId: string): Promise<GatewayCardSetup & { url: string }> {
  const { status, json } = await call(gateway, 'POST', '/v1/card-setups', { customerRef: accountId });
  const setup = ZSetup.safeParse(json);
  if (status !== 201 || !setup.success || !setup.data.url) throw new HttpError(503, 'gateway_unavailable', `the payment gateway did not open a card setup (HTTP ${status})`);
  return { ...setup.data, url: setup.data.url };
}

/** Reads a card setup back; null when the gateway knows no such setup. */
export async function readCardSetup(gateway: GatewayAccess | undefined, setupRef: string): Promise<GatewayCardSetup | null> {
  const { status, json } = await call(gateway, 'GET', `/v1/card-setups/${encodeURIComponent(setupRef)}`);
  if (status === 404) return null;
  const setup = ZSetup.safeParse(json);
  if (status !== 200 || !setup.success) throw new HttpError(503, 'gateway_unavailable', `the payment gateway answered an unexpected card setup (HTTP ${status})`);
  return setup.data;
}
