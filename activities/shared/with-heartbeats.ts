/**
 * Heartbeats for an activity whose heartbeat timeout is shorter than its work may take (READ_MODEL_WRITE_WITH_DOCUMENT):
 * a worker killed mid-attempt is noticed within that timeout, a live one may run on.
 */
import { Context } from '@temporalio/activity';

/** How often a running activity says it is alive: well inside a 10 s heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 3_000;

/** Runs `work` inside the current activity, heartbeating while it runs; work done within 3 s sends no heartbeat at all. */
export async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const beating = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(beating);
  }
}
