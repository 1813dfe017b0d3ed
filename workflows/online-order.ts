/**
 * One online self top-up (seed 001, DOMAIN.md "Online self top-up") as one workflow (`topup-<orderNumber>`):
 * Unpaid (the editable confirmation page) → confirm payment: Awaiting payment, "issuing the invoice" recorded
 * before the gateway is called, then the sales invoice (or, when the gateway stays away past the policy's
 * `invoiceIssueGiveUpAfter`, refuses, or the customer cancels: back to Unpaid with the reason) → a verified
 * callback: Paid, each wallet credited (outstanding settled first); or the invoice
 * expires at 23:59:59 of the next day in the account's time zone: Closed. Money that arrives after that is
 * never dropped: the order becomes "Paid late" and finance credits it or marks it for refund.
 */
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  log,
  patched,
  proxyActivities,
  sleep,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  approveLatePaymentUpdate,
  cancelConfirmationUpdate,
  confirmPaymentUpdate,
  deleteOnlineOrderUpdate,
  editLinesUpdate,
  getOnlineOrderQuery,
  paymentReceivedSignal,
  refundLatePaymentUpdate,
  SA_ACCOUNT_ID,
  SA_ORDER_NUMBER,
  SA_ORDER_STATUS,
  SA_PAYMENT_METHOD,
  SA_STATUS_CHANGED_AT,
  SA_WALLET,
  FAILURE_TYPES,
  type ConfirmationFailure,
  type GatewayPayment,
  type OnlineOrderInput,
  type OnlineOrderView,
  type OnlinePaymentMethod,
  type OrderChange,
  type OrderStatus,
} from './definitions';
import { describeOnlineStatus, invoiceIssueGiveUpAfter, issuanceReference, issueRetryDelayMs } from './invoice-issuing';
import { invoiceExpiresAt } from './invoice-expiry';
import { draftOnlineOrder } from './online-order-view';
import { priceOnlineOrder, type OnlineBill, type OnlineLineRequest } from './online-rules';
import { durationMs, type TopupPolicy } from './policy';
import { formatRupiah } from './rupiah';
import { workflowNow } from './workflow-clock';
import { invalid, refuse } from './refusals';
import { READ_MODEL_WRITE } from './read-model-activity';

const { recordOnlineOrder } = proxyActivities<Activities>(READ_MODEL_WRITE);
const SIDE_EFFECT_RETRY = { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['InvalidInput', 'IdempotencyConflictError', 'PaymentProviderRejected'] };
const { issueGatewayInvoice, creditOnlineLines, storeInvoiceDocument, sendOnlineOrderEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: SIDE_EFFECT_RETRY,
});
/**
 * One gateway call per activity: the workflow itself calls again, so every failure is counted and shown on the
 * order, and it can give up or stop when the customer cancels. The adapter gives up on the gateway after 10 s.
 */
const { issueGatewayInvoice: issueGatewayInvoiceOnce } = proxyActivities<Activities>({ startToCloseTimeout: '20s', retry: { maximumAttempts: 1 } });
/** Voiding an abandoned issuance retries until the gateway answers: an invoice we gave up on must never stay payable. */
const { voidGatewayInvoice } = proxyActivities<Activities>({ startToCloseTimeout: '20s', retry: SIDE_EFFECT_RETRY });

/** Orders that ran confirm before this patch issue the invoice inside the update, and never give up. */
const ISSUING_RECORDED_PATCH = 'invoice-issuing-recorded';
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
  | { kind: 'issued'; invoice: Awaited<ReturnType<typeof issueGatewayInvoice>> }
  | { kind: 'refused'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'stopped' }
  | { kind: 'out-of-time' };

/**
 * A timer the workflow never cancels: `fired()` turns true after `ms`; whoever stops waiting for it earlier just
 * lets it fire unheeded (one empty workflow task). The issuing code waits with these rather than with
 * `condition(…, timeout)`, whose timer is cancelled when the condition comes first: the time-skipping test server
 * strands a run whose workflow task cancels a timer that fired while the task was with the worker
 * (temporalio/sdk-java#3088), and a confirm's wait, a retry's backoff and the give-up time all race the gateway.
 */
function uncancelledTimer(ms: number): { fired: () => boolean } {
  let fired = false;
  void CancellationScope.nonCancellable(() => sleep(Math.max(1, ms))).then(() => {
    fired = true;
  });
  return { fired: () => fired };
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

/** The online top-up order. */
export async function onlineTopupOrder(input: OnlineOrderInput): Promise<OnlineOrderView> {
  const { policy } = input;
  const draft = price(input.lines, policy);
  const unpaidCloseAt = workflowNow().getTime() + durationMs(policy.unsubmittedCloseAfter);
  const order: OnlineOrderView = draftOnlineOrder(input, draft, new Date(unpaidCloseAt).toISOString());
  /** A verified payment the main loop has not applied yet. */
  let received: GatewayPayment | null = null;
  let crediting = false;
  /** The issuance the main loop is working on, and how many confirmations the order has had. */
  let issuance: Issuance | null = null;
  let rounds = 0;
  /** How each confirmation ended once recorded: null when its invoice was issued, else the reason it was not. */
  const ended = new Map<number, string | null>();
  /** Voids of abandoned issuances still running; the workflow finishes only after them. */
  const voids: Promise<void>[] = [];
  /** The invoice is in the read model: a repeated confirm answers only then, so its 200 and GET agree. */
  let invoiceRecorded = false;

  const snapshot = (): OnlineOrderView => JSON.parse(JSON.stringify(order)) as OnlineOrderView;
  const wallets = () => order.lines.map((l) => l.wallet).join(',');

  function changed(status?: OrderStatus): void {
    order.revision += 1;
    if (status && status !== order.status) {
      order.status = status;
      upsertSearchAttributes([
        { key: SA_ORDER_STATUS, value: status },
        { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
      ]);
    }
    const total = order.invoice?.total ?? order.subtotal;
    setCurrentDetails(`**${describeOnlineStatus(order)}**: online top-up of ${wallets()}, ${formatRupiah(total)}${order.deadline ? `, until ${order.deadline}` : ''}`);
  }

  /** Records the current state, with the change someone's message made, if it was one (not a timer, a payment). */
  async function record(change?: OrderChange): Promise<OnlineOrderView> {
    const view = snapshot();
    await recordOnlineOrder(view, change);
    return view;
  }

  /** Credits every line once, renders the paid invoice and emails the requester only. */
  async function applyPayment(approval?: OrderChange): Promise<OnlineOrderView> {
    crediting = true;
    order.settlement = await creditOnlineLines(snapshot());
    order.deadline = null;
    changed('Paid');
    const view = await record(approval);
    await storeInvoiceDocument(view);
    await sendOnlineOrderEmail({ event: 'paid', order: view });
    return view;
  }

  /** Confirm payment: Awaiting payment, issuing the invoice (the main loop records it, then calls the gateway). */
  function startIssuing(paymentMethod: OnlinePaymentMethod, by: string): Issuance {
    rounds += 1;
    const now = workflowNow().getTime();
    const bill = priceOnlineOrder(order.lines.map((l) => ({ wallet: l.wallet, amount: l.requested })), paymentMethod, policy) as OnlineBill;
    const current: Issuance = {
      round: rounds,
      by,
      reference: issuanceReference(order.orderNumber, rounds),
      paymentMethod,
      bill,
      expiresAt: new Date(invoiceExpiresAt(now, input.timeZone)).toISOString(),
    };
    issuance = current;
    const giveUpAt = new Date(now + durationMs(invoiceIssueGiveUpAfter(policy))).toISOString();
    order.issuing = { paymentMethod, since: new Date(now).toISOString(), attempts: 0, lastError: null, nextAttemptAt: null, giveUpAt };
    order.confirmationFailure = null;
    order.deadline = giveUpAt;
    changed('Awaiting payment');
    return current;
  }

  /**
   * Ends an issuance without an invoice: back to the editable Unpaid draft with the reason, recorded. Its
   * invoice, should the gateway have issued it after all (a call that timed out here but arrived there), is voided.
   */
  async function stopIssuing(current: Issuance, kind: ConfirmationFailure['kind'], reason: string, change?: OrderChange): Promise<OnlineOrderView> {
    issuance = null;
    order.issuing = null;
    order.confirmationFailure = { kind, reason, paymentMethod: current.paymentMethod, at: workflowNow().toISOString() };
    order.deadline = new Date(unpaidCloseAt).toISOString();
    changed('Unpaid');
    voids.push(voidInvoice(current));
    const view = await record(change);
    ended.set(current.round, reason);
    return view;
  }

  async function voidInvoice(current: Issuance): Promise<void> {
    try {
      const outcome = await voidGatewayInvoice({ orderNumber: order.orderNumber, reference: current.reference });
      // Only someone holding the gateway's own reference could pay an invoice the order never showed; the
      // payment is kept in payment_events for finance, as any payment that matches no invoice of the order.
      if (outcome === 'already-paid') log.error('an abandoned invoice was paid at the gateway', { orderNumber: order.orderNumber, reference: current.reference });
    } catch (err) {
      log.error('the gateway refused to void an abandoned invoice', { orderNumber: order.orderNumber, reference: current.reference, error: describeFailure(err).message });
    }
  }

  /**
   * One gateway call, waited for until the issuance stops (cancelled) or the give-up time passes. A call then still
   * in flight is left to end by its own timeout, its answer unheeded: the void of the issuance covers an invoice it
   * may yet create.
   */
  async function callGateway(current: Issuance, timeUp: { fired: () => boolean }): Promise<CallOutcome> {
    let outcome: CallOutcome | undefined;
    const request = {
      orderNumber: order.orderNumber,
      reference: current.reference,
      accountId: order.accountId,
      createdBy: order.createdBy,
      paymentMethod: current.paymentMethod,
      total: current.bill.total,
      expiresAt: current.expiresAt,
    };
    issueGatewayInvoiceOnce(request).then(
      (invoice) => (outcome = { kind: 'issued', invoice }),
      (err: unknown) => {
        const { message, refused } = describeFailure(err);
        outcome = refused ? { kind: 'refused', message } : { kind: 'failed', message };
      },
    );
    await condition(() => outcome !== undefined || issuance !== current || timeUp.fired());
    if (outcome) return outcome;
    return issuance !== current ? { kind: 'stopped' } : { kind: 'out-of-time' };
  }

  /** The invoice is issued: record it (the confirm answers then), store its PDF and email the billing info. */
  async function applyInvoice(current: Issuance, gateway: Awaited<ReturnType<typeof issueGatewayInvoice>>): Promise<void> {
    const { bill, paymentMethod } = current;
    issuance = null;
    order.issuing = null;
    order.invoice = {
      paymentMethod,
      subtotal: bill.subtotal,
      fee: bill.fee,
      cardFeeBasisPoints: policy.creditCardFeeBasisPoints,
      total: bill.total,
      issuedAt: workflowNow().toISOString(),
      expiresAt: current.expiresAt,
      ...gateway,
    };
    order.deadline = current.expiresAt;
    upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: paymentMethod }]);
    changed();
    const view = await record({ action: 'online_order.confirm', by: current.by, details: { paymentMethod, total: bill.total } });
    invoiceRecorded = true;
    ended.set(current.round, null);
    await storeInvoiceDocument(view);
    await sendOnlineOrderEmail({ event: 'billing', order: view });
  }

  /** Asks the gateway until it issues the invoice, refuses it, the customer cancels, or `giveUpAt` passes. */
  async function issueInvoice(current: Issuance): Promise<void> {
    // GET shows "issuing" before the gateway is first asked, so a read and a refusal name the same state.
    await record();
    const giveUpAt = Date.parse(order.issuing!.giveUpAt);
    const timeUp = uncancelledTimer(giveUpAt - workflowNow().getTime());
    const giveUp = () =>
      stopIssuing(
        current,
        'gateway-timeout',
        `the payment gateway did not issue the invoice within ${invoiceIssueGiveUpAfter(policy)}; ${order.issuing?.lastError ? `last error: ${order.issuing.lastError}` : 'it never answered'}`,
      );
    while (issuance === current) {
      const outcome = await callGateway(current, timeUp);
      if (issuance !== current) return; // cancelled meanwhile: the cancel recorded it
      switch (outcome.kind) {
        case 'issued':
          return applyInvoice(current, outcome.invoice);
        case 'refused':
          await stopIssuing(current, 'gateway-refused', `the payment gateway refused the invoice: ${outcome.message}`);
          return;
        case 'out-of-time':
          await giveUp();
          return;
        case 'stopped':
          return;
        case 'failed': {
          const issuing = order.issuing!;
          issuing.attempts += 1;
          issuing.lastError = outcome.message;
          const next = Math.min(workflowNow().getTime() + issueRetryDelayMs(issuing.attempts), giveUpAt);
          issuing.nextAttemptAt = new Date(next).toISOString();
          changed();
          await record();
          const backoff = uncancelledTimer(next - workflowNow().getTime());
          await condition(() => issuance !== current || backoff.fired() || timeUp.fired());
          if (issuance !== current) return;
          if (timeUp.fired()) {
            await giveUp();
            return;
          }
          issuing.nextAttemptAt = null;
        }
      }
    }
  }

  /** Confirm payment as orders that started before ISSUING_RECORDED_PATCH do it (their histories replay this). */
  async function legacyConfirm(paymentMethod: OnlinePaymentMethod, by: string): Promise<OnlineOrderView> {
    const bill = priceOnlineOrder(order.lines.map((l) => ({ wallet: l.wallet, amount: l.requested })), paymentMethod, policy) as OnlineBill;
    const now = workflowNow().getTime();
    const expiresAt = new Date(invoiceExpiresAt(now, input.timeZone)).toISOString();
    order.deadline = expiresAt;
    changed('Awaiting payment');
    let gateway: Awaited<ReturnType<typeof issueGatewayInvoice>>;
    try {
      gateway = await issueGatewayInvoice({ orderNumber: order.orderNumber, accountId: order.accountId, createdBy: order.createdBy, paymentMethod, total: bill.total, expiresAt });
    } catch (err) {
      order.deadline = new Date(unpaidCloseAt).toISOString();
      changed('Unpaid');
      throw err;
    }
    order.invoice = { paymentMethod, subtotal: bill.subtotal, fee: bill.fee, cardFeeBasisPoints: policy.creditCardFeeBasisPoints, total: bill.total, issuedAt: new Date(now).toISOString(), expiresAt, ...gateway };
    upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: paymentMethod }]);
    changed();
    const view = await record({ action: 'online_order.confirm', by, details: { paymentMethod, total: bill.total } });
    invoiceRecorded = true;
    await storeInvoiceDocument(view);
    await sendOnlineOrderEmail({ event: 'billing', order: view });
    return view;
  }

  setHandler(getOnlineOrderQuery, snapshot);

  setHandler(
    editLinesUpdate,
    async ({ lines, by }) => {
      const bill = price(lines, policy);
      order.lines = bill.lines;
      order.subtotal = bill.subtotal;
      upsertSearchAttributes([{ key: SA_WALLET, value: wallets() }]);
      changed();
      return record({ action: 'online_order.edit', by, details: { lines } });
    },
    {
      validator: ({ lines }) => {
        if (order.status !== 'Unpaid') refuse(`the wallets and amounts cannot change while the order is ${describeOnlineStatus(order)}`);
        price(lines, policy);
      },
    },
  );

  setHandler(
    confirmPaymentUpdate,
    async ({ paymentMethod, waitMs, by }) => {
      if (!patched(ISSUING_RECORDED_PATCH)) return legacyConfirm(paymentMethod, by);
      // A repeat of the confirmation that issued the invoice (the validator checked the method).
      if (order.invoice) {
        await condition(() => invoiceRecorded);
        return snapshot();
      }
      // The first confirm starts the issuance; a repeat with the same method joins it.
      const current = issuance ?? startIssuing(paymentMethod, by);
      const waited = waitMs === undefined ? null : uncancelledTimer(waitMs);
      await condition(() => ended.has(current.round) || (waited?.fired() ?? false));
      const reason = ended.get(current.round);
      if (typeof reason === 'string') throw ApplicationFailure.create({ type: FAILURE_TYPES.invoiceNotIssued, message: reason, nonRetryable: true });
      // The invoice, or the order still issuing it after `waitMs`: the caller asks again.
      return snapshot();
    },
    {
      validator: ({ paymentMethod, waitMs }) => {
        if (waitMs !== undefined && (!Number.isInteger(waitMs) || waitMs < 1 || waitMs > LONGEST_CONFIRM_WAIT_MS)) {
          invalid('waitMs', `must be a whole number of milliseconds from 1 to ${LONGEST_CONFIRM_WAIT_MS}`);
        }
        const issuing = order.issuing;
        if (issuing) {
          if (issuing.paymentMethod === paymentMethod) return;
          refuse(`payment is already being confirmed with ${issuing.paymentMethod}; this order is ${describeOnlineStatus(order)}: confirm with ${issuing.paymentMethod} to wait for its invoice, or cancel the confirmation first`);
        }
        if (order.status === 'Awaiting payment' && order.invoice?.paymentMethod === paymentMethod) return;
        if (order.status !== 'Unpaid') refuse(`payment can be confirmed only for an Unpaid order; this one is ${describeOnlineStatus(order)}`);
      },
    },
  );

  setHandler(
    cancelConfirmationUpdate,
    async ({ by }) => {
      // Nothing to cancel (a repeat, or the order is still a draft): the order as it is.
      if (!issuance) return snapshot();
      return stopIssuing(issuance, 'cancelled', 'the customer cancelled the confirmation before the invoice was issued', { action: 'online_order.cancel_confirmation', by });
    },
    {
      validator: (_message) => {
        if (order.issuing || order.status === 'Unpaid') return;
        refuse(`only a confirmation whose invoice is still being issued can be cancelled; this order is ${describeOnlineStatus(order)}`);
      },
    },
  );

  setHandler(paymentReceivedSignal, (payment) => {
    // Signals are not validated by the caller's wait: everything that is not the first payment is logged.
    if (order.payment || received) {
      log.warn('payment ignored: the order already has one', { orderNumber: order.orderNumber, eventId: payment.eventId });
      return;
    }
    if (!order.invoice || payment.providerRef !== order.invoice.providerRef || payment.amount !== order.invoice.total) {
      log.warn('payment ignored: it does not match the invoice', { orderNumber: order.orderNumber, eventId: payment.eventId });
      return;
    }
    received = payment;
  });

  setHandler(
    approveLatePaymentUpdate,
    async ({ checkResult, by }) => {
      if (crediting || order.status === 'Paid') {
        await condition(() => order.status === 'Paid');
        return snapshot();
      }
      order.checkResult = checkResult?.trim() || null;
      return applyPayment({ action: 'order.approve', by, details: { checkResult: order.checkResult } });
    },
    {
      validator: (_message) => {
        if (crediting || order.status === 'Paid') return;
        if (order.status !== 'Paid late') refuse(`only a Paid late online order can be approved by finance; this one is ${order.status}`);
      },
    },
  );

  setHandler(
    refundLatePaymentUpdate,
    async ({ reason, by }) => {
      order.refund = { reason: reason.trim(), by };
      order.checkResult = reason.trim();
      changed('Closed');
      return record({ action: 'order.reject', by, details: { reason: reason.trim() } });
    },
    {
      validator: ({ reason }) => {
        if (!reason || reason.trim() === '') invalid('reason', 'is required');
        if (crediting || order.status !== 'Paid late') refuse(`only a Paid late online order can be marked for refund; this one is ${order.status}`);
      },
    },
  );

  setHandler(
    deleteOnlineOrderUpdate,
    async ({ by }) => {
      if (order.status !== 'Deleted') {
        order.deadline = null;
        changed('Deleted');
        await record({ action: 'order.delete', by });
      }
      return snapshot();
    },
    {
      validator: (_message) => {
        if (order.status !== 'Deleted' && order.status !== 'Unpaid') refuse(`an online order can be deleted only before payment is confirmed; this one is ${describeOnlineStatus(order)}`);
      },
    },
  );

  upsertSearchAttributes([
    { key: SA_ACCOUNT_ID, value: input.accountId },
    { key: SA_ORDER_NUMBER, value: input.orderNumber },
    { key: SA_WALLET, value: wallets() },
    { key: SA_ORDER_STATUS, value: order.status },
    { key: SA_PAYMENT_METHOD, value: 'none' },
    { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
  ]);
  changed();
  await record();

  /** Closes an expired invoice, then keeps a late payment for finance (a gateway race, a screenshotted QR code). */
  async function expireAndWatchForLatePayment(): Promise<void> {
    order.deadline = null;
    changed('Closed');
    await record();
    const watchUntil = workflowNow().getTime() + durationMs(policy.latePaymentWatch);
    if (await waitUntil(() => received !== null, watchUntil)) {
      order.payment = { ...received!, late: true };
      changed('Paid late');
      await record();
      await condition(() => order.status !== 'Paid late');
    }
  }

  /** Waits until `done()` or the instant `until` (epoch ms); true when `done()` came first. */
  async function waitUntil(done: () => boolean, until: number): Promise<boolean> {
    if (done()) return true;
    const left = until - workflowNow().getTime();
    if (left <= 0) return false;
    return condition(done, left);
  }

  for (;;) {
    if (order.status === 'Unpaid') {
      // A draft is closed like a bank-transfer order when nobody confirms it.
      if (!(await waitUntil(() => order.status !== 'Unpaid', unpaidCloseAt))) {
        order.deadline = null;
        changed('Closed');
        await record();
      }
    } else if (order.status === 'Awaiting payment' && issuance) {
      await issueInvoice(issuance);
    } else if (order.status === 'Awaiting payment' && !order.invoice) {
      // An order confirmed before ISSUING_RECORDED_PATCH: its confirm handler asks the gateway itself.
      await condition(() => order.invoice !== null || order.status !== 'Awaiting payment');
    } else if (order.status === 'Awaiting payment') {
      if (await waitUntil(() => received !== null, Date.parse(order.invoice!.expiresAt))) {
        order.payment = { ...received!, late: false };
        await applyPayment();
      } else {
        await expireAndWatchForLatePayment();
      }
    } else {
      break;
    }
  }
  await Promise.all(voids);
  await condition(allHandlersFinished);
  return snapshot();
}
