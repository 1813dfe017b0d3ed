/**
 * The customer-facing side effects of an order: its PDF receipt and its emails. Each loads what it needs by
 * the order it is given, so no PDF bytes pass through workflow history, and each is idempotent: the receipt
 * is stored once per order, and every email has a key from the order and the step.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { ProviderInfo } from '../../config/provider';
import { findReceipt, storeReceipt } from '../../db/bank-transfer/receipts';
import type { BankTransferActivities, OrderEmailEvent, OrderView } from '../../workflows/definitions';
import { orderPaidEmail, orderSubmittedEmail, paymentFailedEmail, type RenderedEmail } from './email-templates';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { loadOrderContext, type OrderContext } from '../../db/orders/order-context';
import { receiptFileName, renderReceiptPdf } from './receipt-pdf';

/** What the notification activities need. */
export interface OrderNotificationDeps {
  pool: Pool;
  provider: ProviderInfo;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/** The idempotency key of an order's email: one per order and step (and per submission where steps repeat). */
export function orderEmailKey(event: OrderEmailEvent, order: Pick<OrderView, 'orderNumber' | 'submissions'>): string {
  return event === 'paid' ? `topup:${order.orderNumber}:paid` : `topup:${order.orderNumber}:${event}:${order.submissions}`;
}

function requirePaid(order: OrderView): NonNullable<OrderView['paid']> {
  if (!order.paid) throw ApplicationFailure.create({ type: 'InvalidInput', message: `order ${order.orderNumber} is not Paid`, nonRetryable: true });
  return order.paid;
}

function composeEmail(event: OrderEmailEvent, order: OrderView, ctx: OrderContext, providerName: string): RenderedEmail {
  const base = { locale: ctx.locale, providerName, orderNumber: order.orderNumber };
  switch (event) {
    case 'submitted':
      return orderSubmittedEmail({ ...base, timeZone: ctx.timeZone, orderTime: order.createdAt, companyName: ctx.companyName, username: ctx.username, amount: order.amount });
    case 'paid': {
      const paid = requirePaid(order);
      return orderPaidEmail({ ...base, wallet: order.wallet, amount: order.amount, settled: paid.settled, added: paid.added, balanceAfter: paid.balanceAfter, held: paid.invoicePayment?.held ?? 0 });
    }
    case 'failed': {
      const failure = order.failure;
      if (!failure) throw ApplicationFailure.create({ type: 'InvalidInput', message: `order ${order.orderNumber} has no failure`, nonRetryable: true });
      const cause = failure.kind === 'rejected' ? { kind: 'rejected' as const, reason: failure.reason } : failure;
      return paymentFailedEmail({ ...base, amount: order.amount, cause });
    }
  }
}

/** Builds the receipt and email activities. */
export function createOrderNotificationActivities(deps: OrderNotificationDeps) {
  return {
    /** Renders the PDF receipt of a Paid order and stores it, once; returns its file name and size. */
    async issueReceipt(order) {
      const paid = requirePaid(order);
      const ctx = await loadOrderContext(deps.pool, order.accountId, order.createdBy);
      const pdf = await renderReceiptPdf({
        locale: ctx.locale,
        timeZone: ctx.timeZone,
        provider: { name: deps.provider.name, address: deps.provider.address, email: deps.provider.email },
        customer: { companyName: ctx.companyName, username: ctx.username },
        orderNumber: order.orderNumber,
        orderTime: order.createdAt,
        paidAt: paid.paidAt,
        wallet: order.wallet,
        paymentMethod: order.paymentMethod ?? 'bank_transfer',
        currency: order.currency,
        amount: order.amount,
        settled: paid.settled,
        added: paid.added,
        balanceAfter: paid.balanceAfter,
        checkResult: order.checkResult,
        invoicePayment: paid.invoicePayment,
      });
      const fileName = receiptFileName({ locale: ctx.locale, orderNumber: order.orderNumber });
      await storeReceipt(deps.pool, order.orderNumber, { fileName, pdf: Buffer.from(pdf) });
      const stored = await findReceipt(deps.pool, order.orderNumber);
      return { fileName: stored!.fileName, size: stored!.pdf.length };
    },

    /** Sends an order's email for `event` to the user who created the order, in the account's locale. */
    async sendOrderEmail(input) {
      const { event, order, submittedBy } = input;
      const ctx = await loadOrderContext(deps.pool, order.accountId, order.createdBy);
      // The seed's submission email names the account username used to submit the slip, who may not be the creator.
      const submitter = submittedBy && submittedBy !== order.createdBy ? await loadOrderContext(deps.pool, order.accountId, submittedBy) : ctx;
      const email = composeEmail(event, order, { ...ctx, username: submitter.username }, deps.provider.name);
      const attachments: SendEmailInput['attachments'] = [];
      if (event === 'paid') {
        const receipt = await findReceipt(deps.pool, order.orderNumber);
        // The workflow issues the receipt first; until it is there, retrying is the right answer.
        if (!receipt) throw new Error(`the receipt of order ${order.orderNumber} is not stored yet`);
        attachments.push({ filename: receipt.fileName, contentBase64: receipt.pdf.toString('base64'), contentType: 'application/pdf' });
      }
      return deps.sendEmail({ idempotencyKey: orderEmailKey(event, order), to: ctx.email, ...email, attachments });
    },
  } satisfies Pick<BankTransferActivities, 'issueReceipt' | 'sendOrderEmail'>;
}
