/** Request schemas of the bank-transfer routes; the types beside them are inferred. */
import { z } from 'zod';
import { PAYMENT_METHODS, WALLETS } from '../../workflows/definitions';

/** An amount of rupiah. */
const ZAmount = z.number().int('must be a whole number of rupiah').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER);

/** `POST /v1/orders`. */
export const ZCreateOrderRequest = z.strictObject({ wallet: z.enum(WALLETS), amount: ZAmount });
export type TCreateOrderRequest = z.infer<typeof ZCreateOrderRequest>;

/** `PATCH /v1/orders/:orderNumber`: at least one of them. */
export const ZEditOrderRequest = z
  .strictObject({ amount: ZAmount.optional(), paymentMethod: z.enum(PAYMENT_METHODS).optional() })
  .refine((b) => b.amount !== undefined || b.paymentMethod !== undefined, { path: ['amount'], message: 'give amount, paymentMethod, or both' });

/** `POST /v1/orders/:orderNumber/payment-method`. */
export const ZChoosePaymentMethodRequest = z.strictObject({ paymentMethod: z.enum(PAYMENT_METHODS) });

/** The text fields beside the slip file: a new amount with a re-upload after Payment Failure. */
export const ZSlipFormFields = z.strictObject({
  amount: z.string().regex(/^\d{1,15}$/, 'must be a whole number of rupiah').transform(Number).pipe(ZAmount).optional(),
});
