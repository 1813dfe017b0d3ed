/** Request schemas of the online top-up routes; the types beside them are inferred. */
import { z } from 'zod';
import { WALLETS } from '../../workflows/definitions';
import { ZEmail } from '../accounts/user-schemas';

/** One wallet of an online top-up: IDR, or a count of packs for `muv` (each buys the policy's visitors, 500 by default). */
const ZOnlineLine = z.strictObject({
  wallet: z.enum(WALLETS),
  amount: z.number().int('must be a whole number').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER),
});

/** `POST /v1/online-orders` and `PATCH /v1/online-orders/{orderNumber}`: one line per wallet. */
export const ZOnlineLinesRequest = z.strictObject({
  lines: z.array(ZOnlineLine).min(1, 'must name at least one wallet').max(WALLETS.length, `at most ${WALLETS.length} lines, one per wallet`),
});
export type TOnlineLinesRequest = z.infer<typeof ZOnlineLinesRequest>;

/** `POST /v1/online-orders/{orderNumber}/confirm`: "Confirm payment" with a method. */
export const ZConfirmPaymentRequest = z.strictObject({
  paymentMethod: z.enum(['virtual_account', 'credit_card', 'ewallet']),
  /** Where the billing info goes (seed 001: the email on the confirmation page); the account's billing email, else the requester's, when left out. */
  billingEmail: ZEmail.optional(),
});
export type TConfirmPaymentRequest = z.infer<typeof ZConfirmPaymentRequest>;
