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
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  type SignalDefinition,
} from '@temporalio/workflow';
import { tellBillingDepositCredited } from '../billing/tell-billing';
import type { Actor, OrderChange } from '../orders/order-change';
import {
  attachOutcomeSignal,
  heldPaymentCreditedSignal,
  heldPaymentReleasedSignal,
  incomingGatewayPayment,
  paymentExceptionWorkflowId,
  type AttachOutcome,
} from '../reconciliation/messages';
import { openExceptionFromWorkflow } from '../reconciliation/open-exception';
import { paymentReceivedSignal, type GatewayPayment } from '../online/messages';
import { SA_ACCOUNT_ID, SA_ORDER_NUMBER, SA_ORDER_STATUS, SA_PAYMENT_METHOD, SA_STATUS_CHANGED_AT, SA_WALLET } from '../orders/search-attributes';
import type { OrderStatus } from '../orders/statuses';
import { READ_MODEL_WRITE, READ_MODEL_WRITE_WITH_DOCUMENT, sideEffects } from '../shared/activity-options';
import { statusName } from '../shared/names';
import { durationMs, type PaymentMethod } from '../shared/policy';
import { invalid, refuse } from '../shared/refusals';
import { formatRupiah } from '../shared/rupiah';
import { workflowNow } from '../shared/workflow-clock';
import type { BankTransferActivities, OrderEmailEvent, TopupCredit, TopupCreditRequest } from './activity-types';
import { bankTransferAmountViolation } from './amount-rules';
import {
  approveUpdate,
  attachPaymentSignal,
  choosePaymentMethodUpdate,
  deleteOrderUpdate,
  editOrderUpdate,
  getOrderQuery,
  rejectUpdate,
  submitSlipUpdate,
  type AppliedPayment,
  type FailureCause,
  type OrderPayment,
  type OrderView,
  type SlipRef,
  type TopupOrderInput,
} from './messages';
import { amountDue, heldByPayments, newBankTransferOrder } from './order-view';
import { paidView, topupPaidCredit, type PaidApproval, type PaidCredit } from './paid-view';
import { bankTransferTransition, type BankTransferEvent } from './transitions';

const { recordOrder } = proxyActivities<BankTransferActivities>(READ_MODEL_WRITE);
const { creditTopup, payInvoiceWithOrder, issueReceipt, sendOrderEmail } = proxyActivities<BankTransferActivities>(sideEffects());
/** The paid step's read-model write and receipt, as one activity (issue 22); orders started before ran them as two. */
const { recordPaidOrder, creditAndRecordPaidOrder } = proxyActivities<BankTransferActivities>(READ_MODEL_WRITE_WITH_DOCUMENT);
const PAID_STEP_IN_ONE_ACTIVITY = 'bank-transfer-paid-record-and-receipt-in-one-activity';
/**
 * The approval of an order that settles no invoice, its credit folded in too (issue 22): `creditAndRecordPaidOrder`
 * instead of `creditTopup` then `recordPaidOrder`; orders started before run the two.
 */
const APPROVAL_IN_ONE_ACTIVITY = 'bank-transfer-credit-record-and-receipt-in-one-activity';

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

  /** The payments the order holds (or was paid by). */
  private payments(): AppliedPayment[] {
    return (this.order.payments ??= []);
  }

  /** Registers the query and the updates, each validated by the rules before it is accepted. */
  listen(): void {
    setHandler(getOrderQuery, () => this.snapshot());
    setHandler(choosePaymentMethodUpdate, (m) => this.choosePaymentMethod(m), { validator: (m) => this.validatePaymentMethod(m.paymentMethod) });
    setHandler(submitSlipUpdate, (m) => this.submitSlip(m), { validator: (_m) => this.allow('submitSlip') });
    setHandler(editOrderUpdate, (m) => this.edit(m), { validator: (m) => this.validateEdit(m) });
    setHandler(approveUpdate, (m) => this.approve(m), { validator: (m) => this.validateApproval(m) });
    setHandler(attachPaymentSignal, (m) => this.attachPayment(m));
    setHandler(paymentReceivedSignal, (m) => this.gatewayPayment(m));
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
    const paidBy = this.input.paidBy;
    if (paidBy) {
      // Finance credited a payment exception's money to this wallet: the order is paid by it from the start.
      this.setPaymentMethod('bank_transfer');
      await this.payInFull(paidBy.by, paidBy.checkResult, this.applied(paidBy, paidBy.by));
    }
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
    const held = heldByPayments(this.order);
    if (amount !== undefined && held > 0 && amount <= held) invalid('amount', `must be more than the ${formatRupiah(held)} the order already holds in payments`);
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

  private validateApproval({ checkResult, payment }: { checkResult?: string; payment?: ApprovalPayment }): void {
    if (payment) return this.validatePaymentApproval(payment, checkResult);
    this.allow('approve');
    if (!this.approving && this.order.status !== 'paid') requireNote('checkResult', checkResult, false);
  }

  /** An approval with a received payment (a confirmed bank-statement line): it must pay exactly what is due. */
  private validatePaymentApproval(payment: ApprovalPayment, checkResult: string | undefined): void {
    const { orderNumber, status } = this.order;
    const paidByIt = this.payments().some((p) => p.paymentId === payment.paymentId);
    if (status === 'paid' && !paidByIt) refuse(`order ${orderNumber} is Paid already, not by payment ${payment.paymentId}`);
    this.allow('approvePayment');
    if (this.approving || status === 'paid') return;
    requireNote('checkResult', checkResult, false);
    if (typeof payment.paymentId !== 'string' || payment.paymentId === '') invalid('payment.paymentId', 'is required');
    const due = amountDue(this.order);
    if (!Number.isSafeInteger(payment.amount) || payment.amount !== due) {
      invalid('payment.amount', `must be the ${formatRupiah(due)} still due on order ${orderNumber}, not ${formatRupiah(Number(payment.amount))}`);
    }
  }

  /** Finance approves: the wallet credited once, Paid, the receipt stored and emailed; an invoice it pays is told. */
  private async approve({ checkResult, payment, by }: Actor & { checkResult?: string; payment?: ApprovalPayment }): Promise<OrderView> {
    // The same approval again (a retry, a double click) waits for the first and answers like it.
    if (this.approving || this.order.status === 'paid') {
      await condition(() => this.order.status === 'paid');
      return this.snapshot();
    }
    return this.payInFull(by, checkResult, payment ? this.applied({ ...payment, exceptionId: null }, by) : null);
  }

  private applied(payment: Pick<OrderPayment, 'paymentId' | 'amount' | 'exceptionId'>, by: string): AppliedPayment {
    return { paymentId: payment.paymentId, amount: payment.amount, exceptionId: payment.exceptionId, by, at: workflowNow().toISOString() };
  }

  /**
   * Credits the order's amount once, Paid, the receipt stored and emailed. `applied` is the received payment that
   * completes it, if one does; the payment exceptions whose money the order held are told it is credited (but
   * `answered`, whose attach the caller answers itself).
   */
  private async payInFull(by: string, checkResult: string | undefined, applied: AppliedPayment | null, answered?: string): Promise<OrderView> {
    this.approving = true;
    const { orderNumber } = this.order;
    const note = checkResult?.trim() || null;
    const details = { checkResult: note, ...(applied ? { paymentId: applied.paymentId, amount: applied.amount } : {}) };
    const change: OrderChange = { action: 'order.approve', by, details };
    if (!this.input.settles && patched(APPROVAL_IN_ONE_ACTIVITY)) await this.creditAndRecordPaid(by, note, applied, change);
    else await this.creditThenRecordPaid(by, note, applied, change);
    const view = this.snapshot();
    this.emailInBackground(sendOrderEmail({ event: 'paid', order: view }));
    for (const held of this.payments()) {
      if (held.exceptionId && held.paymentId !== answered) await tellException(held.exceptionId, heldPaymentCreditedSignal, { orderNumber, paymentId: held.paymentId });
    }
    if (this.input.settles) await tellBillingDepositCredited(this.input.settles.subscriptionId, orderNumber);
    return view;
  }

  /** What the approval decides, as the Paid view shows it: Paid (the rules'), the note, the payment, who, now. */
  private approval(by: string, checkResult: string | null, applied: AppliedPayment | null): PaidApproval {
    return { status: this.next(applied ? 'approvePayment' : 'approve'), checkResult, applied, approvedBy: by, paidAt: workflowNow().toISOString() };
  }

  /**
   * The approval as one activity (an order that settles no invoice): the credit, the Paid view built from its
   * figures, and the receipt; the workflow then takes that same view (`paidView` of the same inputs) as its state.
   * Nothing changes here before the activity answers, so a ledger refusal leaves the order as it was.
   */
  private async creditAndRecordPaid(by: string, checkResult: string | null, applied: AppliedPayment | null, change: OrderChange): Promise<void> {
    const before = this.snapshot();
    const approval = this.approval(by, checkResult, applied);
    const request = this.creditRequest();
    let credit: TopupCredit;
    try {
      ({ credit } = await creditAndRecordPaidOrder({ request, order: before, approval, change }));
    } catch (failure) {
      // It failed for good, perhaps after the credit went through (a write or a receipt that kept failing): the
      // ledger answers the order's entry if so, and the two-step path records Paid; a refusal is refused again.
      credit = await this.creditAfterFailedApproval(request, failure);
      this.enterPaid(paidView(before, approval, topupPaidCredit(credit)));
      await recordPaidOrder(this.snapshot(), change);
      return;
    }
    this.enterPaid(paidView(before, approval, topupPaidCredit(credit)));
  }

  /** Asks the ledger (idempotent by the order) for the credit the folded approval may have made; a refusal changes nothing. */
  private async creditAfterFailedApproval(request: TopupCreditRequest, failure: unknown): Promise<TopupCredit> {
    log.warn('the approval activity failed; asking the ledger whether the order was credited', { orderNumber: request.orderNumber, error: String(failure) });
    try {
      return await creditTopup(request);
    } catch (err) {
      // The ledger refused for good (it retries everything else): the order stays as it was for finance.
      this.approving = false;
      throw err;
    }
  }

  /** The approval as before the fold (orders started before it, and orders that settle an invoice): credit, then record. */
  private async creditThenRecordPaid(by: string, checkResult: string | null, applied: AppliedPayment | null, change: OrderChange): Promise<void> {
    let credit: PaidCredit;
    try {
      credit = await this.credit();
    } catch (err) {
      // The ledger refused for good (it retries everything else): the order stays as it was for finance.
      this.approving = false;
      throw err;
    }
    this.enterPaid(paidView(this.snapshot(), this.approval(by, checkResult, applied), credit));
    const view = this.snapshot();
    if (patched(PAID_STEP_IN_ONE_ACTIVITY)) await recordPaidOrder(view, change);
    else await Promise.all([recordOrder(view, change), issueReceipt(view)]);
  }

  /** A payment exception's money attached by finance: the order takes what is due of it and answers the exception. */
  private async attachPayment(m: { paymentId: string; exceptionId: string; amount: number; by: string; note: string }): Promise<void> {
    const outcome = await this.takePayment(m);
    await tellException(m.exceptionId, attachOutcomeSignal, outcome);
  }

  private async takePayment(m: { paymentId: string; exceptionId: string; amount: number; by: string; note: string }): Promise<AttachOutcome> {
    const { orderNumber, accountId, wallet } = this.order;
    const taken = this.payments().find((p) => p.paymentId === m.paymentId);
    if (taken) return { paymentId: m.paymentId, taken: taken.amount, orderPaid: this.order.status === 'paid', accountId, wallet };
    const next = this.transition('holdPayment');
    if ('refused' in next) return { paymentId: m.paymentId, refused: `order ${orderNumber}: ${next.refused}` };
    const due = amountDue(this.order);
    const applied = this.applied({ paymentId: m.paymentId, amount: Math.min(m.amount, due), exceptionId: m.exceptionId }, m.by);
    if (applied.amount === due) {
      try {
        await this.payInFull(m.by, `payment exception ${m.exceptionId}: ${m.note}`, applied, m.paymentId);
      } catch (err) {
        return { paymentId: m.paymentId, refused: `order ${orderNumber} could not be credited: ${String(err)}` };
      }
      return { paymentId: m.paymentId, taken: applied.amount, orderPaid: true, accountId, wallet };
    }
    this.payments().push(applied);
    this.changed(next.to);
    await recordOrder(this.snapshot(), { action: 'order.hold_payment', by: m.by, details: { paymentId: m.paymentId, amount: applied.amount, due: amountDue(this.order) } });
    return { paymentId: m.paymentId, taken: applied.amount, orderPaid: false, accountId, wallet };
  }

  /**
   * Money the gateway took naming this order (a virtual account paid with its number): a bank-transfer order is
   * paid by transfer and slip, so the payment goes to finance as an exception, never ignored.
   */
  private async gatewayPayment(payment: GatewayPayment): Promise<void> {
    const { orderNumber, accountId, wallet, status } = this.order;
    await openExceptionFromWorkflow({
      payment: incomingGatewayPayment(payment, orderNumber),
      reason: 'order_not_payable',
      difference: null,
      suggestion: { orderNumber, accountId, wallet },
      openedBy: 'rule',
      note: `order ${orderNumber} is a bank-transfer order (${status}); the gateway's payment can be attached to it`,
      policy: this.input.policy,
    });
  }

  /** The order ends unpaid: the payments it held go back to their exceptions (recorded with the caller's change). */
  private letGoOfPayments(): AppliedPayment[] {
    const held = this.payments();
    if (held.length === 0) return [];
    this.order.releasedPayments = [...(this.order.releasedPayments ?? []), ...held];
    this.order.payments = [];
    return held;
  }

  /** Tells each released payment's exception that its money is open again. */
  private async tellReleased(released: AppliedPayment[], reason: string): Promise<void> {
    const { orderNumber } = this.order;
    for (const p of released) {
      if (p.exceptionId) await tellException(p.exceptionId, heldPaymentReleasedSignal, { orderNumber, paymentId: p.paymentId, reason });
    }
  }

  /** The wallet credit of the approved order (its ledger key is the order's). */
  private creditRequest(): TopupCreditRequest {
    const { orderNumber, accountId, wallet, amount } = this.order;
    return { orderNumber, accountId, wallet, amount };
  }

  /**
   * Credits the approved amount: to its wallet, or, for an order that settles an invoice, to that invoice through the
   * deposit, what is left staying in the deposit only within its rules and otherwise held for finance.
   */
  private async credit(): Promise<PaidCredit> {
    const { settles, policy } = this.input;
    if (!settles) return topupPaidCredit(await creditTopup(this.creditRequest()));
    const { orderNumber, accountId, amount } = this.order;
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
      const to = this.next('delete');
      const released = this.letGoOfPayments();
      this.changed(to);
      await recordOrder(this.snapshot(), { action: 'order.delete', by });
      await this.tellReleased(released, `order ${this.order.orderNumber} was deleted`);
    }
    return this.snapshot();
  }

  // ——— Timers ———

  /**
   * Unpaid: Closed once the order has waited 120 h for its slip. An approval under way (a payment exception's money
   * paying it in full) holds the timer until it ends: Paid, or refused by the ledger, when the timer looks again.
   */
  private async closeWhenUnsubmitted(): Promise<void> {
    if (await this.untilDeadline(() => this.order.status !== 'unpaid' || this.approving)) return this.untilApprovalEnds();
    this.order.deadline = null;
    const to = this.next('closeUnsubmitted');
    const released = this.letGoOfPayments();
    this.changed(to);
    // The order's own timer made this change: it is logged with no user, like every timer's.
    await recordOrder(this.snapshot(), { action: 'order.close', by: null, details: { after: this.input.policy.unsubmittedCloseAfter } });
    await this.tellReleased(released, `order ${this.order.orderNumber} was closed unpaid`);
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

  /**
   * Payment Failure: final (no more edits or deletion) once left untouched for 120 h. An approval under way (a
   * payment that pays it in full) holds the timer until it ends, as it holds the Unpaid one.
   */
  private async finaliseWhenUntouched(): Promise<void> {
    const deadline = this.order.deadline;
    if (await this.untilDeadline(() => this.order.status !== 'payment_failure' || this.approving || this.order.deadline !== deadline)) return this.untilApprovalEnds();
    const to = this.next('finalise');
    this.order.final = true;
    this.order.deadline = null;
    const released = this.letGoOfPayments();
    this.changed(to);
    await recordOrder(this.snapshot(), { action: 'order.final', by: null, details: { after: this.input.policy.paymentFailureFinalAfter } });
    await this.tellReleased(released, `order ${this.order.orderNumber} became final in Payment Failure`);
  }

  /**
   * Waits for an approval under way to end: Paid (its `approving` stays set), or refused by the ledger (`approving`
   * reset, the order as it was); `runTimers` then runs the timer of the status the order is in. The approval's Paid
   * view is the next revision of the state it began from, so no timer may change the order meanwhile.
   */
  private async untilApprovalEnds(): Promise<void> {
    if (this.approving) await condition(() => !this.approving || this.order.status === 'paid');
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
    const from = this.order.status;
    this.order.revision += 1;
    this.order.status = status;
    this.announce(from);
  }

  /** The approval's Paid view (`paidView`, the next revision) becomes the order's state, as `changed` would announce it. */
  private enterPaid(view: OrderView): void {
    const from = this.order.status;
    Object.assign(this.order, view);
    this.announce(from);
  }

  /** The UI details of the state now; on a new status (`from` was the one before), the log line and search attributes. */
  private announce(from: OrderStatus): void {
    const status = this.order.status;
    if (status !== from) {
      log.info('order status changed', { from, to: status, orderNumber: this.order.orderNumber });
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

/** What an approval with a received payment carries. */
type ApprovalPayment = { paymentId: string; amount: number };

/** Signals a payment exception's workflow; one that has ended (resolved meanwhile) has nothing left to hear. */
async function tellException<A>(exceptionId: string, signal: SignalDefinition<[A]>, arg: A): Promise<void> {
  try {
    await getExternalWorkflowHandle(paymentExceptionWorkflowId(exceptionId)).signal(signal, arg);
  } catch (err) {
    log.warn('payment exception not signalled', { exceptionId, signal: signal.name, error: String(err) });
  }
}
