/**
 * One online self top-up (seed 001, DOMAIN.md "Online self top-up") as one workflow (`topup-<orderNumber>`):
 * Unpaid (the editable confirmation page) → confirm payment: a sales invoice with the gateway, Awaiting
 * payment → a verified callback: Paid, each wallet credited (outstanding settled first); or the invoice
 * expires at 23:59:59 of the next day in the account's time zone: Closed. Money that arrives after that is
 * never dropped: the order becomes "Paid late" and finance credits it or marks it for refund. Which event leads
 * where is the rules' (transitions.ts).
 */
import { allHandlersFinished, condition, log, proxyActivities, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Actor, OrderChange } from '../orders/order-change';
import { SA_ACCOUNT_ID, SA_ORDER_NUMBER, SA_ORDER_STATUS, SA_PAYMENT_METHOD, SA_STATUS_CHANGED_AT, SA_WALLET } from '../orders/search-attributes';
import type { OrderStatus } from '../orders/statuses';
import { READ_MODEL_WRITE, sideEffects } from '../shared/activity-options';
import { statusName } from '../shared/names';
import { durationMs, type TopupPolicy } from '../shared/policy';
import { invalid, refuse } from '../shared/refusals';
import { formatRupiah } from '../shared/rupiah';
import { workflowNow } from '../shared/workflow-clock';
import { PAYMENT_PROVIDER_REJECTED, type OnlineOrderActivities } from './activity-types';
import { invoiceExpiresAt } from './invoice-expiry';
import {
  approveLatePaymentUpdate,
  confirmPaymentUpdate,
  deleteOnlineOrderUpdate,
  editLinesUpdate,
  getOnlineOrderQuery,
  paymentReceivedSignal,
  refundLatePaymentUpdate,
  type GatewayPayment,
  type OnlineOrderInput,
  type OnlineOrderView,
  type OnlinePaymentMethod,
} from './messages';
import { draftOnlineOrder } from './order-view';
import { priceOnlineOrder, type OnlineBill, type OnlineLineRequest } from './pricing';
import { onlineTransition, type OnlineEvent } from './transitions';

const { recordOnlineOrder } = proxyActivities<OnlineOrderActivities>(READ_MODEL_WRITE);
const { issueGatewayInvoice, creditOnlineLines, storeInvoiceDocument, sendOnlineOrderEmail } = proxyActivities<OnlineOrderActivities>(sideEffects(PAYMENT_PROVIDER_REJECTED));

/** The online top-up order. */
export async function onlineTopupOrder(input: OnlineOrderInput): Promise<OnlineOrderView> {
  const order = new OnlineOrder(input);
  order.listen();
  await order.open();
  await order.runTimers();
  return order.close();
}

/** Prices the lines (the draft's bill before any card fee), or refuses naming the first broken rule. */
function price(lines: OnlineLineRequest[], policy: TopupPolicy): OnlineBill {
  const bill = priceOnlineOrder(lines, 'virtual_account', policy);
  if (Array.isArray(bill)) invalid(bill[0]!.field, bill[0]!.rule);
  return bill;
}

/** The order's state, its message handlers and its timers. */
class OnlineOrder {
  private readonly order: OnlineOrderView;
  /** When an Unpaid draft nobody confirms is closed (epoch ms). */
  private readonly unpaidCloseAt: number;
  /** A verified payment the timers have not applied yet. */
  private received: GatewayPayment | null = null;
  private crediting = false;

  constructor(private readonly input: OnlineOrderInput) {
    const draft = price(input.lines, input.policy);
    this.unpaidCloseAt = workflowNow().getTime() + durationMs(input.policy.unsubmittedCloseAfter);
    this.order = draftOnlineOrder(input, draft, new Date(this.unpaidCloseAt).toISOString());
  }

  /** Registers the query, the signal and the updates, each validated by the rules before it is accepted. */
  listen(): void {
    setHandler(getOnlineOrderQuery, () => this.snapshot());
    setHandler(editLinesUpdate, (m) => this.editLines(m), { validator: ({ lines }) => this.validateLines(lines) });
    setHandler(confirmPaymentUpdate, (m) => this.confirmPayment(m), { validator: (_m) => this.allow('confirmPayment') });
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
      const { status, invoice } = this.order;
      if (status === 'unpaid') await this.closeWhenUnconfirmed();
      // The confirm handler is asking the gateway for the invoice; it either issues it or goes back to Unpaid.
      else if (status === 'awaiting_payment' && !invoice) await condition(() => this.order.invoice !== null || this.order.status !== 'awaiting_payment');
      else if (status === 'awaiting_payment') await this.awaitPayment();
      else return;
    }
  }

  /** Waits for the handlers still running; answers the final view. */
  async close(): Promise<OnlineOrderView> {
    await condition(allHandlersFinished);
    return this.snapshot();
  }

  // ——— The rules ———

  private transition(event: OnlineEvent) {
    return onlineTransition({ status: this.order.status, crediting: this.crediting }, event);
  }

  /** A validator: refuses `event` with the rules' reason unless they allow it. */
  private allow(event: OnlineEvent): void {
    const next = this.transition(event);
    if ('refused' in next) refuse(next.refused);
  }

  /** The status `event` leads to; the validators refused what the rules refuse, so a refusal here is a bug. */
  private next(event: OnlineEvent): OrderStatus {
    const next = this.transition(event);
    if ('refused' in next) throw new Error(`the online order rules refuse ${event} of order ${this.order.orderNumber}: ${next.refused}`);
    return next.to;
  }

  // ——— Messages ———

  private validateLines(lines: OnlineLineRequest[]): void {
    this.allow('editLines');
    price(lines, this.input.policy);
  }

  /** The confirmation page is editable: new wallets and amounts, priced again. */
  private async editLines({ lines, by }: Actor & { lines: OnlineLineRequest[] }): Promise<OnlineOrderView> {
    const bill = price(lines, this.input.policy);
    this.order.lines = bill.lines;
    this.order.subtotal = bill.subtotal;
    upsertSearchAttributes([{ key: SA_WALLET, value: this.wallets() }]);
    this.changed(this.next('editLines'));
    return this.record({ action: 'online_order.edit', by, details: { lines } });
  }

  /** "Confirm payment": the gateway issues the sales invoice, valid until 23:59:59 tomorrow; the billing info is emailed. */
  private async confirmPayment({ paymentMethod, by, billingEmail }: Actor & { paymentMethod: OnlinePaymentMethod; billingEmail?: string }): Promise<OnlineOrderView> {
    const { policy, timeZone } = this.input;
    const bill = priceOnlineOrder(this.order.lines.map((l) => ({ wallet: l.wallet, amount: l.requested })), paymentMethod, policy) as OnlineBill;
    const now = workflowNow().getTime();
    const expiresAt = new Date(invoiceExpiresAt(now, timeZone)).toISOString();
    // Claimed before the gateway call, so a second confirm (a double click) is refused at once.
    this.order.deadline = expiresAt;
    this.order.billingEmail = billingEmail ?? null;
    this.changed(this.next('confirmPayment'));
    const { orderNumber, accountId, createdBy } = this.order;
    let gateway: Awaited<ReturnType<typeof issueGatewayInvoice>>;
    try {
      gateway = await issueGatewayInvoice({ orderNumber, accountId, createdBy, paymentMethod, total: bill.total, expiresAt });
    } catch (err) {
      // The gateway refused for good: back to the editable draft, with its own close deadline.
      this.order.deadline = new Date(this.unpaidCloseAt).toISOString();
      this.changed(this.next('invoiceRefused'));
      throw err;
    }
    const { subtotal, fee, total } = bill;
    this.order.invoice = { paymentMethod, subtotal, fee, cardFeeBasisPoints: policy.creditCardFeeBasisPoints, total, issuedAt: new Date(now).toISOString(), expiresAt, ...gateway };
    upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: paymentMethod }]);
    this.changed(this.order.status);
    const view = await this.record({ action: 'online_order.confirm', by, details: { paymentMethod, total } });
    await storeInvoiceDocument(view);
    await sendOnlineOrderEmail({ event: 'billing', order: view });
    return view;
  }

  /** A verified gateway callback. Signals are not validated by the caller's wait: all but the first payment are logged. */
  private paymentReceived(payment: GatewayPayment): void {
    const { orderNumber, invoice } = this.order;
    if (this.order.payment || this.received) {
      log.warn('payment ignored: the order already has one', { orderNumber, eventId: payment.eventId });
      return;
    }
    if (!invoice || payment.providerRef !== invoice.providerRef || payment.amount !== invoice.total) {
      log.warn('payment ignored: it does not match the invoice', { orderNumber, eventId: payment.eventId });
      return;
    }
    this.received = payment;
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

  /** Finance marks a late payment for refund: Closed, the refund noted, nothing credited. */
  private async refundLatePayment({ reason, by }: Actor & { reason: string }): Promise<OnlineOrderView> {
    this.order.refund = { reason: reason.trim(), by };
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

  // ——— Timers ———

  /** Unpaid: a draft nobody confirms is closed like a bank-transfer order. */
  private async closeWhenUnconfirmed(): Promise<void> {
    if (await this.waitUntil(() => this.order.status !== 'unpaid', this.unpaidCloseAt)) return;
    this.order.deadline = null;
    this.changed(this.next('closeUnconfirmed'));
    await this.record();
  }

  /** Awaiting payment: Paid when the gateway's callback comes before the invoice expires, else Closed. */
  private async awaitPayment(): Promise<void> {
    if (await this.waitUntil(() => this.received !== null, Date.parse(this.order.invoice!.expiresAt))) {
      this.order.payment = { ...this.received!, late: false };
      await this.applyPayment('paymentReceived');
    } else {
      await this.expireAndWatchForLatePayment();
    }
  }

  /** Closes an expired invoice, then keeps a late payment for finance (a gateway race, a screenshotted QR code). */
  private async expireAndWatchForLatePayment(): Promise<void> {
    this.order.deadline = null;
    this.changed(this.next('invoiceExpired'));
    await this.record();
    const watchUntil = workflowNow().getTime() + durationMs(this.input.policy.latePaymentWatch);
    if (!(await this.waitUntil(() => this.received !== null, watchUntil))) return;
    this.order.payment = { ...this.received!, late: true };
    this.changed(this.next('latePayment'));
    await this.record();
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
    setCurrentDetails(`**${statusName(this.order.status, 'en')}**: online top-up of ${this.wallets()}, ${formatRupiah(invoice?.total ?? subtotal)}${deadline ? `, until ${deadline}` : ''}`);
  }

  /** Records the current state, with the change someone's message made, if it was one (not a timer, a payment). */
  private async record(change?: OrderChange): Promise<OnlineOrderView> {
    const view = this.snapshot();
    await recordOnlineOrder(view, change);
    return view;
  }

  /** Credits every line once, renders the paid invoice and emails the requester only. */
  private async applyPayment(event: 'paymentReceived' | 'approveLatePayment', approval?: OrderChange): Promise<OnlineOrderView> {
    this.crediting = true;
    this.order.settlement = await creditOnlineLines(this.snapshot());
    this.order.deadline = null;
    this.changed(this.next(event));
    const view = await this.record(approval);
    await storeInvoiceDocument(view);
    await sendOnlineOrderEmail({ event: 'paid', order: view });
    return view;
  }
}
