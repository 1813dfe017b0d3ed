/**
 * The side effects of an online order: the gateway's invoice, crediting each wallet line, the proforma invoice
 * PDF and the two emails: the billing info to the billing email on the confirmation step, the paid email only to the
 * user who requested the top-up (seed 001).
 * Each is idempotent: the gateway keys invoices by our reference of the issuance (and voids by it), the ledger
 * each line by order and wallet, the stored PDF by the order's revision, and every email by the order and the step.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { ProviderInfo } from '../../config/provider';
import { creditTopup } from '../../db/ledger/ledger';
import { findInvoiceDocument, storeInvoiceDocument } from '../../db/online/invoice-documents';
import { loadOrderContext, type OrderContext } from '../../db/orders/order-context';
import type { LineSettlement, OnlineOrderActivities, OnlineOrderView } from '../../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { billingInfoEmail, onlinePaidEmail } from './email-templates';
import { proformaInvoiceFileName, renderProformaInvoicePdf, type InvoiceStatus, type ProformaInvoiceData } from './invoice-pdf';
import type { PaymentProvider } from './payment-provider';

/** What the online order activities need. */
export interface OnlineOrderActivityDeps {
  pool: Pool;
  provider: ProviderInfo;
  gateway: PaymentProvider;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

const INVOICE_STATUSES: readonly InvoiceStatus[] = ['awaiting_payment', 'paid', 'closed', 'paid_late'];

function requireInvoice(order: OnlineOrderView): NonNullable<OnlineOrderView['invoice']> {
  if (!order.invoice) throw ApplicationFailure.create({ type: 'InvalidInput', message: `order ${order.orderNumber} has no invoice yet`, nonRetryable: true });
  return order.invoice;
}

function invoiceData(order: OnlineOrderView, ctx: OrderContext, provider: ProviderInfo): ProformaInvoiceData {
  const invoice = requireInvoice(order);
  const status = INVOICE_STATUSES.find((s) => s === order.status) ?? 'awaiting_payment';
  return {
    locale: ctx.locale,
    timeZone: ctx.timeZone,
    provider: { name: provider.name, address: provider.address, email: provider.email },
    customer: { companyName: ctx.companyName, username: ctx.username, email: ctx.email },
    orderNumber: order.orderNumber,
    issuedAt: invoice.issuedAt,
    expiresAt: invoice.expiresAt,
    status,
    paymentMethod: invoice.paymentMethod,
    payment: { vaNumber: invoice.vaNumber, bankCode: invoice.bankCode, paymentUrl: invoice.paymentUrl },
    lines: order.lines,
    subtotal: invoice.subtotal,
    fee: invoice.fee,
    cardFeeBasisPoints: invoice.cardFeeBasisPoints,
    total: invoice.total,
    // Money for a subscription invoice that neither it nor the deposit could take is held for finance.
    settlement: order.settlement?.map((s) => (s.wallet === 'deposit' && order.invoicePayment ? { ...s, held: order.invoicePayment.held } : s)) ?? null,
  };
}

/** Builds the online order activities. */
export function createOnlineOrderActivities(deps: OnlineOrderActivityDeps) {
  return {
    /** Issues (or finds again: keyed by the reference) the gateway's invoice for the order's total. */
    async issueGatewayInvoice(req) {
      const ctx = await loadOrderContext(deps.pool, req.accountId, req.createdBy);
      const invoice = await deps.gateway.createInvoice({
        merchantRef: req.orderNumber,
        reference: req.reference ?? req.orderNumber,
        method: req.paymentMethod,
        amount: req.total,
        expiresAt: req.expiresAt,
        customer: { name: ctx.companyName, email: ctx.email },
        description: `Top-up order ${req.orderNumber}`,
      });
      return { providerRef: invoice.providerRef, vaNumber: invoice.vaNumber, bankCode: invoice.bankCode, paymentUrl: invoice.paymentUrl };
    },

    /** Makes sure the invoice of an issuance the order gave up on can never be paid (idempotent). */
    async voidGatewayInvoice(req) {
      return deps.gateway.voidInvoice(req.reference);
    },

    /** Credits every line to its wallet, once each (outstanding settled first); returns the split per wallet. */
    async creditOnlineLines(order) {
      const settlement: LineSettlement[] = [];
      for (const line of order.lines) {
        const credit = await creditTopup(deps.pool, { orderNumber: order.orderNumber, accountId: order.accountId, wallet: line.wallet, amount: line.credit, perWalletKey: true });
        settlement.push({ wallet: line.wallet, settled: credit.settled, added: credit.added, balanceAfter: credit.balanceAfter.current });
      }
      return settlement;
    },

    /** Renders the proforma invoice as the order now stands and keeps the newest revision of it. */
    async storeInvoiceDocument(order) {
      const ctx = await loadOrderContext(deps.pool, order.accountId, order.createdBy);
      const data = invoiceData(order, ctx, deps.provider);
      const pdf = Buffer.from(await renderProformaInvoicePdf(data));
      const fileName = proformaInvoiceFileName(data);
      await storeInvoiceDocument(deps.pool, order.orderNumber, order.revision, { fileName, pdf });
      return { fileName, size: pdf.length };
    },

    /** Sends the billing info or the payment-successful email, only to the user who requested the top-up. */
    async sendOnlineOrderEmail(input) {
      const { event, order } = input;
      const ctx = await loadOrderContext(deps.pool, order.accountId, order.createdBy);
      const data = invoiceData(order, ctx, deps.provider);
      const base = { ...data, providerName: deps.provider.name };
      const attachments: SendEmailInput['attachments'] = [];
      let email;
      if (event === 'billing') {
        email = billingInfoEmail(base);
      } else {
        if (!order.settlement) throw ApplicationFailure.create({ type: 'InvalidInput', message: `order ${order.orderNumber} is not Paid`, nonRetryable: true });
        email = onlinePaidEmail({ ...base, settlement: base.settlement ?? order.settlement });
        const doc = await findInvoiceDocument(deps.pool, order.orderNumber);
        // The workflow stores the paid invoice first; until it is there, retrying is the right answer.
        if (!doc) throw new Error(`the invoice of order ${order.orderNumber} is not stored yet`);
        attachments.push({ filename: doc.fileName, contentBase64: doc.pdf.toString('base64'), contentType: 'application/pdf' });
      }
      // The billing info goes to the address on the confirmation step (seed 001); the paid email only to the requester.
      const to = event === 'billing' ? (order.billingEmail ?? ctx.email) : ctx.email;
      return deps.sendEmail({ idempotencyKey: `online:${order.orderNumber}:${event}`, to, ...email, attachments });
    },
  } satisfies Omit<OnlineOrderActivities, 'recordOnlineOrder' | 'recordPaidOnlineOrder' | 'payInvoiceWithOrder' | 'depositStanding'>;
}
