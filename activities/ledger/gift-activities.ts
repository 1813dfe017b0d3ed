/** A gift's grant and expiry, as the activities of its workflow (workflows/ledger/gift-expiry.ts) over the ledger. */
import type { Pool } from 'pg';
import { recordOperation } from '../../db/accounts/operation-log';
import { expireGift, grantGift } from '../../db/ledger/ledger';
import type { GiftActivities } from '../../workflows/definitions';

/** Builds the gift activities. */
export function createGiftActivities(pool: Pool) {
  return {
    /** Grants the gift once (its ledger key): the same call the API makes, so whichever runs first records it. */
    async grantGift(grant) {
      const { entryId } = await grantGift(pool, {
        accountId: grant.accountId,
        wallet: grant.wallet,
        amount: grant.amount,
        idempotencyKey: grant.key,
        memo: grant.reason,
        expiresAt: grant.expiresAt === null ? null : new Date(grant.expiresAt),
        grantedBy: grant.grantedBy,
      });
      return { giftEntryId: entryId };
    },

    /** Takes the gift's remainder out of its wallet, once, and logs it once: a timer's change, so no actor. */
    async expireGift({ giftEntryId, accountId, wallet }) {
      const result = await expireGift(pool, giftEntryId);
      await recordOperation(pool, {
        accountId,
        actorId: null,
        action: 'gift.expire',
        details: { giftEntryId, wallet, expired: result.expired, entryId: result.entryId },
        onceKey: `gift-expiry:${giftEntryId}`,
      });
      return { giftEntryId, expired: result.expired };
    },
  } satisfies GiftActivities;
}
