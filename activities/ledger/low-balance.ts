/**
 * The low-balance notice (seed 001, DOMAIN.md): when a wallet falls below a percentage (40 %) of its reference,
 * the last paid top-up, the owner is told once; a later top-up re-arms it (db/ledger/low-balance.ts claims it).
 */
import type { Pool } from 'pg';
import { findAccountOwner } from '../../db/accounts/accounts';
import { claimLowBalanceNotice, findClaimedLowBalance } from '../../db/ledger/low-balance';
import type { LowBalanceActivities, TopupPolicy } from '../../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { publishEvent } from '../webhooks/publish';
import { lowBalanceEmail } from './low-balance-email';

/** What the notice activity needs. */
export interface LowBalanceNoticeDeps {
  pool: Pool;
  providerName: string;
  /** For the `balance.low` webhook event's delivery workflows. */
  policy: TopupPolicy;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/** Builds the low-balance notice activity. */
export function createLowBalanceActivities(deps: LowBalanceNoticeDeps) {
  return {
    /**
     * Claims the notice for the wallet's reference and emails the owner; 'not-due' when the wallet is not below
     * the threshold or a newer top-up replaced the reference. A retry after the claim still sends (the email is
     * keyed by the reference, so it goes out once), and publishes the `balance.low` webhook event (keyed the same).
     */
    async sendLowBalanceNotice(input) {
      const claimed = await claimLowBalanceNotice(deps.pool, input.accountId, input.wallet, input.percent);
      const claimedNow = claimed !== null && claimed.referenceEntryId === input.referenceEntryId ? claimed : null;
      const due = claimedNow ?? (await findClaimedLowBalance(deps.pool, input.accountId, input.wallet, input.referenceEntryId));
      if (!due) return 'not-due';
      await publishEvent(deps.pool, deps.policy, {
        sourceKey: `balance.low:${input.accountId}:${input.wallet}:${input.referenceEntryId}`,
        accountId: input.accountId,
        type: 'balance.low',
        data: { wallet: input.wallet, current: due.current, reference: due.reference, percent: input.percent },
      });
      const owner = await findAccountOwner(deps.pool, input.accountId);
      if (!owner) return 'not-due';
      const email = lowBalanceEmail({
        locale: owner.locale,
        providerName: deps.providerName,
        companyName: owner.companyName,
        wallet: input.wallet,
        current: due.current,
        reference: due.reference,
        percent: input.percent,
      });
      const sent = await deps.sendEmail({ idempotencyKey: `low-balance:${input.accountId}:${input.wallet}:${input.referenceEntryId}`, to: owner.email, ...email });
      return sent.status;
    },
  } satisfies LowBalanceActivities;
}
