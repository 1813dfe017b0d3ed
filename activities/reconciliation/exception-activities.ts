/**
 * The side effects of a payment exception: its read-model row and operation-log entries, the order number and
 * owner of the top-up order that credits its money, the gateway refund, and finance's daily reminder. Each is
 * idempotent: the row by revision, the log by (exception, revision), the refund by its reference (claimed in
 * `refunds`, the gateway's Idempotency-Key), each reminder email by exception, reminder and recipient.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { findAccount } from '../../db/accounts/accounts';
import { allocateOrderNumber } from '../../db/orders/order-numbers';
import { accountOwnerId, financeRecipients } from '../../db/reconciliation/recipients';
import { recordException } from '../../db/reconciliation/exceptions';
import { claimRefund, dropRefusedRefund, markRefundRequested } from '../../db/reconciliation/refunds';
import {
  exceptionSummary,
  isSupportedCurrency,
  newExceptionView,
  PAYMENT_PROVIDER_REJECTED,
  paymentExceptionWorkflowId,
  WORKFLOW_NAMES,
  type PaymentExceptionInput,
  type PaymentExceptionView,
  type ReconciliationActivities,
  type TopupPolicy,
  type WorkflowFunctions,
} from '../../workflows/definitions';
import type { PaymentProvider } from '../online/payment-provider';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { publishEvent } from '../webhooks/publish';
import { exceptionReminderEmail } from './exception-reminder-email';

/** What the exception activities need. */
export interface ReconciliationActivityDeps {
  pool: Pool;
  /** Starts exceptions' workflows, on `taskQueue`. */
  temporal: Client;
  taskQueue: string;
  gateway: PaymentProvider;
  providerName: string;
  /** Where the console is: the reminder links to the queue. */
  publicUrl: string;
  /** The deployment's policy, for the webhook delivery workflows a published event wakes. */
  policy: TopupPolicy;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/**
 * Tells the account the payment names (when it names one) that its money is in front of finance: the
 * `payment.exception_opened` webhook event, published once per exception (its source key), whichever write of the
 * exception's row gets there first.
 */
async function publishOpened(deps: ReconciliationActivityDeps, view: PaymentExceptionView): Promise<void> {
  const accountId = view.suggestion.accountId;
  if (!accountId) return;
  const { exceptionId, reason, difference, openedAt, payment } = view;
  const exception = { exceptionId, reason, difference, openedAt, amount: payment.amount, currency: payment.currency, receivedAt: payment.receivedAt, orderNumber: payment.orderNumber ?? view.suggestion.orderNumber };
  await publishEvent(deps.pool, deps.policy, { sourceKey: `payment.exception_opened:${exceptionId}`, accountId, type: 'payment.exception_opened', data: { exception } });
}

function invalidInput(field: string, rule: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'InvalidInput', message: `${field}: ${rule}`, details: [{ field, rule }], nonRetryable: true });
}

/** Builds the exception activities. */
export function createReconciliationActivities(deps: ReconciliationActivityDeps) {
  return {
    async openPaymentException(input) {
      await recordException(deps.pool, newExceptionView(input, new Date().toISOString()));
      try {
        await deps.temporal.workflow.start<WorkflowFunctions['paymentException']>(WORKFLOW_NAMES.paymentException, {
          taskQueue: deps.taskQueue,
          workflowId: paymentExceptionWorkflowId(input.payment.paymentId),
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          args: [input satisfies PaymentExceptionInput],
          staticSummary: exceptionSummary(input),
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },

    async recordPaymentException(view, change) {
      await recordException(deps.pool, view, change);
      await publishOpened(deps, view);
    },

    async prepareCreditOrder({ accountId, at }) {
      const account = await findAccount(deps.pool, accountId);
      if (!account) throw invalidInput('accountId', `no account "${accountId}"`);
      if (!isSupportedCurrency(account.currency)) throw invalidInput('accountId', `the account's currency ${String(account.currency)} is not handled`);
      const createdBy = await accountOwnerId(deps.pool, accountId);
      if (!createdBy) throw invalidInput('accountId', `account "${accountId}" has no owner to send the receipt to`);
      return { orderNumber: await allocateOrderNumber(deps.pool, new Date(at)), createdBy, currency: account.currency };
    },

    async requestGatewayRefund(request) {
      const { reference, payment, amount, reason, by, workflowId } = request;
      await claimRefund(deps.pool, { reference, paymentId: payment.paymentId, amount, reason, requestedBy: by, workflowId });
      try {
        const { refundId } = await deps.gateway.refund({
          reference,
          merchantRef: payment.orderNumber ?? payment.reference.slice(0, 200),
          providerRef: payment.source === 'gateway' ? payment.providerRef : null,
          destination: payment.source === 'bank_statement' ? { name: payment.payer ?? 'the payer', account: payment.statement ? `statement ${payment.statement.fileName} line ${payment.statement.line}` : payment.reference.slice(0, 100) } : null,
          amount,
          reason,
        });
        await markRefundRequested(deps.pool, reference, refundId);
        return { gatewayRefundId: refundId };
      } catch (err) {
        // A refusal for good leaves no money on its way out; anything else is retried under the same reference.
        if (err instanceof ApplicationFailure && err.type === PAYMENT_PROVIDER_REJECTED) await dropRefusedRefund(deps.pool, reference);
        throw err;
      }
    },

    async sendExceptionReminder({ exception, reminder }) {
      const email = exceptionReminderEmail({ exception, reminder, providerName: deps.providerName, consoleUrl: deps.publicUrl });
      const recipients = await financeRecipients(deps.pool);
      for (const r of recipients) {
        await deps.sendEmail({ idempotencyKey: `exception:${exception.exceptionId}:reminder:${reminder}:${r.userId}`, to: r.email, ...email });
      }
      return { sent: recipients.length };
    },
  } satisfies ReconciliationActivities;
}
