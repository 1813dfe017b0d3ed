/** The activities the ledger's workflows call, declared here and implemented by activities/ (`satisfies`). */
import type { GiftExpiryOutcome, GiftGrant, LowBalanceNoticeInput } from './messages';

/** The side effect of a low-balance notice. */
export interface LowBalanceActivities {
  /** Claims the notice of the reference and emails the owner once. */
  sendLowBalanceNotice(input: LowBalanceNoticeInput): Promise<'sent' | 'already-sent' | 'not-due'>;
}

/** The side effects of a gift's life: its grant and its expiry, each once by its ledger key. */
export interface GiftActivities {
  /** Grants the gift (or answers the grant its key already recorded): the gift's journal entry. */
  grantGift(grant: GiftGrant): Promise<{ giftEntryId: string }>;
  /** Takes what is left of the gift out of its wallet, once, and logs the expiry. */
  expireGift(input: { giftEntryId: string; accountId: string; wallet: GiftGrant['wallet'] }): Promise<GiftExpiryOutcome>;
}
