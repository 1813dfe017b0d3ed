/**
 * One online self top-up (seed 001, DOMAIN.md "Online self top-up") as one workflow (`topup-<orderNumber>`):
 * Unpaid (the editable confirmation page) → confirm payment: a sales invoice with the gateway, Awaiting
 * payment → a verified callback: Paid, each wallet credited (outstanding settled first); or the invoice
 * expires at 23:59:59 of the next day in the account's time zone: Closed. Money that arrives after that is
 * never dropped: the order becomes "Paid late" and finance credits it or marks it for refund.
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
import type { Activities } from '../../activities/index';
import {
  approveLatePaymentUpdate,
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
  type GatewayPayment,
  type OnlineOrderInput,
  type OnlineOrderView,
  type OrderChange,
  type OrderStatus,
} from '../definitions';
import { invoiceExpiresAt } from './invoice-expiry';
import { draftOnlineOrder } from './order-view';
import { priceOnlineOrder, type OnlineBill, type OnlineLineRequest } from './pricing';
import { durationMs, type TopupPolicy } from '../shared/policy';
import { formatRupiah } from '../shared/rupiah';
import { workflowNow } from '../shared/workflow-clock';
import { invalid, refuse } from '../shared/refusals';
import { READ_MODEL_WRITE } from '../shared/activity-options';

const { recordOnlineOrder } = proxyActivities<Activities>(READ_MODEL_WRITE);
const { issueGatewayInvoice, creditOnlineLines, storeInvoiceDocument, sendOnlineOrderEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: ['InvalidInput', 'IdempotencyConflictError', 'PaymentProviderRejected'] },
});

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
    setCurrentDetails(`**${order.status}**: online top-up of ${wallets()}, ${formatRupiah(total)}${order.deadline ? `, until ${order.deadline}` : ''}`);
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
        if (order.status !== 'Unpaid') refuse(`the wallets and amounts cannot change while the order is ${order.status}`);
        price(lines, policy);
      },
    },
  );

  setHandler(
    confirmPaymentUpdate,
    async ({ paymentMethod, by }) => {
      const bill = priceOnlineOrder(order.lines.map((l) => ({ wallet: l.wallet, amount: l.requested })), paymentMethod, policy) as OnlineBill;
      const now = workflowNow().getTime();
      const expiresAt = new Date(invoiceExpiresAt(now, input.timeZone)).toISOString();
      // Claimed before the gateway call, so a second confirm (a double click) is refused at once.
      order.deadline = expiresAt;
      changed('Awaiting payment');
      let gateway: Awaited<ReturnType<typeof issueGatewayInvoice>>;
      try {
        gateway = await issueGatewayInvoice({ orderNumber: order.orderNumber, accountId: order.accountId, createdBy: order.createdBy, paymentMethod, total: bill.total, expiresAt });
      } catch (err) {
        // The gateway refused for good: back to the editable draft, with its own close deadline.
        order.deadline = new Date(unpaidCloseAt).toISOString();
        changed('Unpaid');
        throw err;
      }
      order.invoice = { paymentMethod, subtotal: bill.subtotal, fee: bill.fee, cardFeeBasisPoints: policy.creditCardFeeBasisPoints, total: bill.total, issuedAt: new Date(now).toISOString(), expiresAt, ...gateway };
      upsertSearchAttributes([{ key: SA_PAYMENT_METHOD, value: paymentMethod }]);
      changed();
      const view = await record({ action: 'online_order.confirm', by, details: { paymentMethod, total: bill.total } });
      await storeInvoiceDocument(view);
      await sendOnlineOrderEmail({ event: 'billing', order: view });
      return view;
    },
    {
      validator: (_message) => {
        if (order.status !== 'Unpaid') refuse(`payment can be confirmed only for an Unpaid order; this one is ${order.status}`);
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
        if (order.status !== 'Deleted' && order.status !== 'Unpaid') refuse(`an online order can be deleted only before payment is confirmed; this one is ${order.status}`);
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
    } else if (order.status === 'Awaiting payment' && !order.invoice) {
      // The confirm handler is asking the gateway for the invoice; it either issues it or goes back to Unpaid.
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
  await condition(allHandlersFinished);
  return snapshot();
}
