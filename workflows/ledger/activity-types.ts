/** The activity the low-balance notice workflow calls, declared here and implemented by activities/ (`satisfies`). */
import type { LowBalanceNoticeInput } from './messages';

/** The side effect of a low-balance notice. */
export interface LowBalanceActivities {
  /** Claims the notice of the reference and emails the owner once. */
  sendLowBalanceNotice(input: LowBalanceNoticeInput): Promise<'sent' | 'already-sent' | 'not-due'>;
}
