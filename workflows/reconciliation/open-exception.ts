/**
 * Opening a payment exception from inside an order workflow: an activity records it and starts its workflow under
 * the payment's id (so the same payment never opens two, and the exception lives on its own, not as the order's
 * child: it outlives the order by days). Workflow code only.
 */
import { proxyActivities } from '@temporalio/workflow';
import { sideEffects } from '../shared/activity-options';
import type { ReconciliationActivities } from './activity-types';
import type { PaymentExceptionInput } from './messages';

const { openPaymentException } = proxyActivities<ReconciliationActivities>(sideEffects());

/** Opens the payment's exception (idempotent: a payment that has one already opens nothing more). */
export async function openExceptionFromWorkflow(input: PaymentExceptionInput): Promise<void> {
  await openPaymentException(input);
}
