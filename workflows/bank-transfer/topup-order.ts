/**
 * One bank-transfer top-up order as one durable workflow (`topup-<orderNumber>`), DOMAIN.md "Bank transfer":
 * Unpaid → (slip) Dealing → (approve) Paid | (reject, or no decision in the review window) Payment Failure →
 * (edit) Dealing …; Unpaid closes after 120 h; Payment Failure is final after 120 h untouched; Unpaid and
 * Payment Failure can be deleted. Which message or timer leads where is the rules' (transitions.ts). Handlers
 * change state synchronously (so validators of later messages see it at once) and then run their side effects
 * as activities; the main loop only runs the timers.
 */
import {
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { tellBillingDepositCredited } from '../billing/tell-billing';
import type { Actor, OrderChange } from '../orders/order-change';
import { SA_ACCOUNT_ID, SA_ORDER_NUMBER, SA_ORDER_STATUS, SA_PAYMENT_METHOD, SA_STATUS_CHANGED_AT, SA_WALLET } from '../orders/search-attributes';
import type { OrderStatus } from '../orders/statuses';
import { READ_MODEL_WRITE, sideEffects } from '../shared/activity-options';
import { statusName } from '../shared/names';
import { durationMs, type PaymentMethod } from '../shared/policy';
import { invalid, refuse } from '../shared/refusals';
import { formatRupiah } from '../shared/rupiah';
import { workflowNow } from '../shared/workflow-clock';
import type { BankTransferActivities, OrderEmailEvent } from './activity-types';
import { bankTransferAmountViolation } from './amount-rules';
import {
  approveUpdate,
  choosePaymentMethodUpdate,
  deleteOrderUpdate,
  editOrderUpdate,
  getOrderQuery,
  rejectUpdate,
  submitSlipUpdate,
  type FailureCause,
  type OrderView,
  type PaidOutcome,
  type SlipRef,
  type TopupOrderInput,
} from './messages';
import { newBankTransferOrder } from './order-view';
import { bankTransferTransition, type BankTransferEvent } from './transitions';

const { recordOrder } = proxyActivities<BankTransferActivities>(READ_MODEL_WRITE);
const { creditTopup, payInvoiceWithOrder, issueReceipt, sendOrderEmail } = proxyActivities<BankTransferActivities>(sideEffects());

const HOUR_MS = 3_600_000;
const MAX_NOTE_LENGTH = 500;

/** The bank-transfer top-up order. */
export async function topupOrder(input: TopupOrderInput): Promise<OrderView> {
  const order = new BankTransferOrder(input);
  order.listen();
  await order.open();
  await order.runTimers();
  return order.close();
}

/** A note finance writes (the check result, a rejection reason): at most 500 characters, required where asked. */
function requireNote(field: string, text: string | undefined, required: boolean): void {
  if (text === undefined || text.trim() === '') {
    if (required) invalid(field, 'is required');
    return;
  }
  if (text.length > MAX_NOTE_LENGTH) invalid(field, `must be at most ${MAX_NOTE_LENGTH} characters`);
}

/** The details a slip's log entry carries: which file, and the uploaded original's identity. */
function slipDetails(slip: SlipRef): Record<string, unknown> {
  return { slipId: slip.fileId, sha256: slip.sha256, size: slip.size, contentType: slip.contentType, ...(slip.original ? { original: slip.original } : {}) };
}

/** The order's state, its message handlers and its timers. */
class BankTransferOrder {
  private readonly order: OrderView;
  /** An approval under way (crediting the wallet): later messages see it before the status changes. */
  private approving = false;
  /** Emails still being sent after their message was answered; the workflow ends only once they are out. */
  private readonly backgroundEmails: Promise<unknown>[] = [];

  constructor(private readonly input: TopupOrderInput) {
    this.order = newBankTransferOrder(input, this.deadlineIn(input.policy.unsubmittedCloseAfter));
  }

  /** Registers the query and the updates, each validated by the rules before it is accepted. */
  listen(): void {
    setHandler(getOrderQuery, () => this.snapshot());
    setHandler(choosePaymentMethodUpdate, (m) => this.choosePaymentMethod(m), { validator: (m) => this.validatePaymentMethod(m.paymentMethod) });
    setHandler(submitSlipUpdate, (m) => this.submitSlip(m), { validator: (_m) => this.allow('submitSlip') });
    setHandler(editOrderUpdate, (m) => this.edit(m), { validator: (m) => this.validateEdit(m) });
    setHandler(approveUpdate, (m) => this.approve(m), { validator: (m) => this.validateApproval(m.checkResult) });
    setHandler(rejectUpdate, (m) => this.reject(m), { validator: (m) => this.validateRejection(m.reason) });
    setHandler(deleteOrderUpdate, (m) => this.delete(m), { validator: (_m) => this.allow('delete') });
  }

  /** The first state: search attributes for ops, and the Unpaid row in the read model. */
  async open(): Promise<void> {
    upsertSearchAttributes([
      { key: SA_ACCOUNT_ID, value: this.input.accountId },
      { key: SA_ORDER_NUMBER, value: this.input.orderNumber },
      { key: SA_WALLET, value: this.input.wallet },
      { key: SA_ORDER_STATUS, value: this.order.status },
      { key: SA_PAYMENT_METHOD, value: 'none' },
      { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
    ]);
    this.describe();
    await recordOrder(this.snapshot());
  }

  /** Runs the timer of each waiting status until the order reaches one that waits for nothing. */
  async runTimers(): Promise<void> {
    for (;;) {
      const { status, final } = this.order;
      if (status === 'unpaid') await this.closeWhenUnsubmitted();
      else if (status === 'dealing') await this.failWhenUndecided();
      else if (status === 'payment_failure' && !final) await this.finaliseWhenUntouched();
      else return;
    }
  }

  /** Waits for the handlers still running and the emails still going out; answers the final view. */
  async close(): Promise<OrderView> {
    await condition(allHandlersFinished);
    await Promise.all(this.backgroundEmails);
    return this.snapshot();
  }

  // ——— The rules ———

  /** Where `event` leads from the current state, or why it is refused. */
  private transition(event: BankTransferEvent) {
    return bankTransferTransition({ status: this.order.status, final: this.order.final, approving: this.approving }, event);
  }

  /** A validator: refuses `event` with the rules' reason unless they allow it. */
  private allow(event: BankTransferEvent): void {
    const next = this.transition(event);
    if ('refused' in next) refuse(next.refused);
  }

  /** The status `event` leads to; the validators refused what the rules refuse, so a refusal here is a bug. */
  private next(event: BankTransferEvent): OrderStatus {
    const next = this.transition(event);
    if ('refused' in next) throw new Error(`the bank-transfer rules refuse ${event} of order ${this.order.orderNumber}: ${next.refused}`);
    return next.to;
  }

  // ——— Messages ———

  private validatePaymentMethod(paymentMethod: PaymentMethod): void {
    this.allow('choosePaymentMethod');
    if (paymentMethod !== 'bank_transfer') invalid('paymentMethod', 'this order is paid by bank transfer; online methods start an online top-up');
  }

  /** "Transfer Remittance": recorded once; choosing it again changes nothing. */
  private async choosePaymentMethod({ paymentMethod, by }: Actor & { paymentMethod: PaymentMethod }): Promise<OrderView> {
    if (this.order.paymentMethod !== paymentMethod) {
      this.setPaymentMethod(paymentMethod);
      this.changed(this.next('choosePaymentMethod'));
      await recordOrder(this.snapshot(), { action: 'order.choose_payment_method', by, details: { paymentMethod } });
    }
    return this.snapshot();
  }

  /** The first slip: Dealing, with a review window, and an email confirming receipt. */
  private async submitSlip({ slip, by }: Actor & { slip: SlipRef }): Promise<OrderView> {
    this.order.slip = slip;
    this.setPaymentMethod('bank_transfer');
    this.enterDealing(this.next('submitSlip'));
    const view = this.snapshot();
    await this.recordThenEmail(view, 'submitted', { action: 'order.submit_slip', by, details: slipDetails(slip) });
    return view;
  }

  private validateEdit({ amount, slip }: { amount?: number; slip?: SlipRef }): void {
    this.allow('edit');
    const { settles, policy } = this.input;
    if (amount === undefined && !slip) invalid('amount', 'give a new amount, a new slip, or both');
    if (settles && amount !== undefined && amount !== this.order.amount) invalid('amount', `is the amount of invoice ${settles.invoiceId} and cannot change`);
    if (amount !== undefined && !settles) {
      const violation = bankTransferAmountViolation(this.order.wallet, amount, policy);
      if (violation) invalid(violation.field, violation.rule);
    }
    if (this.order.status === 'unpaid' && slip) invalid('slip', 'submit the first slip with the order, not as an edit');
  }

  /** A new amount (and slip): an Unpaid order stays Unpaid; after a Payment Failure it is resubmitted, with no email. */
  private async edit({ amount, slip, by }: Actor & { amount?: number; slip?: SlipRef }): Promise<OrderView> {
    // The same amount again on an Unpaid order (a repeated edit) changes nothing, so nothing is recorded.
    if (this.order.status === 'unpaid' && amount === this.order.amount && !slip) return this.snapshot();
    if (amount !== undefined) this.order.amount = amount;
    if (slip) this.order.slip = slip;
    const to = this.next('edit');
    if (to === 'dealing') this.enterDealing(to);
    else this.changed(to);
    const view = this.snapshot();
    const details = { ...(amount === undefined ? {} : { amount }), ...(slip ? slipDetails(slip) : {}) };
    await recordOrder(view, { action: slip ? 'order.resubmit_slip' : 'order.edit', by, details });
    return view;
  }

  private validateApproval(checkResult: string | undefined): void {
    this.allow('approve');
    if (!this.approving && this.order.status !== 'paid') requireNote('checkResult', checkResult, false);
  }

  /** Finance approves: the wallet credited once, Paid, the receipt stored and emailed; an invoice it pays is told. */
  private async approve({ checkResult, by }: Actor & { checkResult?: string }): Promise<OrderView> {
    // The same approval again (a retry, a double click) waits for the first and answers like it.
    if (this.approving || this.order.status === 'paid') {
      await condition(() => this.order.status === 'paid');
      return this.snapshot();
    }
    this.approving = true;
    let credit: { settled: number; added: number; balanceAfter: number; invoicePayment: PaidOutcome['invoicePayment'] };
    try {
      credit = await this.credit();
    } catch (err) {
      // The ledger refused for good (it retries everything else): the order stays Dealing for finance.
      this.approving = false;
      throw err;
    }
    this.order.checkResult = checkResult?.trim() || null;
    this.order.paid = { ...credit, paidAt: workflowNow().toISOString(), approvedBy: by };
    this.order.deadline = null;
    this.changed(this.next('approve'));
    const view = this.snapshot();
    await Promise.all([recordOrder(view, { action: 'order.approve', by, details: { checkResult: this.order.checkResult } }), issueReceipt(view)]);
    this.emailInBackground(sendOrderEmail({ event: 'paid', order: view }));
    if (this.input.settles) await tellBillingDepositCredited(this.input.settles.subscriptionId, this.order.orderNumber);
    return view;
  }

  /**
   * Credits the approved amount: to its wallet, or, for an order that settles an invoice, to that invoice through the
   * deposit, what is left staying in the deposit only within its rules and otherwise held for finance.
   */
  private async credit(): Promise<{ settled: number; added: number; balanceAfter: number; invoicePayment: PaidOutcome['invoicePayment'] }> {
    const { orderNumber, accountId, wallet, amount } = this.order;
    const { settles, policy } = this.input;
    if (!settles) {
      const credit = await creditTopup({ orderNumber, accountId, wallet, amount });
      return { settled: credit.settled, added: credit.added, balanceAfter: credit.balanceAfter.current, invoicePayment: null };
    }
    const paid = await payInvoiceWithOrder({ orderNumber, accountId, invoiceId: settles.invoiceId, amount, perWalletKey: false, depositMin: policy.depositMinAmount, depositMax: policy.depositMaxAmount });
    return { settled: paid.settled, added: paid.added, balanceAfter: paid.balanceAfter, invoicePayment: paid.outcome };
  }

  /** True when this rejection repeats the one that made the order Payment Failure. */
  private repeatsRejection(reason: string): boolean {
    const failure = this.order.failure;
    return this.order.status === 'payment_failure' && failure?.kind === 'rejected' && failure.reason === reason.trim();
  }

  private validateRejection(reason: string): void {
    requireNote('reason', reason, true);
    if (!this.repeatsRejection(reason)) this.allow('reject');
  }

  /** Finance rejects with a reason: Payment Failure, emailed. The same rejection again answers the order. */
  private async reject({ reason, by }: Actor & { reason: string }): Promise<OrderView> {
    if (this.repeatsRejection(reason)) return this.snapshot();
    this.enterPaymentFailure(this.next('reject'), { kind: 'rejected', reason: reason.trim(), by });
    const view = this.snapshot();
    await this.recordThenEmail(view, 'failed', { action: 'order.reject', by, details: { reason: reason.trim() } });
    return view;
  }

  /** The customer deletes an Unpaid or (not final) Payment Failure order; deleting again answers it. */
  private async delete({ by }: Actor): Promise<OrderView> {
    if (this.order.status !== 'deleted') {
      this.order.deadline = null;
      this.changed(this.next('delete'));
      await recordOrder(this.snapshot(), { action: 'order.delete', by });
    }
    return this.snapshot();
  }

  // ——— Timers ———

  /** Unpaid: Closed once the order has waited 120 h for its slip. */
  private async closeWhenUnsubmitted(): Promise<void> {
    if (await this.untilDeadline(() => this.order.status !== 'unpaid')) return;
    this.order.deadline = null;
    this.changed(this.next('closeUnsubmitted'));
    // The order's own timer made this change: it is logged with no user, like every timer's.
    await recordOrder(this.snapshot(), { action: 'order.close', by: null, details: { after: this.input.policy.unsubmittedCloseAfter } });
  }

  /** Dealing: Payment Failure, emailed, when finance has not decided within the review window of this submission. */
  private async failWhenUndecided(): Promise<void> {
    const deadline = this.order.deadline;
    // A new submission (an edit) moves the deadline; an approval under way holds the timer.
    const decided = await this.untilDeadline(() => this.order.status !== 'dealing' || this.approving || this.order.deadline !== deadline);
    if (decided) {
      if (this.approving) await condition(() => this.order.status !== 'dealing');
      return;
    }
    this.enterPaymentFailure(this.next('reviewWindowExpired'), { kind: 'review-window-expired', windowHours: durationMs(this.input.policy.reviewWindow) / HOUR_MS });
    const view = this.snapshot();
    await recordOrder(view, { action: 'order.review_window_expired', by: null, details: { window: this.input.policy.reviewWindow } });
    await sendOrderEmail({ event: 'failed', order: view });
  }

  /** Payment Failure: final (no more edits or deletion) once left untouched for 120 h. */
  private async finaliseWhenUntouched(): Promise<void> {
    const deadline = this.order.deadline;
    if (await this.untilDeadline(() => this.order.status !== 'payment_failure' || this.order.deadline !== deadline)) return;
    const to = this.next('finalise');
    this.order.final = true;
    this.order.deadline = null;
    this.changed(to);
    await recordOrder(this.snapshot(), { action: 'order.final', by: null, details: { after: this.input.policy.paymentFailureFinalAfter } });
  }

  /** Waits until `done()` or the order's deadline; true when `done()` came first. */
  private async untilDeadline(done: () => boolean): Promise<boolean> {
    const left = Date.parse(this.order.deadline!) - workflowNow().getTime();
    if (done()) return true;
    if (left <= 0) return false;
    return condition(done, left);
  }

  // ——— State ———

  /** A copy, so an activity's input and a query's answer never alias the state that later changes. */
  private snapshot(): OrderView {
    return JSON.parse(JSON.stringify(this.order)) as OrderView;
  }

  private deadlineIn(duration: string): string {
    return new Date(workflowNow().getTime() + durationMs(duration)).toISOString();
  }

  private describe(): void {
    const { status, wallet, amount, deadline, final } = this.order;
    const due = deadline ? `, deadline ${deadline}` : '';
    setCurrentDetails(`**${statusName(status, 'en')}**: ${wallet} top-up of ${formatRupiah(amount)}${due}${final ? ' (final)' : ''}`);
  }

  /** Every change: a new revision, the UI details; on a new status, the search attributes too. */
  private changed(status: OrderStatus): void {
    this.order.revision += 1;
    if (status !== this.order.status) {
      log.info('order status changed', { from: this.order.status, to: status, orderNumber: this.order.orderNumber });
      this.order.status = status;
      upsertSearchAttributes([
        { key: SA_ORDER_STATUS, value: status },
        { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
      ]);
    }
    this.describe();
  }

  private setPaymentMethod(paymentMethod: PaymentMethod): void {
    if (this.order.paymentMethod === paymentMethod) return;
    this.order.paymentMethod = paymentMethod;
    upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: paymentMethod }]);
  }

  private enterDealing(status: OrderStatus): void {
    this.order.submissions += 1;
    this.order.submittedAt = workflowNow().toISOString();
    this.order.deadline = this.deadlineIn(this.input.policy.reviewWindow);
    this.order.failure = null;
    this.order.checkResult = null;
    this.changed(status);
  }

  private enterPaymentFailure(status: OrderStatus, failure: FailureCause): void {
    this.order.failure = failure;
    this.order.checkResult = failure.kind === 'rejected' ? failure.reason : null;
    this.order.deadline = this.deadlineIn(this.input.policy.paymentFailureFinalAfter);
    this.changed(status);
  }

  // ——— Side effects ———

  /**
   * A caller (a customer uploading a slip, finance deciding) is answered once the state is recorded, not once
   * the mail server took the email: with SMTP down, the email retries in the background instead of holding
   * the HTTP request.
   */
  private emailInBackground(sending: Promise<unknown>): void {
    this.backgroundEmails.push(sending.catch((err: unknown) => log.error('order email failed for good', { orderNumber: this.order.orderNumber, error: String(err) })));
  }

  /**
   * Records a new status and sends its email, scheduled in the same workflow task as the read-model write rather
   * than after it: one workflow task less per step (bench/e2e.ts). The caller is answered once the state is recorded.
   */
  private async recordThenEmail(view: OrderView, event: OrderEmailEvent, change: OrderChange): Promise<void> {
    const recorded = recordOrder(view, change);
    this.emailInBackground(sendOrderEmail({ event, order: view, ...(event === 'submitted' && change.by ? { submittedBy: change.by } : {}) }));
    await recorded;
  }
}
