/**
 * One online self top-up (seed 001, DOMAIN.md "Online self top-up") as one workflow (`topup-<orderNumber>`):
 * unpaid (the editable confirmation page) → confirm payment: awaiting_payment, "issuing the invoice" recorded
 * before the gateway is called, then the sales invoice (or, when the gateway stays away past the policy's
 * `invoiceIssueGiveUpAfter`, refuses, or the customer cancels: back to unpaid with the reason) → a verified
 * callback: paid, each wallet credited (outstanding settled first); or the invoice expires at 23:59:59 of the
 * next day in the account's time zone: closed. Money that arrives after that is never dropped: the order becomes
 * paid_late and finance credits it or marks it for refund. Which event leads where is the rules' (transitions.ts).
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Actor, OrderChange } from '../orders/order-change';
import { SA_ACCOUNT_ID, SA_ORDER_NUMBER, SA_ORDER_STATUS, SA_PAYMENT_METHOD, SA_STATUS_CHANGED_AT, SA_WALLET } from '../orders/search-attributes';
import type { OrderStatus } from '../orders/statuses';
import type { ReconciliationActivities } from '../reconciliation/activity-types';
import { exceptionRefundReference, gatewayPaymentId, incomingGatewayPayment, type ExceptionReason } from '../reconciliation/messages';
import { openExceptionFromWorkflow } from '../reconciliation/open-exception';
import { READ_MODEL_WRITE, READ_MODEL_WRITE_WITH_DOCUMENT, sideEffects } from '../shared/activity-options';
import { durationMs, type TopupPolicy } from '../shared/policy';
import { FAILURE_TYPES, invalid, refuse, refuseDeposit } from '../shared/refusals';
import { depositEligibilityRule } from '../billing/deposit-rules';
import { formatRupiah } from '../shared/rupiah';
import { uncancelledTimer, type UncancelledTimer } from '../shared/uncancelled-timer';
import { workflowNow } from '../shared/workflow-clock';
import { PAYMENT_PROVIDER_REJECTED, type GatewayInvoice, type OnlineOrderActivities } from './activity-types';
import { invoiceExpiresAt } from './invoice-expiry';
import { describeOnlineStatus, issuanceReference, issueRetryDelayMs } from './invoice-issuing';
import {
  approveLatePaymentUpdate,
  cancelConfirmationUpdate,
  confirmPaymentUpdate,
  deleteOnlineOrderUpdate,
  editLinesUpdate,
  getOnlineOrderQuery,
  paymentReceivedSignal,
  refundLatePaymentUpdate,
  type ConfirmationFailure,
  type GatewayPayment,
  type OnlineOrderInput,
  type OnlineOrderView,
  type OnlinePaymentMethod,
} from './messages';
import { draftOnlineOrder } from './order-view';
import { priceInvoicePayment, priceOnlineOrder, type OnlineBill, type OnlineLineRequest } from './pricing';
import { tellBillingDepositCredited } from '../billing/tell-billing';
import { onlineTransition, type OnlineEvent, type OnlineMessage } from './transitions';

const { recordOnlineOrder, depositStanding } = proxyActivities<OnlineOrderActivities>(READ_MODEL_WRITE);
const { creditOnlineLines, payInvoiceWithOrder, storeInvoiceDocument, sendOnlineOrderEmail } = proxyActivities<OnlineOrderActivities>(sideEffects(PAYMENT_PROVIDER_REJECTED));
/**
 * One gateway call per activity: the workflow itself calls again, so every failure is counted and shown on the
 * order, and it can give up or stop when the customer cancels. The adapter gives up on the gateway after 10 s.
 */
const { issueGatewayInvoice } = proxyActivities<OnlineOrderActivities>({ startToCloseTimeout: '20s', retry: { maximumAttempts: 1 } });
/** A late payment finance refunds goes back through the gateway, asked until it answers. */
const { requestGatewayRefund } = proxyActivities<ReconciliationActivities>(sideEffects(PAYMENT_PROVIDER_REJECTED));
/** Voiding an abandoned issuance retries until the gateway answers: an invoice we gave up on must never stay payable. */
const { voidGatewayInvoice } = proxyActivities<OnlineOrderActivities>({ ...sideEffects(PAYMENT_PROVIDER_REJECTED), startToCloseTimeout: '20s' });
/** The paid step's read-model write and paid invoice, as one activity (issue 22); orders started before ran them as two. */
const { recordPaidOnlineOrder } = proxyActivities<OnlineOrderActivities>(READ_MODEL_WRITE_WITH_DOCUMENT);
const PAID_STEP_IN_ONE_ACTIVITY = 'online-paid-record-and-invoice-in-one-activity';

/** The longest a confirm may wait for its invoice inside the workflow (the API waits a few seconds). */
const LONGEST_CONFIRM_WAIT_MS = 60_000;

/** An issuance in progress: the n-th confirmation of the order, and what its invoice bills. */
interface Issuance {
  round: number;
  /** Who confirmed: the operation log names them once the invoice is recorded. */
  by: string;
  reference: string;
  paymentMethod: OnlinePaymentMethod;
  bill: OnlineBill;
  expiresAt: string;
}

/** How one gateway call went. */
type CallOutcome =
  | { kind: 'issued'; invoice: GatewayInvoice }
  | { kind: 'refused'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'stopped' }
  | { kind: 'out-of-time' };

/** How an issuance can end without an invoice, as the rules name each. */
const STOP_EVENT: Record<ConfirmationFailure['kind'], OnlineEvent> = {
  cancelled: 'cancelConfirmation',
  'gateway-refused': 'invoiceRefused',
  'gateway-timeout': 'issuingGaveUp',
};

/** The online top-up order. */
export async function onlineTopupOrder(input: OnlineOrderInput): Promise<OnlineOrderView> {
  const order = new OnlineOrder(input);
  order.listen();
  await order.open();
  await order.runTimers();
  return order.close();
}

/** A failed activity's own words, and whether it was a refusal that asking again cannot change. */
function describeFailure(err: unknown): { message: string; refused: boolean } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  return { message, refused: cause instanceof ApplicationFailure && cause.nonRetryable === true };
}

/** Prices the lines (the draft's bill before any card fee), or refuses naming the first broken rule. */
function price(lines: OnlineLineRequest[], policy: TopupPolicy): OnlineBill {
  const bill = priceOnlineOrder(lines, 'virtual_account', policy);
  if (Array.isArray(bill)) invalid(bill[0]!.field, bill[0]!.rule);
  return bill;
}

/** What the order bills paid with `method`: its lines, or the invoice it pays. */
function billOf(input: OnlineOrderInput, lines: OnlineLineRequest[], method: OnlinePaymentMethod): OnlineBill {
  if (input.settles) return priceInvoicePayment(input.settles.invoiceId, lines[0]!.amount, method, input.policy);
  return priceOnlineOrder(lines, method, input.policy) as OnlineBill;
}

/** The order's state, its message handlers and its timers. */
class OnlineOrder {
  private readonly order: OnlineOrderView;
  /** When an Unpaid draft nobody confirms is closed (epoch ms). */
  private readonly unpaidCloseAt: number;
  /** A verified payment the timers have not applied yet. */
  private received: GatewayPayment | null = null;
  /** Gateway events already heard: a callback signalled again (the API retried) changes nothing. */
  private readonly heardPayments = new Set<string>();
  private crediting = false;
  /** The issuance the timers are working on, and how many confirmations the order has had. */
  private issuance: Issuance | null = null;
  private rounds = 0;
  /** How each confirmation ended once recorded: null when its invoice was issued, else the reason it was not. */
  private readonly ended = new Map<number, string | null>();
  /** Voids of abandoned issuances still running; the workflow finishes only after them. */
  private readonly voids: Promise<void>[] = [];
  /** The invoice is in the read model: a repeated confirm answers only then, so its 200 and GET agree. */
  private invoiceRecorded = false;

  constructor(private readonly input: OnlineOrderInput) {
    const draft = input.settles ? billOf(input, input.lines, 'virtual_account') : price(input.lines, input.policy);
    this.unpaidCloseAt = workflowNow().getTime() + durationMs(input.policy.unsubmittedCloseAfter);
    this.order = draftOnlineOrder(input, draft, new Date(this.unpaidCloseAt).toISOString());
  }

  /** Registers the query, the signal and the updates, each validated by the rules before it is accepted. */
  listen(): void {
    setHandler(getOnlineOrderQuery, () => this.snapshot());
    setHandler(editLinesUpdate, (m) => this.editLines(m), { validator: ({ lines }) => this.validateLines(lines) });
    setHandler(confirmPaymentUpdate, (m) => this.confirmPayment(m), { validator: (m) => this.validateConfirm(m) });
    setHandler(cancelConfirmationUpdate, (m) => this.cancelConfirmation(m), { validator: (_m) => this.allow('cancelConfirmation') });
    setHandler(paymentReceivedSignal, (payment) => this.paymentReceived(payment));
    setHandler(approveLatePaymentUpdate, (m) => this.approveLatePayment(m), { validator: (_m) => this.allow('approveLatePayment') });
    setHandler(refundLatePaymentUpdate, (m) => this.refundLatePayment(m), { validator: ({ reason }) => this.validateRefund(reason) });
    setHandler(deleteOnlineOrderUpdate, (m) => this.delete(m), { validator: (_m) => this.allow('delete') });
  }

  /** The first state: search attributes for ops, and the Unpaid draft in the read model. */
  async open(): Promise<void> {
    upsertSearchAttributes([
      { key: SA_ACCOUNT_ID, value: this.input.accountId },
      { key: SA_ORDER_NUMBER, value: this.input.orderNumber },
      { key: SA_WALLET, value: this.wallets() },
      { key: SA_ORDER_STATUS, value: this.order.status },
      { key: SA_PAYMENT_METHOD, value: 'none' },
      { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
    ]);
    this.changed(this.order.status);
    await this.record();
  }

  /** Runs the timer of each waiting status until the order reaches one that waits for nothing. */
  async runTimers(): Promise<void> {
    for (;;) {
      const { status } = this.order;
      if (status === 'unpaid') await this.closeWhenUnconfirmed();
      else if (status === 'awaiting_payment' && this.issuance) await this.issueInvoice(this.issuance);
      else if (status === 'awaiting_payment') await this.awaitPayment();
      else return;
    }
  }

  /** Waits for the voids and the handlers still running; answers the final view. */
  async close(): Promise<OnlineOrderView> {
    await Promise.all(this.voids);
    await condition(allHandlersFinished);
    return this.snapshot();
  }

  // ——— The rules ———

  private transition(event: OnlineEvent, message?: OnlineMessage) {
    const { status, issuing, invoice } = this.order;
    return onlineTransition({ status, crediting: this.crediting, issuing, invoiceMethod: invoice?.paymentMethod ?? null }, event, message);
  }

  /** A validator: refuses `event` with the rules' reason unless they allow it. */
  private allow(event: OnlineEvent, message?: OnlineMessage): void {
    const next = this.transition(event, message);
    if ('refused' in next) refuse(next.refused);
  }

  /** The status `event` leads to; the validators refused what the rules refuse, so a refusal here is a bug. */
  private next(event: OnlineEvent, message?: OnlineMessage): OrderStatus {
    const next = this.transition(event, message);
    if ('refused' in next) throw new Error(`the online order rules refuse ${event} of order ${this.order.orderNumber}: ${next.refused}`);
    return next.to;
  }

  // ——— Messages ———

  private validateLines(lines: OnlineLineRequest[]): void {
    this.allow('editLines');
    const { settles } = this.input;
    if (settles) invalid('lines', `are the amount of invoice ${settles.invoiceId} and cannot change`);
    price(lines, this.input.policy);
  }

  /**
   * The confirmation page is editable: new wallets and amounts, priced again. A deposit line is a deposit top-up,
   * allowed only with an active service and no unpaid invoice (seed 002), as when the order was created.
   */
  private async editLines({ lines, by }: Actor & { lines: OnlineLineRequest[] }): Promise<OnlineOrderView> {
    if (lines.some((l) => l.wallet === 'deposit')) {
      const rule = depositEligibilityRule(await depositStanding(this.input.accountId));
      if (rule) refuseDeposit(rule);
    }
    const bill = price(lines, this.input.policy);
    this.order.lines = bill.lines;
    this.order.subtotal = bill.subtotal;
    upsertSearchAttributes([{ key: SA_WALLET, value: this.wallets() }]);
    this.changed(this.next('editLines'));
    return this.record({ action: 'online_order.edit', by, details: { lines } });
  }

  private validateConfirm({ paymentMethod, waitMs }: { paymentMethod: OnlinePaymentMethod; waitMs?: number }): void {
    if (waitMs !== undefined && (!Number.isInteger(waitMs) || waitMs < 1 || waitMs > LONGEST_CONFIRM_WAIT_MS)) {
      invalid('waitMs', `must be a whole number of milliseconds from 1 to ${LONGEST_CONFIRM_WAIT_MS}`);
    }
    this.allow('confirmPayment', { paymentMethod });
  }

  /**
   * "Confirm payment": the first confirm starts issuing the invoice (the timers call the gateway); a repeat with
   * the same method joins that issuance, or answers the invoice once it is recorded. Answers the invoice, or the
   * order still issuing it after `waitMs` (the caller asks again); fails with InvoiceNotIssued when the
   * confirmation ended without one.
   */
  private async confirmPayment({ paymentMethod, billingEmail, waitMs, by }: Actor & { paymentMethod: OnlinePaymentMethod; billingEmail?: string; waitMs?: number }): Promise<OnlineOrderView> {
    if (this.order.invoice) {
      await condition(() => this.invoiceRecorded);
      return this.snapshot();
    }
    const current = this.issuance ?? this.startIssuing(paymentMethod, by, billingEmail);
    const waited = waitMs === undefined ? null : uncancelledTimer(waitMs);
    await condition(() => this.ended.has(current.round) || (waited?.fired() ?? false));
    const reason = this.ended.get(current.round);
    if (typeof reason === 'string') throw ApplicationFailure.create({ type: FAILURE_TYPES.invoiceNotIssued, message: reason, nonRetryable: true });
    return this.snapshot();
  }

  /** The customer cancels a confirmation still issuing its invoice; a draft (nothing to cancel) answers as it is. */
  private async cancelConfirmation({ by }: Actor): Promise<OnlineOrderView> {
    if (!this.issuance) return this.snapshot();
    return this.stopIssuing(this.issuance, 'cancelled', 'the customer cancelled the confirmation before the invoice was issued', { action: 'online_order.cancel_confirmation', by });
  }

  /**
   * A verified gateway callback. The payment of the invoice is taken (the timers apply it); any other payment for
   * the order (a second one, a wrong amount, one for an invoice the order does not show) is a payment exception
   * in front of finance: never ignored, never credited by itself.
   */
  private async paymentReceived(payment: GatewayPayment): Promise<void> {
    if (this.heardPayments.has(payment.eventId)) return;
    this.heardPayments.add(payment.eventId);
    const problem = this.paymentProblem(payment);
    if (!problem) {
      this.received = payment;
      return;
    }
    const { orderNumber, accountId, lines } = this.order;
    log.warn('payment for the order is a payment exception', { orderNumber, eventId: payment.eventId, reason: problem.reason });
    await openExceptionFromWorkflow({
      payment: incomingGatewayPayment(payment, orderNumber),
      reason: problem.reason,
      difference: problem.difference,
      suggestion: { orderNumber, accountId, wallet: lines.length === 1 ? lines[0]!.wallet : null },
      openedBy: 'rule',
      note: problem.note,
      policy: this.input.policy,
    });
  }

  /** Why a payment is not the order's, or null when it pays the invoice. */
  private paymentProblem(payment: GatewayPayment): { reason: ExceptionReason; difference: number | null; note: string } | null {
    const { invoice, status, orderNumber } = this.order;
    const taken = this.order.payment ?? this.received;
    if (taken) return { reason: 'duplicate_payment', difference: null, note: `order ${orderNumber} already took payment ${gatewayPaymentId(taken.eventId)}` };
    if (!invoice || payment.providerRef !== invoice.providerRef) {
      return { reason: 'order_not_payable', difference: null, note: `order ${orderNumber} shows no invoice ${payment.providerRef} (it is ${status})` };
    }
    if (payment.amount !== invoice.total) {
      const difference = payment.amount - invoice.total;
      return { reason: 'amount_mismatch', difference, note: `invoice ${invoice.providerRef} bills ${formatRupiah(invoice.total)}; ${difference > 0 ? 'over' : 'under'}paid by ${formatRupiah(Math.abs(difference))}` };
    }
    if (status !== 'awaiting_payment' && status !== 'closed') return { reason: 'order_not_payable', difference: null, note: `order ${orderNumber} is ${status}` };
    return null;
  }

  /** Finance credits a late payment once ("Paid late" → Paid); approving again waits for it and answers the same. */
  private async approveLatePayment({ checkResult, by }: Actor & { checkResult?: string }): Promise<OnlineOrderView> {
    if (this.crediting || this.order.status === 'paid') {
      await condition(() => this.order.status === 'paid');
      return this.snapshot();
    }
    this.order.checkResult = checkResult?.trim() || null;
    return this.applyPayment('approveLatePayment', { action: 'order.approve', by, details: { checkResult: this.order.checkResult } });
  }

  private validateRefund(reason: string): void {
    if (!reason || reason.trim() === '') invalid('reason', 'is required');
    this.allow('refundLatePayment');
  }

  /** Finance refunds a late payment: Closed, nothing credited, the money sent back through the gateway. */
  private async refundLatePayment({ reason, by }: Actor & { reason: string }): Promise<OnlineOrderView> {
    const payment = this.order.payment!;
    const incoming = incomingGatewayPayment(payment, this.order.orderNumber);
    const reference = exceptionRefundReference(incoming.paymentId);
    await requestGatewayRefund({ reference, payment: incoming, amount: payment.amount, reason: reason.trim(), by, workflowId: workflowInfo().workflowId });
    this.order.refund = { reason: reason.trim(), by, reference };
    this.order.checkResult = reason.trim();
    this.changed(this.next('refundLatePayment'));
    return this.record({ action: 'order.reject', by, details: { reason: reason.trim() } });
  }

  /** The customer deletes a draft; deleting again answers it. */
  private async delete({ by }: Actor): Promise<OnlineOrderView> {
    if (this.order.status !== 'deleted') {
      this.order.deadline = null;
      this.changed(this.next('delete'));
      await this.record({ action: 'order.delete', by });
    }
    return this.snapshot();
  }

  // ——— Issuing the invoice ———

  /** Confirm payment: awaiting_payment, issuing the invoice (the timers record it, then call the gateway). */
  private startIssuing(paymentMethod: OnlinePaymentMethod, by: string, billingEmail: string | undefined): Issuance {
    const { policy, timeZone } = this.input;
    const to = this.next('confirmPayment', { paymentMethod });
    this.rounds += 1;
    const now = workflowNow().getTime();
    const bill = billOf(this.input, this.order.lines.map((l) => ({ wallet: l.wallet, amount: l.requested })), paymentMethod);
    const reference = issuanceReference(this.order.orderNumber, this.rounds);
    const current: Issuance = { round: this.rounds, by, reference, paymentMethod, bill, expiresAt: new Date(invoiceExpiresAt(now, timeZone)).toISOString() };
    this.issuance = current;
    const giveUpAt = new Date(now + durationMs(policy.invoiceIssueGiveUpAfter)).toISOString();
    this.order.issuing = { paymentMethod, since: new Date(now).toISOString(), attempts: 0, lastError: null, nextAttemptAt: null, giveUpAt };
    this.order.confirmationFailure = null;
    // The billing info goes to the address on the confirmation step (seed 001).
    this.order.billingEmail = billingEmail ?? null;
    this.order.deadline = giveUpAt;
    this.changed(to);
    return current;
  }

  /** Asks the gateway until it issues the invoice, refuses it, the customer cancels, or `giveUpAt` passes. */
  private async issueInvoice(current: Issuance): Promise<void> {
    // GET shows "issuing" before the gateway is first asked, so a read and a refusal name the same state.
    await this.record();
    const giveUpAt = Date.parse(this.order.issuing!.giveUpAt);
    const timeUp = uncancelledTimer(giveUpAt - workflowNow().getTime());
    while (this.issuance === current) {
      const outcome = await this.callGateway(current, timeUp);
      if (this.issuance !== current) return; // cancelled meanwhile: the cancel recorded it
      switch (outcome.kind) {
        case 'issued':
          return this.applyInvoice(current, outcome.invoice);
        case 'refused':
          await this.stopIssuing(current, 'gateway-refused', `the payment gateway refused the invoice: ${outcome.message}`);
          return;
        case 'out-of-time':
          await this.giveUp(current);
          return;
        case 'stopped':
          return;
        case 'failed':
          if (!(await this.waitToCallAgain(current, outcome.message, giveUpAt, timeUp))) return;
      }
    }
  }

  /**
   * After a failed call: counts it on the order (recorded), then waits its backoff. False when the issuance ended
   * meanwhile (cancelled, or given up here at `giveUpAt`).
   */
  private async waitToCallAgain(current: Issuance, error: string, giveUpAt: number, timeUp: UncancelledTimer): Promise<boolean> {
    const issuing = this.order.issuing!;
    issuing.attempts += 1;
    issuing.lastError = error;
    const next = Math.min(workflowNow().getTime() + issueRetryDelayMs(issuing.attempts), giveUpAt);
    issuing.nextAttemptAt = new Date(next).toISOString();
    this.changed(this.order.status);
    await this.record();
    const backoff = uncancelledTimer(next - workflowNow().getTime());
    await condition(() => this.issuance !== current || backoff.fired() || timeUp.fired());
    if (this.issuance !== current) return false;
    if (timeUp.fired()) {
      await this.giveUp(current);
      return false;
    }
    issuing.nextAttemptAt = null;
    return true;
  }

  /**
   * One gateway call, waited for until the issuance stops (cancelled) or the give-up time passes. A call then still
   * in flight is left to end by its own timeout, its answer unheeded: the void of the issuance covers an invoice it
   * may yet create.
   */
  private async callGateway(current: Issuance, timeUp: UncancelledTimer): Promise<CallOutcome> {
    let outcome: CallOutcome | undefined;
    const { orderNumber, accountId, createdBy } = this.order;
    const request = { orderNumber, reference: current.reference, accountId, createdBy, paymentMethod: current.paymentMethod, total: current.bill.total, expiresAt: current.expiresAt };
    issueGatewayInvoice(request).then(
      (invoice) => (outcome = { kind: 'issued', invoice }),
      (err: unknown) => {
        const { message, refused } = describeFailure(err);
        outcome = refused ? { kind: 'refused', message } : { kind: 'failed', message };
      },
    );
    await condition(() => outcome !== undefined || this.issuance !== current || timeUp.fired());
    if (outcome) return outcome;
    return this.issuance !== current ? { kind: 'stopped' } : { kind: 'out-of-time' };
  }

  /** The invoice is issued: record it (the confirm answers then), store its PDF and email the billing info. */
  private async applyInvoice(current: Issuance, gateway: GatewayInvoice): Promise<void> {
    const { bill, paymentMethod, expiresAt } = current;
    const to = this.next('invoiceIssued');
    this.issuance = null;
    this.order.issuing = null;
    const { subtotal, fee, total } = bill;
    this.order.invoice = { paymentMethod, subtotal, fee, cardFeeBasisPoints: this.input.policy.creditCardFeeBasisPoints, total, issuedAt: workflowNow().toISOString(), expiresAt, ...gateway };
    this.order.deadline = expiresAt;
    upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: paymentMethod }]);
    this.changed(to);
    const view = await this.record({ action: 'online_order.confirm', by: current.by, details: { paymentMethod, total } });
    this.invoiceRecorded = true;
    this.ended.set(current.round, null);
    await storeInvoiceDocument(view);
    await sendOnlineOrderEmail({ event: 'billing', order: view });
  }

  /** The gateway did not issue the invoice within the policy's give-up time. */
  private giveUp(current: Issuance): Promise<OnlineOrderView> {
    const lastError = this.order.issuing?.lastError;
    const why = lastError ? `last error: ${lastError}` : 'it never answered';
    return this.stopIssuing(current, 'gateway-timeout', `the payment gateway did not issue the invoice within ${this.input.policy.invoiceIssueGiveUpAfter}; ${why}`);
  }

  /**
   * Ends an issuance without an invoice: back to the editable unpaid draft with the reason, recorded (with the
   * change, when someone's message made it). Its invoice, should the gateway have issued it after all (a call that
   * timed out here but arrived there), is voided.
   */
  private async stopIssuing(current: Issuance, kind: ConfirmationFailure['kind'], reason: string, change?: OrderChange): Promise<OnlineOrderView> {
    const to = this.next(STOP_EVENT[kind]);
    this.issuance = null;
    this.order.issuing = null;
    this.order.confirmationFailure = { kind, reason, paymentMethod: current.paymentMethod, at: workflowNow().toISOString() };
    this.order.deadline = new Date(this.unpaidCloseAt).toISOString();
    this.changed(to);
    this.voids.push(this.voidInvoice(current));
    const view = await this.record(change);
    this.ended.set(current.round, reason);
    return view;
  }

  private async voidInvoice(current: Issuance): Promise<void> {
    const { orderNumber } = this.order;
    try {
      const outcome = await voidGatewayInvoice({ orderNumber, reference: current.reference });
      // Only someone holding the gateway's own reference could pay an invoice the order never showed; the
      // payment is kept in payment_events for finance, as any payment that matches no invoice of the order.
      if (outcome === 'already-paid') log.error('an abandoned invoice was paid at the gateway', { orderNumber, reference: current.reference });
    } catch (err) {
      log.error('the gateway refused to void an abandoned invoice', { orderNumber, reference: current.reference, error: describeFailure(err).message });
    }
  }

  // ——— Timers ———

  /** Unpaid: a draft nobody confirms is closed like a bank-transfer order. */
  private async closeWhenUnconfirmed(): Promise<void> {
    if (await this.waitUntil(() => this.order.status !== 'unpaid', this.unpaidCloseAt)) return;
    this.order.deadline = null;
    this.changed(this.next('closeUnconfirmed'));
    // The order's own timers and the gateway's payments are logged with no user.
    await this.record({ action: 'online_order.close', by: null, details: { after: this.input.policy.unsubmittedCloseAfter } });
  }

  /** Awaiting payment: Paid when the gateway's callback comes before the invoice expires, else Closed. */
  private async awaitPayment(): Promise<void> {
    if (await this.waitUntil(() => this.received !== null, Date.parse(this.order.invoice!.expiresAt))) {
      this.order.payment = { ...this.received!, late: false };
      await this.applyPayment('paymentReceived', { action: 'online_order.paid', by: null, details: { eventId: this.order.payment.eventId, amount: this.order.payment.amount } });
    } else {
      await this.expireAndWatchForLatePayment();
    }
  }

  /** Closes an expired invoice, then keeps a late payment for finance (a gateway race, a screenshotted QR code). */
  private async expireAndWatchForLatePayment(): Promise<void> {
    this.order.deadline = null;
    this.changed(this.next('invoiceExpired'));
    await this.record({ action: 'online_order.invoice_expired', by: null, details: { expiresAt: this.order.invoice!.expiresAt } });
    const watchUntil = workflowNow().getTime() + durationMs(this.input.policy.latePaymentWatch);
    if (!(await this.waitUntil(() => this.received !== null, watchUntil))) return;
    this.order.payment = { ...this.received!, late: true };
    this.changed(this.next('latePayment'));
    await this.record({ action: 'online_order.paid_late', by: null, details: { eventId: this.order.payment.eventId, amount: this.order.payment.amount } });
    await condition(() => this.order.status !== 'paid_late');
  }

  /** Waits until `done()` or the instant `until` (epoch ms); true when `done()` came first. */
  private async waitUntil(done: () => boolean, until: number): Promise<boolean> {
    if (done()) return true;
    const left = until - workflowNow().getTime();
    if (left <= 0) return false;
    return condition(done, left);
  }

  // ——— State and side effects ———

  private snapshot(): OnlineOrderView {
    return JSON.parse(JSON.stringify(this.order)) as OnlineOrderView;
  }

  private wallets(): string {
    return this.order.lines.map((l) => l.wallet).join(',');
  }

  /** Every change: a new revision, the UI details; on a new status, the search attributes too. */
  private changed(status: OrderStatus): void {
    this.order.revision += 1;
    if (status !== this.order.status) {
      this.order.status = status;
      upsertSearchAttributes([
        { key: SA_ORDER_STATUS, value: status },
        { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
      ]);
    }
    const { invoice, subtotal, deadline } = this.order;
    setCurrentDetails(`**${describeOnlineStatus(this.order)}**: online top-up of ${this.wallets()}, ${formatRupiah(invoice?.total ?? subtotal)}${deadline ? `, until ${deadline}` : ''}`);
  }

  /** Records the current state, with the change someone's message made, if it was one (not a timer, a payment). */
  private async record(change?: OrderChange): Promise<OnlineOrderView> {
    const view = this.snapshot();
    await recordOnlineOrder(view, change);
    return view;
  }

  /** Credits every line once, records Paid and renders the paid invoice (one activity), and emails the requester only. */
  private async applyPayment(event: 'paymentReceived' | 'approveLatePayment', approval?: OrderChange): Promise<OnlineOrderView> {
    this.crediting = true;
    const { settles } = this.input;
    if (settles) await this.payInvoice(settles.invoiceId);
    else this.order.settlement = await creditOnlineLines(this.snapshot());
    this.order.deadline = null;
    this.changed(this.next(event));
    const view = this.snapshot();
    if (patched(PAID_STEP_IN_ONE_ACTIVITY)) {
      await recordPaidOnlineOrder(view, approval);
    } else {
      await recordOnlineOrder(view, approval);
      await storeInvoiceDocument(view);
    }
    await sendOnlineOrderEmail({ event: 'paid', order: view });
    if (settles) await tellBillingDepositCredited(settles.subscriptionId, view.orderNumber);
    return view;
  }

  /** The invoice the order settles is paid with its deposit line; what the invoice cannot take stays in the deposit only within its rules. */
  private async payInvoice(invoiceId: string): Promise<void> {
    const { orderNumber, accountId, lines } = this.order;
    const { depositMinAmount, depositMaxAmount } = this.input.policy;
    const paid = await payInvoiceWithOrder({ orderNumber, accountId, invoiceId, amount: lines[0]!.credit, perWalletKey: true, depositMin: depositMinAmount, depositMax: depositMaxAmount });
    this.order.invoicePayment = paid.outcome;
    this.order.settlement = [{ wallet: 'deposit', settled: paid.settled, added: paid.added, balanceAfter: paid.balanceAfter }];
  }
}
