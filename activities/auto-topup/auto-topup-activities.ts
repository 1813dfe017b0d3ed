/**
 * The side effects of automatic top-up rules (issue 20): the check that decides and records, the card charge at the
 * gateway, the credit, and the trace of every finished attempt: an email to the owner, a webhook event
 * (`balance.auto_topup_succeeded` or `balance.auto_topup_failed`, with the reason) and the metric
 * `topup_auto_topup_attempts_total{wallet,outcome}`. Each is idempotent: the check by its evaluation key, the charge
 * by the attempt (the gateway's Idempotency-Key), the credit by the attempt's order number, the email and the event
 * by the attempt.
 */
import { Context } from '@temporalio/activity';
import type { Pool } from 'pg';
import { findAccountOwner } from '../../db/accounts/accounts';
import { completeAttempt, decideAutoTopup, failAttempt, findAttempt, findChargeOfAttempt, type AutoTopupAttempt } from '../../db/auto-topup/attempts';
import type { AutoTopupActivities, TopupPolicy } from '../../workflows/definitions';
import type { PaymentProvider } from '../online/payment-provider';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { publishEvent } from '../webhooks/publish';
import { autoTopupEmail } from './auto-topup-email';

/** What the automatic top-up activities need. */
export interface AutoTopupActivityDeps {
  pool: Pool;
  gateway: PaymentProvider;
  providerName: string;
  publicUrl: string;
  /** The deployment's policy, for the webhook events' delivery workflows. */
  policy: TopupPolicy;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/** The attempt as its email and event tell it. */
function shown(a: AutoTopupAttempt) {
  const { accountId: _account, ...rest } = a;
  return { ...rest, createdAt: a.createdAt.toISOString(), finishedAt: a.finishedAt?.toISOString() ?? null };
}

/** Builds the automatic top-up activities. */
export function createAutoTopupActivities(deps: AutoTopupActivityDeps) {
  const { pool } = deps;

  /** Emails the owner and publishes the event of a finished attempt; counts it when `count` (the call that finished it). */
  async function trace(attempt: AutoTopupAttempt, count: boolean): Promise<void> {
    if (count) {
      Context.current().metricMeter.createCounter('topup_auto_topup_attempts_total', undefined, 'Automatic top-up attempts, by how they ended').add(1, { wallet: attempt.wallet, outcome: attempt.outcome });
    }
    const succeeded = attempt.outcome === 'succeeded';
    await publishEvent(pool, deps.policy, {
      sourceKey: `auto-topup:${attempt.id}`,
      accountId: attempt.accountId,
      type: succeeded ? 'balance.auto_topup_succeeded' : 'balance.auto_topup_failed',
      data: { attempt: shown(attempt), ...(succeeded ? {} : { reason: attempt.outcome }) },
    });
    const owner = await findAccountOwner(pool, attempt.accountId);
    if (!owner) return;
    const email = autoTopupEmail({ locale: owner.locale, providerName: deps.providerName, companyName: owner.companyName, attempt, consoleUrl: `${deps.publicUrl}/#/auto-topup` });
    await deps.sendEmail({ idempotencyKey: `auto-topup:${attempt.id}`, to: owner.email, ...email });
  }

  async function traceById(attemptId: string, count: boolean): Promise<void> {
    const attempt = await findAttempt(pool, attemptId);
    if (attempt) await trace(attempt, count);
  }

  return {
    async evaluateAutoTopup(input) {
      const { decision, fresh } = await decideAutoTopup(pool, { ...input, at: new Date(input.at) });
      // A stop is traced by the check that recorded it; a retry of that check traces it again (idempotent), uncounted.
      if (decision.kind === 'stopped') await traceById(decision.attemptId, fresh);
      return decision;
    },

    async chargeAutoTopup({ attemptId }) {
      const charge = await findChargeOfAttempt(pool, attemptId);
      if (!charge) throw new Error(`automatic top-up ${attemptId} is not a charge`);
      const outcome = await deps.gateway.chargeCard({
        cardRef: charge.cardRef,
        amount: charge.charged,
        merchantRef: charge.orderNumber,
        reference: attemptId,
        description: `Automatic top-up ${charge.orderNumber} of the ${charge.wallet} wallet`,
      });
      return outcome;
    },

    async completeAutoTopup({ attemptId, chargeRef }) {
      const { attempt, changed } = await completeAttempt(pool, attemptId, chargeRef);
      await trace(attempt, changed);
    },

    async failAutoTopup(input) {
      const at = new Date(Context.current().info.currentAttemptScheduledTimestampMs);
      const { attempt, changed, paused } = await failAttempt(pool, { ...input, at });
      await trace(attempt, changed);
      if (paused) await trace(paused, changed);
      return { paused: paused !== null };
    },
  } satisfies AutoTopupActivities;
}
