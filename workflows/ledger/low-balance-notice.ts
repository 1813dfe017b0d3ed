/**
 * One low-balance notice (seed 001) as a tiny workflow, id {@link lowBalanceWorkflowId} (definitions.ts):
 * the id makes a second start for the same reference a no-op, and the activity retries until the email is out.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index';
import type { LowBalanceNoticeInput } from '../definitions';

const { sendLowBalanceNotice } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});

/** Sends the notice once. */
export async function lowBalanceNotice(input: LowBalanceNoticeInput): Promise<'sent' | 'already-sent' | 'not-due'> {
  return sendLowBalanceNotice(input);
}
