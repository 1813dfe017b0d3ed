/**
 * How the workflows call their activities. Every side effect is idempotent (a ledger key, an outbox key, an
 * upsert by revision), so each is retried until the database, the mail server or the gateway is back; only a
 * refusal that a retry cannot change stops it.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/**
 * The read-model write. Readers are shown the read model (GET /v1/orders/{n}), so it must catch up quickly after
 * a crash: an attempt lost with a killed worker is retried only once its start-to-close timeout passes, and a
 * write is one statement taking milliseconds, so 10 s, not the minute the other side effects get.
 */
export const READ_MODEL_WRITE: ActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: ['InvalidInput'] },
};

/** The other side effects (ledger, PDF, email, gateway), with the refusal types of `refusals` beside the common ones. */
export function sideEffects(...refusals: string[]): ActivityOptions {
  return {
    startToCloseTimeout: '1m',
    retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['InvalidInput', 'IdempotencyConflictError', ...refusals] },
  };
}

/**
 * A read-model write folded with the PDF of the same step (the paid step's receipt or paid invoice): one activity
 * that writes first and renders after. The write is not delayed: it runs at the start of every attempt, and an
 * attempt lost with a killed worker is noticed by the 10 s heartbeat timeout (the activity heartbeats while it runs,
 * activities/shared/with-heartbeats.ts) as READ_MODEL_WRITE's 10 s start-to-close would, while a slow render still
 * has the side effects' minute. A failing PDF retries with the side effects' policy, as it did on its own; each retry
 * writes the read model again, which its upsert by revision makes a no-op.
 */
export const READ_MODEL_WRITE_WITH_DOCUMENT: ActivityOptions = { ...sideEffects(), heartbeatTimeout: '10s' };
