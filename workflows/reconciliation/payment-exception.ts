/**
 * One payment exception as one durable workflow (`payment-exception-<paymentId>`), issue 19: money that arrived
 * and went to no order by itself (an amount that differs, a second payment, a payment after the late-payment
 * watch, an unknown reference, an order that cannot be paid). It holds the payment open in front of finance,
 * reminds finance every `exceptionReminderInterval` (24 h), and carries out finance's decision, once:
 * - credit: a new bank-transfer order on the chosen account and wallet, paid by the payment from its start
 *   (the order workflow credits the ledger, stores the receipt and emails it, as an approval does);
 * - attach: the payment goes to an open bank-transfer order, which answers what it took: an underpayment is held
 *   by the order until it is paid (then credited) or ends unpaid (then the money is open here again); an
 *   overpayment pays it, and the rest is credited to the order's wallet or refunded, as finance chose;
 * - refund: through the gateway, resolved when its signed refund callback confirms it;
 * - dismiss: with a reason.
 * Every decision is recorded in the read model and the operation log with who and why; a decision sent again
 * answers the one taken (exception-rules.ts). The workflow ends once every rupiah is credited, refunded or dismissed.
 */
import {
  allHandlersFinished,
  ActivityFailure,
  condition,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { attachPaymentSignal, type OrderView, type TopupOrderInput } from '../bank-transfer/messages';
import { orderWorkflowId } from '../orders/order-ids';
import { SA_ACCOUNT_ID, SA_ORDER_NUMBER, SA_STATUS_CHANGED_AT } from '../orders/search-attributes';
import { READ_MODEL_WRITE, sideEffects } from '../shared/activity-options';
import { durationMs, type Wallet } from '../shared/policy';
import { invalid, refuse } from '../shared/refusals';
import { formatRupiah } from '../shared/rupiah';
import { workflowNow } from '../shared/workflow-clock';
import { PAYMENT_PROVIDER_REJECTED } from '../online/activity-types';
import type { ExceptionChange, ReconciliationActivities } from './activity-types';
import { creditViolation, exceptionDecision, type ActionTarget } from './exception-rules';
import {
  attachExceptionUpdate,
  attachOutcomeSignal,
  creditExceptionUpdate,
  dismissExceptionUpdate,
  exceptionRefundReference,
  getExceptionQuery,
  heldPaymentCreditedSignal,
  heldPaymentReleasedSignal,
  newExceptionView,
  openAmount,
  paymentExceptionWorkflowId,
  refundExceptionUpdate,
  refundSettledSignal,
  reminderInterval,
  type AttachOutcome,
  type ExceptionAction,
  type ExceptionEvent,
  type ExceptionResolution,
  type ExceptionStatus,
  type OverpaymentRest,
  type PaymentExceptionInput,
  type PaymentExceptionView,
} from './messages';
import { SA_EXCEPTION_REASON, SA_EXCEPTION_STATUS } from './search-attributes';

const { recordPaymentException } = proxyActivities<ReconciliationActivities>(READ_MODEL_WRITE);
const { prepareCreditOrder, sendExceptionReminder, requestGatewayRefund } = proxyActivities<ReconciliationActivities>(sideEffects(PAYMENT_PROVIDER_REJECTED));

/** The longest note finance writes with a decision. */
const MAX_NOTE_LENGTH = 500;

/** The payment exception. */
export async function paymentException(input: PaymentExceptionInput): Promise<PaymentExceptionView> {
  const exception = new PaymentException(input);
  exception.listen();
  await exception.open();
  await exception.remindUntilResolved();
  return exception.close();
}

/** A refusal of the gateway or the ledger, in its own words. */
function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/** The exception's state, its message handlers and its reminder timer. */
class PaymentException {
  private readonly view: PaymentExceptionView;
  /** Orders that reported the exception's money credited (born paid by it, or paid while holding it). */
  private readonly creditedBy = new Set<string>();
  /** The answer of the order an attach was sent to. */
  private attachAnswer: AttachOutcome | null = null;
  /** Refund references the gateway confirmed. */
  private readonly refundsSettled = new Set<string>();
  /** A refund the gateway took and has not confirmed yet: the exception resolves when it does. */
  private awaitedRefund: { reference: string; amount: number } | null = null;
  /** The orders started to credit the money: the exception ends after them (it reads as resolved before). */
  private readonly creditOrders: Promise<unknown>[] = [];
  /** A decision's handler is moving money: a repeat waits for it, then answers like it. */
  private deciding = false;

  constructor(private readonly input: PaymentExceptionInput) {
    this.view = newExceptionView(input, workflowNow().toISOString());
  }

  listen(): void {
    setHandler(getExceptionQuery, () => this.snapshot());
    setHandler(creditExceptionUpdate, (m) => this.credit(m), { validator: (m) => this.validateCredit(m) });
    setHandler(attachExceptionUpdate, (m) => this.attach(m), { validator: (m) => this.validate('attach', { orderNumber: m.orderNumber }, m.note) });
    setHandler(refundExceptionUpdate, (m) => this.refund(m), { validator: (m) => this.validate('refund', {}, m.note) });
    setHandler(dismissExceptionUpdate, (m) => this.dismiss(m), { validator: (m) => this.validate('dismiss', {}, m.note) });
    setHandler(attachOutcomeSignal, (outcome) => {
      if (outcome.paymentId === this.view.payment.paymentId) this.attachAnswer = outcome;
    });
    setHandler(heldPaymentCreditedSignal, (m) => this.heldCredited(m.orderNumber));
    setHandler(heldPaymentReleasedSignal, (m) => this.heldReleased(m.orderNumber, m.reason));
    setHandler(refundSettledSignal, (m) => {
      this.refundsSettled.add(m.reference);
    });
  }

  async open(): Promise<void> {
    const { suggestion } = this.view;
    upsertSearchAttributes([
      { key: SA_EXCEPTION_REASON, value: this.view.reason },
      { key: SA_EXCEPTION_STATUS, value: this.view.status },
      { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
      ...(suggestion.accountId ? [{ key: SA_ACCOUNT_ID, value: suggestion.accountId }] : []),
      ...(suggestion.orderNumber ? [{ key: SA_ORDER_NUMBER, value: suggestion.orderNumber }] : []),
    ]);
    this.changed(this.view.status);
    await this.record();
  }

  /** While the exception is open, finance is reminded every interval; it waits through the rest; ends resolved. */
  async remindUntilResolved(): Promise<void> {
    const every = durationMs(reminderInterval(this.input.policy));
    for (;;) {
      const { status } = this.view;
      if (status === 'resolved') return;
      if (status !== 'open') {
        await condition(() => this.view.status === 'open' || this.view.status === 'resolved' || this.refundConfirmed());
        if (this.refundConfirmed()) await this.refundSettled();
        continue;
      }
      const revision = this.view.revision;
      // A decision (or a release back to open) restarts the count: finance hears of it a whole interval later.
      if (await condition(() => this.view.revision !== revision, every)) continue;
      this.view.remindersSent += 1;
      await sendExceptionReminder({ exception: this.snapshot(), reminder: this.view.remindersSent });
    }
  }

  async close(): Promise<PaymentExceptionView> {
    await condition(allHandlersFinished);
    await Promise.all(this.creditOrders);
    return this.snapshot();
  }

  // ——— Finance's decisions ———

  /** A validator: the rules decide whether the action acts, repeats, or is refused; a note is required. */
  private validate(action: ExceptionAction, target: ActionTarget, note: string): void {
    const decision = exceptionDecision(this.view, action, target);
    if ('refused' in decision) refuse(decision.refused);
    if ('act' in decision && (typeof note !== 'string' || note.trim() === '')) invalid('note', 'is required (say why)');
    if ('act' in decision && note.length > MAX_NOTE_LENGTH) invalid('note', `must be at most ${MAX_NOTE_LENGTH} characters`);
  }

  private validateCredit({ accountId, wallet, note }: { accountId: string; wallet: Wallet; note: string }): void {
    this.validate('credit', { accountId, wallet }, note);
    if (this.view.status !== 'open') return;
    if (typeof accountId !== 'string' || accountId === '') invalid('accountId', 'is required');
    const violation = creditViolation(wallet, openAmount(this.view), this.input.policy);
    if (violation) invalid(violation.field, violation.rule);
  }

  /**
   * Runs a decision: the rules are asked again and the decision claimed before anything is awaited, so two updates
   * validated in the same workflow task (a retry racing the first attempt) cannot both act: the second answers the
   * first (a repeat) or is refused. `work` runs marked as moving money until it is done.
   */
  private decide(action: ExceptionAction, target: ActionTarget, work: () => Promise<PaymentExceptionView>): Promise<PaymentExceptionView> {
    const decision = exceptionDecision(this.view, action, target);
    if ('refused' in decision) refuse(decision.refused);
    if ('repeat' in decision) return this.answerRepeat();
    this.deciding = true;
    return work().finally(() => {
      this.deciding = false;
    });
  }

  /** A decision already taken: wait until its handler is done, and answer like the first. */
  private async answerRepeat(): Promise<PaymentExceptionView> {
    await condition(() => !this.deciding);
    return this.snapshot();
  }

  private async credit({ accountId, wallet, note, by }: { accountId: string; wallet: Wallet; note: string; by: string }): Promise<PaymentExceptionView> {
    return this.decide('credit', { accountId, wallet }, async () => {
      const amount = openAmount(this.view);
      await this.begin({ action: 'credit', by, note, accountId, wallet }, { amount, accountId, wallet });
      await this.creditToWallet(accountId, wallet, amount, by, note);
      return this.settle();
    });
  }

  private async attach({ orderNumber, rest, note, by }: { orderNumber: string; rest?: OverpaymentRest; note: string; by: string }): Promise<PaymentExceptionView> {
    return this.decide('attach', { orderNumber }, () => this.attachTo(orderNumber, rest, note, by));
  }

  private async attachTo(orderNumber: string, rest: OverpaymentRest | undefined, note: string, by: string): Promise<PaymentExceptionView> {
    const amount = openAmount(this.view);
    await this.begin({ action: 'attach', by, note, orderNumber, rest: rest ?? null }, { orderNumber, amount, rest: rest ?? null });
    const answer = await this.askOrder(orderNumber, amount, by, note);
    if ('refused' in answer) {
      await this.backToOpen(`attach to order ${orderNumber} refused: ${answer.refused}`);
      refuse(answer.refused);
    }
    const resolution = this.view.resolution!;
    resolution.accountId = answer.accountId;
    resolution.wallet = answer.wallet;
    this.event({ action: 'attach', by, note, orderNumber, amount: answer.taken });
    if (answer.orderPaid || this.creditedBy.has(orderNumber)) this.view.allocations.credited += answer.taken;
    else this.view.allocations.held += answer.taken;
    const left = amount - answer.taken;
    if (left > 0 && rest === 'refund') await this.refundAmount(left, by, `the rest of an overpayment of order ${orderNumber}: ${note}`);
    if (left > 0 && rest === 'credit') await this.creditToWallet(answer.accountId, answer.wallet, left, by, `the rest of an overpayment of order ${orderNumber}: ${note}`);
    return this.settle();
  }

  private async refund({ note, by }: { note: string; by: string }): Promise<PaymentExceptionView> {
    return this.decide('refund', {}, async () => {
      const amount = openAmount(this.view);
      await this.begin({ action: 'refund', by, note }, { amount });
      try {
        await this.refundAmount(amount, by, note);
      } catch (err) {
        await this.backToOpen(`refund refused by the gateway: ${failureMessage(err)}`);
        refuse(`the gateway refused the refund: ${failureMessage(err)}`);
      }
      return this.settle();
    });
  }

  private async dismiss({ note, by }: { note: string; by: string }): Promise<PaymentExceptionView> {
    return this.decide('dismiss', {}, async () => {
      const amount = openAmount(this.view);
      this.view.allocations.dismissed += amount;
      await this.begin({ action: 'dismiss', by, note }, { amount });
      return this.settle();
    });
  }

  // ——— Moving the money ———

  /** A new bank-transfer order on the account and wallet, paid by `amount` of the payment from its start. */
  private async creditToWallet(accountId: string, wallet: Wallet, amount: number, by: string, note: string): Promise<void> {
    const basis = await prepareCreditOrder({ accountId, at: workflowNow().toISOString() });
    const { orderNumber } = basis;
    const { paymentId } = this.view.payment;
    this.view.resolution!.creditOrders.push(orderNumber);
    const input: TopupOrderInput = {
      orderNumber,
      accountId,
      createdBy: basis.createdBy,
      wallet,
      amount,
      currency: basis.currency,
      createdAt: workflowNow().toISOString(),
      policy: this.input.policy,
      settles: null,
      paidBy: { paymentId, amount, exceptionId: paymentId, checkResult: `payment exception ${paymentId}: ${note}`, by },
    };
    const child = await startChild<(input: TopupOrderInput) => Promise<OrderView>>('topupOrder', {
      workflowId: orderWorkflowId(orderNumber),
      args: [input],
      // The order lives on its own: it is the customer's, whatever becomes of this exception.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Top-up ${orderNumber}: ${wallet} ${basis.currency} ${amount}, paid by payment exception ${paymentId}`,
    });
    this.creditOrders.push(child.result().catch(() => undefined));
    this.event({ action: 'credit', by, note, orderNumber, amount });
    await this.record();
    await condition(() => this.creditedBy.has(orderNumber));
    this.view.allocations.credited += amount;
  }

  /** Sends the payment to the order and waits for its answer; an order whose workflow has ended refuses. */
  private async askOrder(orderNumber: string, amount: number, by: string, note: string): Promise<AttachOutcome> {
    const { paymentId } = this.view.payment;
    this.attachAnswer = null;
    try {
      await getExternalWorkflowHandle(orderWorkflowId(orderNumber)).signal(attachPaymentSignal, { paymentId, exceptionId: paymentId, amount, by, note });
    } catch {
      return { paymentId, refused: `order ${orderNumber} is not open: its workflow has ended` };
    }
    await condition(() => this.attachAnswer !== null);
    return this.attachAnswer!;
  }

  /**
   * Asks the gateway to send `amount` back: counted as refunded once the gateway took it; the exception stays in
   * progress until the gateway's signed callback confirms it (the main loop waits for that).
   */
  private async refundAmount(amount: number, by: string, reason: string): Promise<void> {
    const { payment } = this.view;
    const reference = exceptionRefundReference(payment.paymentId);
    this.view.resolution!.refundReference = reference;
    await requestGatewayRefund({ reference, payment, amount, reason, by, workflowId: paymentExceptionWorkflowId(payment.paymentId) });
    this.view.allocations.refunded += amount;
    this.awaitedRefund = { reference, amount };
  }

  private refundConfirmed(): boolean {
    return this.awaitedRefund !== null && this.refundsSettled.has(this.awaitedRefund.reference);
  }

  /** The gateway confirmed the refund: the exception resolves (or stays as its other money stands). */
  private async refundSettled(): Promise<void> {
    const { reference, amount } = this.awaitedRefund!;
    this.awaitedRefund = null;
    this.event({ action: 'refund_settled', by: null, note: `the gateway confirmed refund ${reference}`, amount });
    await this.settle();
  }

  // ——— What orders tell ———

  private async heldCredited(orderNumber: string): Promise<void> {
    this.creditedBy.add(orderNumber);
    const { resolution, allocations, status } = this.view;
    if (status !== 'attached' || resolution?.orderNumber !== orderNumber) return;
    this.event({ action: 'held_payment_credited', by: null, note: `order ${orderNumber} was paid`, orderNumber, amount: allocations.held });
    allocations.credited += allocations.held;
    allocations.held = 0;
    await this.settle();
  }

  private async heldReleased(orderNumber: string, reason: string): Promise<void> {
    const { resolution, allocations, status } = this.view;
    if (status !== 'attached' || resolution?.orderNumber !== orderNumber) return;
    this.event({ action: 'held_payment_released', by: null, note: reason, orderNumber, amount: allocations.held });
    allocations.held = 0;
    this.view.resolution = null;
    this.changed('open');
    await this.record();
  }

  // ——— State ———

  /** Starts a decision: in progress, with who and why, recorded with its operation-log entry. */
  private async begin(resolution: Partial<ExceptionResolution> & Pick<ExceptionResolution, 'action' | 'by' | 'note'>, details: Record<string, unknown>): Promise<void> {
    const note = resolution.note.trim();
    this.view.resolution = { accountId: null, wallet: null, orderNumber: null, rest: null, creditOrders: [], refundReference: null, ...resolution, note };
    if (resolution.action === 'refund' || resolution.action === 'dismiss') this.event({ action: resolution.action, by: resolution.by, note, amount: Number(details.amount) });
    this.changed('in_progress');
    await this.record({ action: `exception.${resolution.action}`, by: resolution.by, details: { ...details, note } });
  }

  /**
   * The decision is done: in progress while a refund awaits the gateway's confirmation, attached while an order
   * holds the money, resolved when nothing is left open, else open again for the rest.
   */
  private async settle(): Promise<PaymentExceptionView> {
    const left = openAmount(this.view);
    this.changed(this.awaitedRefund ? 'in_progress' : this.view.allocations.held > 0 ? 'attached' : left === 0 ? 'resolved' : 'open');
    if (this.view.status === 'open') this.view.resolution = null;
    await this.record();
    return this.snapshot();
  }

  private async backToOpen(note: string): Promise<void> {
    const by = this.view.resolution?.by ?? null;
    this.event({ action: this.view.resolution?.action ?? 'opened', by, note });
    this.view.resolution = null;
    this.changed('open');
    await this.record();
  }

  private event(e: Omit<ExceptionEvent, 'at'>): void {
    this.view.history.push({ ...e, at: workflowNow().toISOString() });
  }

  /** Every change: a new revision and the UI's details; a new status is upserted for the Temporal UI's filters. */
  private changed(status: ExceptionStatus): void {
    this.view.revision += 1;
    if (status !== this.view.status) {
      this.view.status = status;
      upsertSearchAttributes([
        { key: SA_EXCEPTION_STATUS, value: status },
        { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
      ]);
    }
    const { reason, payment, allocations } = this.view;
    setCurrentDetails(
      `**${status}**: ${reason} payment of ${formatRupiah(payment.amount)} (${payment.source}, ${payment.reference}); credited ${formatRupiah(allocations.credited)}, refunded ${formatRupiah(allocations.refunded)}, dismissed ${formatRupiah(allocations.dismissed)}, held ${formatRupiah(allocations.held)}`,
    );
  }

  private snapshot(): PaymentExceptionView {
    return JSON.parse(JSON.stringify(this.view)) as PaymentExceptionView;
  }

  private async record(change?: ExceptionChange): Promise<void> {
    await recordPaymentException(this.snapshot(), change);
  }
}
