/**
 * Opening a payment exception from the API (a callback for an order that no longer runs, a bank-statement line):
 * its read-model row first (so the queue shows it at once, and a crash before the start still leaves it in
 * front of finance, where any action on it starts its workflow), then its workflow, under the payment's id.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { recordException } from '../../db/reconciliation/exceptions';
import { exceptionSummary, newExceptionView, paymentExceptionWorkflowId, type PaymentExceptionInput } from '../../workflows/definitions';
import { startWorkflow } from '../shared/start-workflow';

/** What opening an exception needs. */
export interface OpenExceptionDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  now: () => Date;
}

/** Starts the exception's workflow unless the payment has one (running or ended); true when this call started it. */
export async function startExceptionWorkflow(deps: OpenExceptionDeps, input: PaymentExceptionInput): Promise<boolean> {
  try {
    await startWorkflow(deps.temporal, 'paymentException', {
      taskQueue: deps.taskQueue,
      workflowId: paymentExceptionWorkflowId(input.payment.paymentId),
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [input],
      staticSummary: exceptionSummary(input),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Records the exception (a row already there, of any revision, stays) and starts its workflow. Idempotent. */
export async function openPaymentException(deps: OpenExceptionDeps, input: PaymentExceptionInput): Promise<void> {
  await recordException(deps.pool, newExceptionView(input, deps.now().toISOString()));
  await startExceptionWorkflow(deps, input);
}
