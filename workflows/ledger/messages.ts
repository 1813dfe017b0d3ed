/** The ledger's workflows: the low-balance notice (seed 001) and an expiring gift, their inputs and ids. */
import type { Wallet } from '../shared/policy';

/** The notice of one wallet for one reference top-up (the last paid one). */
export interface LowBalanceNoticeInput {
  accountId: string;
  wallet: string;
  /** The ledger entry of the reference top-up: one notice per reference. */
  referenceEntryId: string;
  percent: number;
}

/** Workflow id of a notice: a second start for the same reference is refused by Temporal, so it is sent once. */
export function lowBalanceWorkflowId(input: Pick<LowBalanceNoticeInput, 'accountId' | 'wallet' | 'referenceEntryId'>): string {
  return `low-balance-${input.accountId}-${input.wallet}-${input.referenceEntryId}`;
}


/**
 * A gift finance grants (DOMAIN.md: granted credit): the ledger key makes the grant once however often it is sent;
 * an expiring gift is granted and later expired by its own workflow, {@link giftWorkflowId}.
 */
export interface GiftGrant {
  /** The ledger's idempotency key of the grant (`gift:<Idempotency-Key>`). */
  key: string;
  accountId: string;
  wallet: Wallet;
  amount: number;
  reason: string;
  /** ISO instant the gift's remainder expires at; null: never. */
  expiresAt: string | null;
  /** The finance user who granted it. */
  grantedBy: string;
}

/** What a gift's expiry took away (nothing when usage had spent it all). */
export interface GiftExpiryOutcome {
  giftEntryId: string;
  expired: number;
}

/** The workflow of an expiring gift: one per grant key, so a retried grant never starts a second one. */
export function giftWorkflowId(grant: Pick<GiftGrant, 'key'>): string {
  return `gift-${grant.key}`;
}
