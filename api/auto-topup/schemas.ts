/** The zod schemas of the automatic top-up and saved-card routes. */
import { z } from 'zod';
import { AUTO_TOPUP_MODES, WALLETS } from '../../workflows/definitions';

const money = (rule: string) => z.number({ error: rule }).int(rule).positive(rule).max(Number.MAX_SAFE_INTEGER, rule);

/** A wallet in a path. */
export const ZWalletParam = z.enum(WALLETS, `must be one of: ${WALLETS.join(', ')}`);

/** A saved card's id in a path. */
export const ZCardId = z.string().regex(/^card_[0-9a-f]{16}$/, 'must be a saved card id (card_…)');

/** `PUT /v1/auto-topups/{wallet}`: the whole rule. Amounts in the wallet's unit; caps in IDR charged (card fee included). */
export const ZSaveAutoTopupRequest = z
  .strictObject({
    enabled: z.boolean(),
    threshold: z.number({ error: 'must be a whole number from 0' }).int('must be a whole number from 0').min(0, 'must be a whole number from 0').max(Number.MAX_SAFE_INTEGER),
    mode: z.enum(AUTO_TOPUP_MODES, 'must be target (top up to a balance) or fixed (top up by an amount)'),
    amount: money('must be a whole number greater than 0: the target balance, or the amount of each top-up'),
    cardId: ZCardId,
    dailyCap: money('must be a whole number of rupiah greater than 0'),
    monthlyCap: money('must be a whole number of rupiah greater than 0'),
  })
  .refine((r) => r.mode !== 'target' || r.amount > r.threshold, { path: ['amount'], message: 'must be above the threshold: the balance a top-up brings the wallet to' })
  .refine((r) => r.monthlyCap >= r.dailyCap, { path: ['monthlyCap'], message: 'must be at least the daily cap' });
export type TSaveAutoTopupRequest = z.infer<typeof ZSaveAutoTopupRequest>;

/** `POST /v1/cards`: the gateway's card setup the owner completed. */
export const ZSaveCardRequest = z.strictObject({ setupRef: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be the setupRef POST /v1/card-setups answered') });

/** Provider staff name the account they read. */
export const ZAccountQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });

const ZPage = z.coerce.number({ error: 'must be a whole number from 1' }).int('must be a whole number from 1').min(1, 'must be a whole number from 1').default(1);

/** `GET /v1/auto-topup-attempts`. */
export const ZAutoTopupAttemptsQuery = z.strictObject({
  accountId: z.string().min(1).max(100).optional(),
  wallet: ZWalletParam.optional(),
  page: ZPage,
  pageSize: z.coerce.number({ error: 'must be a whole number from 1 to 100' }).int().min(1).max(100, 'must be a whole number from 1 to 100').default(20),
});
