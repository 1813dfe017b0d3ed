/**
 * One bank-transfer top-up order as one durable workflow (`topup-<orderNumber>`), DOMAIN.md "Bank transfer":
 * Unpaid → (slip) Dealing → (approve) Paid | (reject, or no decision in the review window) Payment Failure →
 * (edit) Dealing …; Unpaid closes after 120 h; Payment Failure is final after 120 h untouched; Unpaid and
 * Payment Failure can be deleted. Handlers change state synchronously (so validators of later messages see
 * it at once) and then run their side effects as activities; the main loop only runs the timers.
 */
import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index';
import { bankTransferAmountViolation } from './amount-rules';
import { READ_MODEL_WRITE } from '../shared/activity-options';
import {
  approveUpdate,
  billingWorkflowId,
  choosePaymentMethodUpdate,
  depositCreditedSignal,
  deleteOrderUpdate,
  editOrderUpdate,
  getOrderQuery,
  rejectUpdate,
  SA_ACCOUNT_ID,
  SA_ORDER_NUMBER,
  SA_ORDER_STATUS,
  SA_PAYMENT_METHOD,
  SA_STATUS_CHANGED_AT,
  SA_WALLET,
  submitSlipUpdate,
  type OrderChange,
  type OrderStatus,
  type OrderView,
  type TopupOrderInput,
} from '../definitions';
import { formatRupiah } from '../shared/rupiah';
import { durationMs } from '../shared/policy';
import { workflowNow } from '../shared/workflow-clock';
import { invalid, refuse } from '../shared/refusals';
import { newBankTransferOrder } from './order-view';

const { recordOrder } = proxyActivities<Activities>(READ_MODEL_WRITE);
const { creditTopup, issueReceipt, sendOrderEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  // Side effects are idempotent, so retrying until the database or the mail server is back is always safe.
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['InvalidInput', 'IdempotencyConflictError'] },
});

const HOUR_MS = 3_600_000;
/** Patch: a step's independent side effects (read model, receipt, email) are scheduled together. */
const TOGETHER = 'side-effects-together';
const MAX_NOTE_LENGTH = 500;

function requireNote(field: string, text: string | undefined, required: boolean): void {
  if (text === undefined || text.trim() === '') {
    if (required) invalid(field, 'is required');
    return;
  }
  if (text.length > MAX_NOTE_LENGTH) invalid(field, `must be at most ${MAX_NOTE_LENGTH} characters`);
}

/** Tells a subscription's billing that the deposit now holds the money for its unpaid invoice. */
async function tellBillingDepositCredited(subscriptionId: string, orderNumber: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(billingWorkflowId(subscriptionId)).signal(depositCreditedSignal, { orderNumber });
  } catch (err) {
    // A cancelled subscription has no billing to tell; the money stays in the deposit.
    log.warn('billing workflow not signalled', { subscriptionId, error: String(err) });
  }
}

/** The bank-transfer top-up order. */
export async function topupOrder(input: TopupOrderInput): Promise<OrderView> {
  const { policy } = input;
  const startedAt = workflowNow().getTime();
  const order: OrderView = newBankTransferOrder(input, new Date(startedAt + durationMs(policy.unsubmittedCloseAfter)).toISOString());
  /** Emails still being sent after their message was answered; the workflow ends only once they are out. */
  const backgroundEmails: Promise<unknown>[] = [];

  /**
   * A caller (a customer uploading a slip, finance deciding) is answered once the state is recorded, not once
   * the mail server took the email: with SMTP down, the email retries in the background instead of holding
   * the HTTP request. Histories recorded before this change keep waiting, as they did.
   */
  async function emailAfterReply(sending: Promise<unknown>): Promise<void> {
    if (!patched('email-after-reply')) {
      await sending;
      return;
    }
    backgroundEmails.push(sending.catch((err: unknown) => log.error('order email failed for good', { orderNumber: order.orderNumber, error: String(err) })));
  }

  /**
   * Records a new status and sends its email. The email activity is scheduled with the read-model write, in the
   * same workflow task, rather than after it: one workflow task less per step (bench/e2e.ts). The caller is
   * still answered once the state is recorded. Histories from before (no TOGETHER marker) replay in sequence.
   */
  async function recordThenEmail(view: OrderView, event: 'submitted' | 'failed', change: OrderChange): Promise<void> {
    if (!patched(TOGETHER)) {
      await recordOrder(view, change);
      await emailAfterReply(sendOrderEmail({ event, order: view }));
      return;
    }
    await Promise.all([recordOrder(view, change), emailAfterReply(sendOrderEmail({ event, order: view }))]);
  }

  /** The details a slip's log entry carries: which file, and the uploaded original's identity. */
  const slipDetails = (slip: NonNullable<OrderView['slip']>) => ({ slipId: slip.fileId, sha256: slip.sha256, size: slip.size, contentType: slip.contentType, ...(slip.original ? { original: slip.original } : {}) });

  /** An approval under way (crediting the wallet): later messages see it before the status changes. */
  let approving = false;

  // A copy, so an activity's input and a query's answer never alias the state that later changes.
  const snapshot = (): OrderView => JSON.parse(JSON.stringify(order)) as OrderView;

  function describe(): void {
    const money = formatRupiah(order.amount);
    const due = order.deadline ? `, deadline ${order.deadline}` : '';
    setCurrentDetails(`**${order.status}**: ${order.wallet} top-up of ${money}${due}${order.final ? ' (final)' : ''}`);
  }

  /** Every change: a new revision, the UI details; on a new status, the search attributes too. */
  function changed(status?: OrderStatus): void {
    order.revision += 1;
    if (status && status !== order.status) {
      log.info('order status changed', { from: order.status, to: status, orderNumber: order.orderNumber });
      order.status = status;
      upsertSearchAttributes([
        { key: SA_ORDER_STATUS, value: status },
        { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
      ]);
    }
    describe();
  }

  function deadlineIn(duration: string): string {
    return new Date(workflowNow().getTime() + durationMs(duration)).toISOString();
  }

  function enterDealing(): void {
    order.submissions += 1;
    order.submittedAt = workflowNow().toISOString();
    order.deadline = deadlineIn(policy.reviewWindow);
    order.failure = null;
    order.checkResult = null;
    changed('Dealing');
  }

  function enterPaymentFailure(failure: NonNullable<OrderView['failure']>): void {
    order.failure = failure;
    order.checkResult = failure.kind === 'rejected' ? failure.reason : null;
    order.deadline = deadlineIn(policy.paymentFailureFinalAfter);
    changed('Payment Failure');
  }

  const editable = () => order.status === 'Unpaid' || (order.status === 'Payment Failure' && !order.final);

  setHandler(getOrderQuery, snapshot);

  setHandler(
    choosePaymentMethodUpdate,
    async ({ paymentMethod, by }) => {
      if (order.paymentMethod !== paymentMethod) {
        order.paymentMethod = paymentMethod;
        upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: paymentMethod }]);
        changed();
        await recordOrder(snapshot(), { action: 'order.choose_payment_method', by, details: { paymentMethod } });
      }
      return snapshot();
    },
    {
      validator: ({ paymentMethod }) => {
        if (order.status !== 'Unpaid') refuse(`the payment method cannot change while the order is ${order.status}`);
        if (paymentMethod !== 'bank_transfer') invalid('paymentMethod', 'this order is paid by bank transfer; online methods start an online top-up');
      },
    },
  );

  setHandler(
    submitSlipUpdate,
    async ({ slip, by }) => {
      order.slip = slip;
      if (order.paymentMethod !== 'bank_transfer') {
        order.paymentMethod = 'bank_transfer';
        upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: 'bank_transfer' }]);
      }
      enterDealing();
      const view = snapshot();
      await recordThenEmail(view, 'submitted', { action: 'order.submit_slip', by, details: slipDetails(slip) });
      return view;
    },
    {
      validator: (_message) => {
        if (order.status !== 'Unpaid') refuse(`a slip cannot be submitted while the order is ${order.status}`);
      },
    },
  );

  setHandler(
    editOrderUpdate,
    async ({ amount, slip, by }) => {
      // The same amount again on an Unpaid order (a repeated edit) changes nothing, so nothing is recorded.
      if (order.status === 'Unpaid' && amount === order.amount && !slip && patched('unchanged-edit-is-no-change')) return snapshot();
      if (amount !== undefined) order.amount = amount;
      if (slip) order.slip = slip;
      // After a Payment Failure, an edit resubmits: a new review window, and no email until finance decides.
      if (order.status === 'Payment Failure') enterDealing();
      else changed();
      const view = snapshot();
      const details = { ...(amount === undefined ? {} : { amount }), ...(slip ? slipDetails(slip) : {}) };
      await recordOrder(view, { action: slip ? 'order.resubmit_slip' : 'order.edit', by, details });
      return view;
    },
    {
      validator: ({ amount, slip }) => {
        if (!editable()) refuse(order.final ? 'the order is final: it was left in Payment Failure too long to edit' : `the order cannot be edited while it is ${order.status}`);
        if (amount === undefined && !slip) invalid('amount', 'give a new amount, a new slip, or both');
        if (input.settles && amount !== undefined && amount !== order.amount) invalid('amount', `is the amount of invoice ${input.settles.invoiceId} and cannot change`);
        if (amount !== undefined && !input.settles) {
          const violation = bankTransferAmountViolation(order.wallet, amount, policy);
          if (violation) invalid(violation.field, violation.rule);
        }
        if (order.status === 'Unpaid' && slip) invalid('slip', 'submit the first slip with the order, not as an edit');
      },
    },
  );

  setHandler(
    approveUpdate,
    async ({ checkResult, by }) => {
      // The same approval again (a retry, a double click) waits for the first and answers like it.
      if (approving || order.status === 'Paid') {
        await condition(() => order.status === 'Paid');
        return snapshot();
      }
      approving = true;
      let credit: Awaited<ReturnType<typeof creditTopup>>;
      try {
        credit = await creditTopup({ orderNumber: order.orderNumber, accountId: order.accountId, wallet: order.wallet, amount: order.amount });
      } catch (err) {
        // The ledger refused for good (it retries everything else): the order stays Dealing for finance.
        approving = false;
        throw err;
      }
      order.checkResult = checkResult?.trim() || null;
      order.paid = {
        settled: credit.settled,
        added: credit.added,
        balanceAfter: credit.balanceAfter.current,
        paidAt: workflowNow().toISOString(),
        approvedBy: by,
      };
      order.deadline = null;
      changed('Paid');
      const view = snapshot();
      const approval: OrderChange = { action: 'order.approve', by, details: { checkResult: order.checkResult } };
      if (patched(TOGETHER)) await Promise.all([recordOrder(view, approval), issueReceipt(view)]);
      else {
        await recordOrder(view, approval);
        await issueReceipt(view);
      }
      await emailAfterReply(sendOrderEmail({ event: 'paid', order: view }));
      if (input.settles && patched('invoice-settlement')) await tellBillingDepositCredited(input.settles.subscriptionId, order.orderNumber);
      return view;
    },
    {
      validator: ({ checkResult }) => {
        if (approving || order.status === 'Paid') return;
        if (order.status !== 'Dealing') refuse(`only a Dealing order can be approved; this one is ${order.status}`);
        requireNote('checkResult', checkResult, false);
      },
    },
  );

  setHandler(
    rejectUpdate,
    async ({ reason, by }) => {
      if (order.status === 'Payment Failure' && order.failure?.kind === 'rejected' && order.failure.reason === reason.trim()) return snapshot();
      enterPaymentFailure({ kind: 'rejected', reason: reason.trim(), by });
      const view = snapshot();
      await recordThenEmail(view, 'failed', { action: 'order.reject', by, details: { reason: reason.trim() } });
      return view;
    },
    {
      validator: ({ reason }) => {
        requireNote('reason', reason, true);
        const repeated = order.status === 'Payment Failure' && order.failure?.kind === 'rejected' && order.failure.reason === reason.trim();
        if (repeated) return;
        if (approving) refuse('the order is being approved');
        if (order.status !== 'Dealing') refuse(`only a Dealing order can be rejected; this one is ${order.status}`);
      },
    },
  );

  setHandler(
    deleteOrderUpdate,
    async ({ by }) => {
      if (order.status !== 'Deleted') {
        order.deadline = null;
        changed('Deleted');
        await recordOrder(snapshot(), { action: 'order.delete', by });
      }
      return snapshot();
    },
    {
      validator: (_message) => {
        if (order.status === 'Deleted') return;
        if (!editable()) refuse(order.final ? 'the order is final and can no longer be deleted' : `an order cannot be deleted while it is ${order.status}`);
      },
    },
  );

  upsertSearchAttributes([
    { key: SA_ACCOUNT_ID, value: input.accountId },
    { key: SA_ORDER_NUMBER, value: input.orderNumber },
    { key: SA_WALLET, value: input.wallet },
    { key: SA_ORDER_STATUS, value: order.status },
    { key: SA_PAYMENT_METHOD, value: 'none' },
    { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
  ]);
  describe();
  await recordOrder(snapshot());

  /** Waits until `done()` or the order's deadline; true when `done()` came first. */
  async function untilDeadline(done: () => boolean): Promise<boolean> {
    const left = Date.parse(order.deadline!) - workflowNow().getTime();
    if (done()) return true;
    if (left <= 0) return false;
    return condition(done, left);
  }

  for (;;) {
    const status = order.status;
    const deadline = order.deadline;
    if (status === 'Unpaid') {
      if (!(await untilDeadline(() => order.status !== 'Unpaid'))) {
        order.deadline = null;
        changed('Closed');
        await recordOrder(snapshot());
      }
    } else if (status === 'Dealing') {
      // A new submission (an edit) moves the deadline; approval under way holds the timer.
      const decided = await untilDeadline(() => order.status !== 'Dealing' || approving || order.deadline !== deadline);
      if (!decided) {
        enterPaymentFailure({ kind: 'review-window-expired', windowHours: durationMs(policy.reviewWindow) / HOUR_MS });
        const view = snapshot();
        await recordOrder(view);
        await sendOrderEmail({ event: 'failed', order: view });
      } else if (approving) {
        await condition(() => order.status !== 'Dealing');
      }
    } else if (status === 'Payment Failure' && !order.final) {
      if (!(await untilDeadline(() => order.status !== 'Payment Failure' || order.deadline !== deadline))) {
        order.final = true;
        order.deadline = null;
        changed();
        await recordOrder(snapshot());
      }
    } else {
      break;
    }
  }
  await condition(allHandlersFinished);
  await Promise.all(backgroundEmails);
  return snapshot();
}
