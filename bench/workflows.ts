/**
 * Bench-only workflows, bundled for the bench worker alone (never registered by the top-up worker): the
 * smallest workflows Temporal can run, whose rate is the ceiling the top-up path is compared with.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities';

const { noopActivity } = proxyActivities<typeof activities>({ startToCloseTimeout: '30s' });

/** Start → complete: one workflow task, nothing else. */
export async function noopWorkflow(): Promise<void> {}

/** Start → one activity that does nothing → complete. */
export async function oneActivityWorkflow(): Promise<void> {
  await noopActivity();
}
