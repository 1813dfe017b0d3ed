/** The automatic top-up routes' named schemas in the OpenAPI document; the response shapes are checked against what the routes send. */
import { z } from 'zod';
import type { AutoTopupAttempt } from '../../db/auto-topup/attempts';
import type { SavedCard } from '../../db/auto-topup/cards';
import type { AutoTopupRule } from '../../db/auto-topup/rules';
import { AUTO_TOPUP_MODES, AUTO_TOPUP_OUTCOMES, WALLETS } from '../../workflows/definitions';
import { ZSaveAutoTopupRequest, ZSaveCardRequest } from './schemas';

const ZInstant = z.iso.datetime({ offset: true });

const ZSavedCard = z.object({ id: z.string(), accountId: z.string(), brand: z.string(), last4: z.string(), expMonth: z.int(), expYear: z.int(), createdAt: ZInstant });
const ZRule = z.object({
  accountId: z.string(),
  wallet: z.enum(WALLETS),
  enabled: z.boolean(),
  threshold: z.int().describe("below it, a top-up is made (the wallet's unit)"),
  mode: z.enum(AUTO_TOPUP_MODES),
  amount: z.int().describe('the target balance (target) or the amount of each top-up (fixed)'),
  card: z.object({ id: z.string(), brand: z.string(), last4: z.string(), expMonth: z.int(), expYear: z.int() }),
  dailyCap: z.int().describe('IDR charged per day in the account time zone, card fee included'),
  monthlyCap: z.int(),
  status: z.enum(['active', 'paused']).describe('paused: it paused itself after failed charges in a row; saving it resumes it'),
  pausedReason: z.string().nullable(),
  consecutiveFailures: z.int(),
  version: z.int(),
  createdAt: ZInstant,
  updatedAt: ZInstant,
});
const ZAttempt = z.object({
  id: z.string(),
  accountId: z.string(),
  wallet: z.enum(WALLETS),
  outcome: z.enum(AUTO_TOPUP_OUTCOMES),
  orderNumber: z.string().nullable().describe("a charge's order number (on the card statement, and the ledger's key)"),
  balance: z.int().describe('the balance when the amount was computed'),
  pending: z.int().describe('top-ups on their way then (bank transfers under review, online invoices awaiting payment)'),
  amount: z.int().nullable().describe("what the wallet receives, in its unit"),
  charged: z.int().nullable().describe('IDR charged to the card, card fee included; for a stop or a failed charge, what the charge was (nothing was taken)'),
  fee: z.int().nullable(),
  cardLast4: z.string().nullable(),
  reason: z.string().nullable().describe('why it stopped or failed, or how a rule changed the amount'),
  balanceAfter: z.int().nullable(),
  createdAt: ZInstant,
  finishedAt: ZInstant.nullable(),
});
const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), page: z.int(), pageSize: z.int(), total: z.int() });

/** Adds the automatic top-up schemas to the document's registries. */
export function addAutoTopupSchemas(requests: z.core.$ZodRegistry<{ id: string }>, responses: z.core.$ZodRegistry<{ id: string }>): void {
  requests.add(ZSaveAutoTopupRequest, { id: 'SaveAutoTopupRequest' });
  requests.add(ZSaveCardRequest, { id: 'SaveCardRequest' });
  responses.add(ZRule, { id: 'AutoTopupRule' });
  responses.add(z.object({ items: z.array(ZRule) }), { id: 'AutoTopupRuleList' });
  responses.add(page(ZAttempt), { id: 'AutoTopupAttemptPage' });
  responses.add(z.object({ setupRef: z.string(), url: z.string().describe("the gateway's page where the card is entered"), status: z.enum(['pending', 'completed']) }), { id: 'CardSetup' });
  responses.add(ZSavedCard, { id: 'SavedCard' });
  responses.add(z.object({ items: z.array(ZSavedCard) }), { id: 'SavedCardList' });
}

// Compile-time proof that the documented shapes are the ones the routes send.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type Json<T> = T extends Date ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type DocumentedShapesMatch = [Assert<Same<z.infer<typeof ZSavedCard>, Json<SavedCard>>>, Assert<Same<z.infer<typeof ZRule>, Json<AutoTopupRule>>>, Assert<Same<z.infer<typeof ZAttempt>, Json<AutoTopupAttempt>>>];
