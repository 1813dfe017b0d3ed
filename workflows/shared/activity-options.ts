/**
 * How the order workflows call their read-model write. Readers are shown the read model (GET /v1/orders/{n}),
 * so it must catch up quickly after a crash: an attempt lost with a killed worker is retried only once its
 * start-to-close timeout passes, and a write is one statement taking milliseconds, so 10 s, not the minute the
 * other side effects (ledger, PDF, email) get.
 */
import type { ActivityOptions } from '@temporalio/workflow';

export const READ_MODEL_WRITE: ActivityOptions = {
  startToCloseTimeout: '10s',
  // Idempotent (the highest revision wins), so retrying until the database is back is always safe.
  retry: { initialInterval: '1s', maximumInterval: '10s', nonRetryableErrorTypes: ['InvalidInput'] },
};
