/**
 * One low-balance notice (seed 001) as a tiny workflow, id {@link lowBalanceWorkflowId} (messages.ts):
 * the id makes a second start for the same reference a no-op, and the activity retries until the email is out.
 */
import { proxyActivities } from '@temporalio/workflow';
import { sideEffects } from '../shared/activity-options';
import type { LowBalanceActivities } from './activity-types';
import type { LowBalanceNoticeInput } from './messages';

const { sendLowBalanceNotice } = proxyActivities<LowBalanceActivities>(sideEffects());

/** Sends the notice once. */
export async function lowBalanceNotice(input: LowBalanceNoticeInput): Promise<'sent' | 'already-sent' | 'not-due'> {
  return sendLowBalanceNotice(input);
}
