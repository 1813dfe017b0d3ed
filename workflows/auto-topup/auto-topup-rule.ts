/**
 * A wallet's automatic top-up rule (issue 20) as one long-running workflow, `auto-topup-<account>-<wallet>`: it waits
 * to be woken (a usage charge took the wallet below its threshold, the rule was saved), then checks the wallet once;
 * a check that decides to charge runs to its end (charged and credited, or failed) before the next check, so at most
 * one automatic top-up is in flight per wallet, however many charges crossed the threshold meanwhile. Every attempt
 * and every stop is recorded, emailed and published by the activities. Continues as new when its history grows.
 */
import { condition, continueAsNew, proxyActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { workflowNow } from '../shared/workflow-clock';
import type { AutoTopupActivities } from './activity-types';
import { autoTopupCheckSignal, type AutoTopupRuleInput } from './messages';

/** Past this many events the run continues as new while it waits. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;

const { evaluateAutoTopup, completeAutoTopup, failAutoTopup } = proxyActivities<AutoTopupActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['InvalidInput', 'IdempotencyConflictError'] },
});
/** The gateway is asked until it answers: a charge in flight stays the one in flight (and visible) while it is away. */
const { chargeAutoTopup } = proxyActivities<AutoTopupActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '5s', maximumInterval: '5m' } });

/** Runs the rule until its workflow is terminated (a rule that is off just waits). */
export async function autoTopupRule(input: AutoTopupRuleInput): Promise<void> {
  const { accountId, wallet, policy } = input;
  // A new run checks once: a wake-up may have come while the last one continued as new.
  let checkDue = true;
  let checks = 0;
  setHandler(autoTopupCheckSignal, () => {
    checkDue = true;
  });
  for (;;) {
    if (!checkDue) {
      const info = workflowInfo();
      if (info.continueAsNewSuggested || info.historyLength > HISTORY_EVENTS_BEFORE_CONTINUE) return continueAsNew<typeof autoTopupRule>(input);
      await condition(() => checkDue);
    }
    checkDue = false;
    checks += 1;
    const { workflowId, runId } = workflowInfo();
    const decision = await evaluateAutoTopup({ accountId, wallet, evaluationKey: `${workflowId}/${runId}/${checks}`, at: workflowNow().toISOString(), policy });
    if (decision.kind !== 'charge') {
      setCurrentDetails(decision.kind === 'idle' ? `Waiting: ${decision.reason}` : `Stopped: ${decision.reason}`);
      continue;
    }
    setCurrentDetails(`Charging the saved card: attempt ${decision.attemptId}`);
    const charged = await chargeAutoTopup({ attemptId: decision.attemptId });
    if (charged.result === 'succeeded') {
      await completeAutoTopup({ attemptId: decision.attemptId, chargeRef: charged.chargeRef });
      setCurrentDetails(`Topped up: attempt ${decision.attemptId}`);
    } else {
      const outcome = charged.result === 'declined' ? 'declined' : 'charge_refused';
      const { paused } = await failAutoTopup({ attemptId: decision.attemptId, outcome, reason: charged.reason, pauseAfter: policy.autoTopupPauseAfterFailures });
      setCurrentDetails(paused ? `Paused after ${policy.autoTopupPauseAfterFailures} failed charges in a row` : `Charge failed: ${charged.reason}`);
    }
  }
}
