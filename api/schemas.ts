/** Request schemas at the HTTP edge; the types beside them are inferred. */
import { z } from 'zod';
import { WALLETS } from '../workflows/policy';

/** `POST /v1/orders`. */
export const ZCreateOrderRequest = z.strictObject({
  wallet: z.enum(WALLETS),
  amount: z.number().int('must be a whole number of rupiah').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER),
});
export type TCreateOrderRequest = z.infer<typeof ZCreateOrderRequest>;

/** An order number in a path. */
export const ZOrderNumber = z.string().regex(/^\d{13}$/, 'must be 13 digits');
