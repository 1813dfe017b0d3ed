/** The low-balance notice's input and workflow id (seed 001). */

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

