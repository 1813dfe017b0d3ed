/**
 * A timer the workflow never cancels: `fired()` turns true after `ms`; whoever stops waiting for it earlier just
 * lets it fire unheeded (one empty workflow task). Code that races a timer against something else waits with
 * these rather than with `condition(…, timeout)`, whose timer is cancelled when the condition comes first: the
 * time-skipping test server strands a run whose workflow task cancels a timer that fired while the task was with
 * the worker (temporalio/sdk-java#3088), and an online confirm's wait, a gateway retry's backoff and the give-up
 * time all race the gateway.
 */
import { CancellationScope, sleep } from '@temporalio/workflow';

/** A timer that is never cancelled. */
export interface UncancelledTimer {
  fired: () => boolean;
}

/** Starts a timer of `ms` (at least 1 ms) that is never cancelled. */
export function uncancelledTimer(ms: number): UncancelledTimer {
  let fired = false;
  void CancellationScope.nonCancellable(() => sleep(Math.max(1, ms))).then(() => {
    fired = true;
  });
  return { fired: () => fired };
}
