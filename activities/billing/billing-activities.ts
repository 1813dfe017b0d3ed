/**
 * The side effects of subscription billing (seed 002): the renewal invoice and its PDF, its payment from the
 * deposit as one ledger entry, the subscription's status, and the owner's email when the deposit did not cover
 * it. Each is idempotent: the invoice is keyed by subscription and period, the deposit charge by the invoice, the
 * email by the invoice too, and the stored PDF follows the invoice's status.
 */
import type { Pool } from 'pg';
import type { ProviderInfo } from '../../config/provider';
import { findAccountOwner } from '../../db/accounts/accounts';
import { findInvoice, findInvoiceParties, issueRenewalInvoice, markInvoicePaid, storeInvoicePdf, type InvoiceRecord } from '../../db/billing/invoices';
import { findSubscription, setSubscriptionStatus } from '../../db/billing/subscriptions';
import { InsufficientBalanceError, recordUsage } from '../../db/ledger/ledger';
import type { BillingActivities, TopupPolicy, WebhookEventType } from '../../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { publishEvent } from '../webhooks/publish';
import { wakeAutoTopupRule } from '../auto-topup/wake-rule';
import { renderSubscriptionInvoicePdf, subscriptionInvoiceFileName, unpaidInvoiceEmail, type SubscriptionInvoiceData } from './subscription-invoice';

/** What the billing activities need. */
export interface BillingActivityDeps {
  pool: Pool;
  provider: ProviderInfo;
  /** For the invoice webhook events' delivery workflows. */
  policy: TopupPolicy;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/** Publishes an invoice's webhook event once per invoice and step (`invoice.issued`, `.paid`, `.unpaid`). */
function publishInvoiceEvent(deps: BillingActivityDeps, type: Extract<WebhookEventType, `invoice.${string}`>, invoice: InvoiceRecord): Promise<void> {
  const { ledgerEntryId: _entry, ...shown } = invoice;
  return publishEvent(deps.pool, deps.policy, { sourceKey: `${type}:${invoice.id}`, accountId: invoice.accountId, type, data: { invoice: shown } });
}

/** What an invoice's PDF or email shows. */
async function invoiceDocumentData(deps: BillingActivityDeps, invoice: InvoiceRecord): Promise<SubscriptionInvoiceData> {
  const { companyName, locale, timeZone, product } = await findInvoiceParties(deps.pool, invoice.id);
  const { name, address, email } = deps.provider;
  const { id, periodStart, periodEnd, amount, issuedAt, dueAt, status, paidAt } = invoice;
  return { locale, timeZone, provider: { name, address, email }, companyName, invoiceId: id, product, periodStart, periodEnd, amount, issuedAt, dueAt, status, paidAt };
}

async function requireInvoice(pool: Pool, id: string): Promise<InvoiceRecord> {
  const invoice = await findInvoice(pool, id);
  if (!invoice) throw new Error(`invoice ${id} does not exist`);
  return invoice;
}

/** The invoice as it stands, rendered: what it shows, and the PDF. */
async function renderDocument(deps: BillingActivityDeps, invoice: InvoiceRecord): Promise<{ data: SubscriptionInvoiceData; pdf: Buffer }> {
  const data = await invoiceDocumentData(deps, invoice);
  return { data, pdf: Buffer.from(await renderSubscriptionInvoicePdf(data)) };
}

/** Renders the invoice as it stands and stores it, for GET /v1/invoices/{id}.pdf. */
async function storeDocument(deps: BillingActivityDeps, invoice: InvoiceRecord): Promise<void> {
  const { data, pdf } = await renderDocument(deps, invoice);
  await storeInvoicePdf(deps.pool, invoice.id, invoice.status, { fileName: subscriptionInvoiceFileName(data), pdf });
}

/** Builds the billing activities. */
export function createBillingActivities(deps: BillingActivityDeps) {
  const { pool } = deps;
  return {
    /** The subscription as it is now (its status may have been changed by ops). */
    loadSubscription: (id) => findSubscription(pool, id),

    /** Issues the renewal invoice of a period at the subscription's price, once, with its PDF; returns it. */
    async issueRenewalInvoice(req) {
      const invoice = await issueRenewalInvoice(pool, req);
      if (!invoice) throw new Error(`subscription ${req.subscriptionId} does not exist`);
      await storeDocument(deps, invoice);
      await publishInvoiceEvent(deps, 'invoice.issued', invoice);
      return invoice;
    },

    /**
     * Pays an unpaid invoice from the deposit when the deposit covers it, as one ledger entry keyed by the
     * invoice: a retry after a crash finds the same entry and only completes the invoice row and its PDF.
     */
    async payInvoiceFromDeposit(id) {
      const invoice = await requireInvoice(pool, id);
      if (invoice.status === 'paid') {
        await storeDocument(deps, invoice);
        await publishInvoiceEvent(deps, 'invoice.paid', invoice);
        return 'already-paid';
      }
      let entryId: string;
      let deposit: number;
      try {
        ({ entryId, balanceAfter: { current: deposit } } = await recordUsage(pool, { accountId: invoice.accountId, wallet: 'deposit', amount: invoice.amount, idempotencyKey: `invoice:${id}:deposit`, allowNegative: false, memo: `invoice ${id}` }));
      } catch (err) {
        if (err instanceof InsufficientBalanceError) return 'insufficient';
        throw err;
      }
      await markInvoicePaid(pool, id, entryId);
      // The deposit went down: its automatic top-up, if any, looks at it.
      await wakeAutoTopupRule(pool, deps.policy, invoice.accountId, 'deposit', deposit);
      const paid = await requireInvoice(pool, id);
      await storeDocument(deps, paid);
      await publishInvoiceEvent(deps, 'invoice.paid', paid);
      return 'paid';
    },

    /** Sets the subscription's status (suspended past due, active again once paid), unless it was cancelled. */
    setSubscriptionStatus: ({ id, status }) => setSubscriptionStatus(pool, id, status),

    /** Emails the account's billing email (its owner when it has none) that the invoice is unpaid, with the invoice PDF; once per invoice. */
    async sendUnpaidInvoiceEmail(id) {
      const invoice = await requireInvoice(pool, id);
      const { data, pdf } = await renderDocument(deps, invoice);
      const owner = await findAccountOwner(pool, invoice.accountId);
      if (!owner) throw new Error(`the account of invoice ${id} has no owner`);
      await publishInvoiceEvent(deps, 'invoice.unpaid', invoice);
      return deps.sendEmail({
        idempotencyKey: `invoice:${id}:unpaid`,
        to: owner.billingEmail ?? owner.email,
        ...unpaidInvoiceEmail(data),
        attachments: [{ filename: subscriptionInvoiceFileName(data), contentBase64: pdf.toString('base64'), contentType: 'application/pdf' }],
      });
    },
  } satisfies BillingActivities;
}
