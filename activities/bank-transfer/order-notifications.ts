/**
 * The customer-facing side effects of an order: its PDF receipt and its emails. Each loads what it needs by
 * the order it is given, so no PDF bytes pass through workflow history, and each is idempotent: the receipt
 * is stored once per order, and every email has a key from the order and the step.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { ProviderInfo } from '../../config/provider';
import type { OrderView } from '../../workflows/definitions';
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

/** The emails an order sends, one per step. */
export type OrderEmailEvent = 'submitted' | 'paid' | 'failed';

/** A stored receipt. */
export interface StoredReceipt {
  fileName: string;
  pdf: Buffer;
}

/** The idempotency key of an order's email: one per order and step (and per submission where steps repeat). */
export function orderEmailKey(event: OrderEmailEvent, order: Pick<OrderView, 'orderNumber' | 'submissions'>): string {
  return event === 'paid' ? `topup:${order.orderNumber}:paid` : `topup:${order.orderNumber}:${event}:${order.submissions}`;
}

/** Reads an order's stored receipt, or null before it is Paid. */
export async function findReceipt(pool: Pool, orderNumber: string): Promise<StoredReceipt | null> {
  const res = await pool.query<{ file_name: string; pdf: Buffer }>('SELECT file_name, pdf FROM receipts WHERE order_number = $1', [orderNumber]);
  const row = res.rows[0];
  return row ? { fileName: row.file_name, pdf: row.pdf } : null;
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
      return orderPaidEmail({ ...base, wallet: order.wallet, amount: order.amount, settled: paid.settled, added: paid.added, balanceAfter: paid.balanceAfter });
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
    async issueReceipt(order: OrderView): Promise<{ fileName: string; size: number }> {
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
      });
      const fileName = receiptFileName({ locale: ctx.locale, orderNumber: order.orderNumber });
      await deps.pool.query('INSERT INTO receipts (order_number, file_name, pdf) VALUES ($1, $2, $3) ON CONFLICT (order_number) DO NOTHING', [
        order.orderNumber,
        fileName,
        Buffer.from(pdf),
      ]);
      const stored = await findReceipt(deps.pool, order.orderNumber);
      return { fileName: stored!.fileName, size: stored!.pdf.length };
    },

    /** Sends an order's email for `event` to the user who created the order, in the account's locale. */
    async sendOrderEmail(input: { event: OrderEmailEvent; order: OrderView }): Promise<SendEmailResult> {
      const { event, order } = input;
      const ctx = await loadOrderContext(deps.pool, order.accountId, order.createdBy);
      const email = composeEmail(event, order, ctx, deps.provider.name);
      const attachments: SendEmailInput['attachments'] = [];
      if (event === 'paid') {
        const receipt = await findReceipt(deps.pool, order.orderNumber);
        // The workflow issues the receipt first; until it is there, retrying is the right answer.
        if (!receipt) throw new Error(`the receipt of order ${order.orderNumber} is not stored yet`);
        attachments.push({ filename: receipt.fileName, contentBase64: receipt.pdf.toString('base64'), contentType: 'application/pdf' });
      }
      return deps.sendEmail({ idempotencyKey: orderEmailKey(event, order), to: ctx.email, ...email, attachments });
    },
  };
}
