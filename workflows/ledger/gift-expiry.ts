/**
 * An expiring gift (issue 21): grants it (the API has normally done so already: the ledger key makes this a
 * replay), sleeps on a durable timer until the instant it expires, then takes what usage left of it out of the
 * wallet as its own movement. Started before the API grants, so a grant answered is a grant whose expiry is
 * already scheduled, whatever crashes after. The ledger also expires the gift before any later movement of its
 * wallet (db/migrations/050), so no usage spends it between the instant and this timer's activity.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import { sideEffects } from '../shared/activity-options';
import { workflowNow } from '../shared/workflow-clock';
import type { GiftActivities } from './activity-types';
import type { GiftExpiryOutcome, GiftGrant } from './messages';

const { grantGift, expireGift } = proxyActivities<GiftActivities>(sideEffects());

/** The gift's grant, then its expiry at `grant.expiresAt`. */
export async function giftExpiry(grant: GiftGrant): Promise<GiftExpiryOutcome> {
  const { giftEntryId } = await grantGift(grant);
  if (grant.expiresAt === null) return { giftEntryId, expired: 0 };
  const left = Date.parse(grant.expiresAt) - workflowNow().getTime();
  if (left > 0) await sleep(left);
  return expireGift({ giftEntryId, accountId: grant.accountId, wallet: grant.wallet });
}
