/**
 * The side effects of subscription billing (seed 002): the renewal invoice and its PDF, its payment from the
 * deposit as one ledger entry, the subscription's status, and the owner's email when the deposit did not cover
 * it. Each is idempotent: the invoice is keyed by subscription and period, the deposit charge by the invoice, the
 * email by the invoice too, and the stored PDF follows the invoice's status.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { ProviderInfo } from '../../config/provider';
import { findAccountOwner } from '../../db/accounts/accounts';
import { payInvoiceFromDeposit } from '../../db/billing/invoice-payments';
import { findInvoice, findInvoiceParties, issueRenewalInvoice, storeInvoicePdf, unpaidInvoiceIds, voidInvoice, type InvoiceRecord } from '../../db/billing/invoices';
import { countActiveSubscriptions, endSubscription, findSubscription, recordSubscriptionStop, setSubscriptionStatus } from '../../db/billing/subscriptions';
import { getBalances } from '../../db/ledger/ledger';
import type { BillingActivities, OnlineOrderActivities, TopupPolicy, WebhookEventType } from '../../workflows/definitions';
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
async function invoiceDocumentData(deps: BillingActivityDeps, invoice: InvoiceRecord & { status: 'unpaid' | 'paid' }): Promise<SubscriptionInvoiceData> {
  const { companyName, locale, timeZone, product } = await findInvoiceParties(deps.pool, invoice.id);
  const { name, address, email } = deps.provider;
  const { id, periodStart, periodEnd, amount, issuedAt, dueAt, status, paidAt } = invoice;
  return { locale, timeZone, provider: { name, address, email }, companyName, invoiceId: id, product, periodStart, periodEnd, amount, issuedAt, dueAt, status, paidAt };
}

/** The invoice, which must exist and not be void (a stopped service's renewal is neither paid, rendered nor emailed). */
async function requireInvoice(pool: Pool, id: string): Promise<InvoiceRecord & { status: 'unpaid' | 'paid' }> {
  const invoice = await findInvoice(pool, id);
  if (!invoice) throw new Error(`invoice ${id} does not exist`);
  if (invoice.status === 'void') throw ApplicationFailure.create({ type: 'InvoiceVoid', message: `invoice ${id} is void: its service was stopped`, nonRetryable: true });
  return { ...invoice, status: invoice.status };
}

/** The invoice as it stands, rendered: what it shows, and the PDF. */
async function renderDocument(deps: BillingActivityDeps, invoice: InvoiceRecord & { status: 'unpaid' | 'paid' }): Promise<{ data: SubscriptionInvoiceData; pdf: Buffer }> {
  const data = await invoiceDocumentData(deps, invoice);
  return { data, pdf: Buffer.from(await renderSubscriptionInvoicePdf(data)) };
}

/** Renders the invoice as it stands and stores it, for GET /v1/invoices/{id}.pdf. */
async function storeDocument(deps: BillingActivityDeps, invoice: InvoiceRecord & { status: 'unpaid' | 'paid' }): Promise<void> {
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
      const issued = await issueRenewalInvoice(pool, req);
      if (!issued) throw new Error(`subscription ${req.subscriptionId} does not exist`);
      const invoice = await requireInvoice(pool, issued.id);
      await storeDocument(deps, invoice);
      await publishInvoiceEvent(deps, 'invoice.issued', invoice);
      return invoice;
    },

    /**
     * Pays an unpaid invoice from the deposit when the deposit covers it, as one ledger entry keyed by the invoice,
     * in the transaction that marks it paid (under the invoice's row lock, so an order paying it never races it).
     */
    async payInvoiceFromDeposit(id) {
      await requireInvoice(pool, id);
      const outcome = await payInvoiceFromDeposit(pool, id);
      if (outcome === 'insufficient') return outcome;
      const paid = await requireInvoice(pool, id);
      // The deposit went down: its automatic top-up, if any, looks at it (again on a retry: a check is harmless).
      const deposit = (await getBalances(pool, paid.accountId)).find((b) => b.wallet === 'deposit');
      if (deposit) await wakeAutoTopupRule(pool, deps.policy, paid.accountId, 'deposit', deposit.current);
      await storeDocument(deps, paid);
      await publishInvoiceEvent(deps, 'invoice.paid', paid);
      return outcome;
    },

    /** Sets the subscription's status (suspended past due, active again once paid), unless it was cancelled or stopped. */
    setSubscriptionStatus: ({ id, status }) => setSubscriptionStatus(pool, id, status),

    /** The account's active services and unpaid invoices, for the deposit rule (seed 002). */
    async depositStanding(accountId) {
      const [activeSubscriptions, unpaid] = await Promise.all([countActiveSubscriptions(pool, accountId), unpaidInvoiceIds(pool, accountId)]);
      return { activeSubscriptions, unpaidInvoiceIds: unpaid };
    },

    /** Records the owner's stop and the day the service ends; logged once. */
    recordSubscriptionStop: (stop) => recordSubscriptionStop(pool, stop),

    /** Voids the unpaid renewal of a stopped service (a paid one stays paid). */
    voidRenewalInvoice: (id) => voidInvoice(pool, id),

    /** The last period paid has ended: the subscription is stopped. */
    endSubscription: ({ subscriptionId, at }) => endSubscription(pool, subscriptionId, at),

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
  } satisfies BillingActivities & Pick<OnlineOrderActivities, 'depositStanding'>;
}
