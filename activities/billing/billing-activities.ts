/**
 * The side effects of subscription billing (seed 002): the renewal invoice, its payment from the deposit as
 * one ledger entry, the subscription's status, and the owner's email when the deposit did not cover it. Each
 * is idempotent: the invoice is keyed by subscription and period, the deposit charge by the invoice, the
 * email by the invoice too.
 */
import type { Pool } from 'pg';
import type { ProviderInfo } from '../../config/provider';
import { InsufficientBalanceError, recordUsage } from '../../db/ledger/ledger';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import type { Locale } from '../shared/money-format';
import { renderSubscriptionInvoicePdf, subscriptionInvoiceFileName, unpaidInvoiceEmail, type SubscriptionInvoiceData } from './subscription-invoice';

/** A subscription as billing needs it. */
export interface SubscriptionRecord {
  id: string;
  accountId: string;
  product: string;
  price: number;
  cycleMonths: number;
  startDate: string;
  status: 'active' | 'suspended' | 'cancelled';
  timeZone: string;
}

/** A renewal invoice. */
export interface InvoiceRecord {
  id: string;
  subscriptionId: string;
  accountId: string;
  periodIndex: number;
  periodStart: string;
  periodEnd: string;
  amount: number;
  issuedAt: string;
  dueAt: string;
  status: 'unpaid' | 'paid';
  paidAt: string | null;
  ledgerEntryId: string | null;
}

/** What the billing workflow asks to be issued. */
export interface RenewalInvoiceRequest {
  subscriptionId: string;
  periodIndex: number;
  periodStart: string;
  periodEnd: string;
  issuedAt: string;
  dueAt: string;
}

const INVOICE_COLUMNS = `id, subscription_id AS "subscriptionId", account_id AS "accountId", period_index AS "periodIndex",
  to_char(period_start, 'YYYY-MM-DD') AS "periodStart", to_char(period_end, 'YYYY-MM-DD') AS "periodEnd", amount,
  to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "issuedAt",
  to_char(due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "dueAt", status,
  to_char(paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "paidAt", ledger_entry_id::text AS "ledgerEntryId"`;

/** The id of a subscription's invoice for one period. */
export function invoiceId(subscriptionId: string, periodIndex: number): string {
  return `${subscriptionId}-${String(periodIndex).padStart(3, '0')}`;
}

const SUBSCRIPTION_SELECT = `SELECT s.id, s.account_id AS "accountId", s.product, s.price, s.cycle_months AS "cycleMonths",
    to_char(s.start_date, 'YYYY-MM-DD') AS "startDate", s.status, a.time_zone AS "timeZone"
  FROM subscriptions s JOIN accounts a ON a.id = s.account_id`;

/** Reads a subscription with its account's time zone, or null. */
export async function findSubscription(pool: Pool, id: string): Promise<SubscriptionRecord | null> {
  const res = await pool.query<SubscriptionRecord>(`${SUBSCRIPTION_SELECT} WHERE s.id = $1`, [id]);
  return res.rows[0] ?? null;
}

/** An account's subscriptions (every account's when `accountId` is undefined), oldest first. */
export async function listSubscriptions(pool: Pool, accountId: string | undefined): Promise<SubscriptionRecord[]> {
  const res = await pool.query<SubscriptionRecord>(`${SUBSCRIPTION_SELECT} WHERE ($1::text IS NULL OR s.account_id = $1) ORDER BY s.created_at, s.id`, [accountId ?? null]);
  return res.rows;
}

/** Reads an invoice, or null. */
export async function findInvoice(pool: Pool, id: string): Promise<InvoiceRecord | null> {
  const res = await pool.query<InvoiceRecord>(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE id = $1`, [id]);
  return res.rows[0] ?? null;
}

/** An account's invoices (every account's when `accountId` is undefined), by status if given, oldest first. */
export async function listInvoices(pool: Pool, filter: { accountId: string | undefined; status: 'unpaid' | 'paid' | undefined }): Promise<InvoiceRecord[]> {
  const res = await pool.query<InvoiceRecord>(
    `SELECT ${INVOICE_COLUMNS} FROM invoices WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR status = $2) ORDER BY issued_at, id`,
    [filter.accountId ?? null, filter.status ?? null],
  );
  return res.rows;
}

/** What an invoice PDF or email shows. */
export async function invoiceDocumentData(pool: Pool, provider: ProviderInfo, invoice: InvoiceRecord): Promise<SubscriptionInvoiceData> {
  const res = await pool.query<{ company_name: string; locale: Locale; time_zone: string; product: string }>(
    'SELECT a.company_name, a.locale, a.time_zone, s.product FROM invoices i JOIN accounts a ON a.id = i.account_id JOIN subscriptions s ON s.id = i.subscription_id WHERE i.id = $1',
    [invoice.id],
  );
  const row = res.rows[0]!;
  return {
    locale: row.locale,
    timeZone: row.time_zone,
    provider: { name: provider.name, address: provider.address, email: provider.email },
    companyName: row.company_name,
    invoiceId: invoice.id,
    product: row.product,
    periodStart: invoice.periodStart,
    periodEnd: invoice.periodEnd,
    amount: invoice.amount,
    issuedAt: invoice.issuedAt,
    dueAt: invoice.dueAt,
    status: invoice.status,
    paidAt: invoice.paidAt,
  };
}

/** What the billing activities need. */
export interface BillingActivityDeps {
  pool: Pool;
  provider: ProviderInfo;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/** Builds the billing activities. */
export function createBillingActivities(deps: BillingActivityDeps) {
  const { pool } = deps;
  return {
    /** The subscription as it is now (its status may have been changed by ops). */
    async loadSubscription(id: string): Promise<SubscriptionRecord | null> {
      return findSubscription(pool, id);
    },

    /** Issues the renewal invoice of a period at the subscription's price, once; returns it. */
    async issueRenewalInvoice(req: RenewalInvoiceRequest): Promise<InvoiceRecord> {
      const id = invoiceId(req.subscriptionId, req.periodIndex);
      await pool.query(
        `INSERT INTO invoices (id, subscription_id, account_id, period_index, period_start, period_end, amount, issued_at, due_at)
         SELECT $1, s.id, s.account_id, $3, $4, $5, s.price, $6, $7 FROM subscriptions s WHERE s.id = $2
         ON CONFLICT (id) DO NOTHING`,
        [id, req.subscriptionId, req.periodIndex, req.periodStart, req.periodEnd, req.issuedAt, req.dueAt],
      );
      const invoice = await findInvoice(pool, id);
      if (!invoice) throw new Error(`subscription ${req.subscriptionId} does not exist`);
      return invoice;
    },

    /**
     * Pays an unpaid invoice from the deposit when the deposit covers it, as one ledger entry keyed by the
     * invoice: a retry after a crash finds the same entry and only completes the invoice row.
     */
    async payInvoiceFromDeposit(id: string): Promise<'paid' | 'already-paid' | 'insufficient'> {
      const invoice = await findInvoice(pool, id);
      if (!invoice) throw new Error(`invoice ${id} does not exist`);
      if (invoice.status === 'paid') return 'already-paid';
      let entryId: string;
      try {
        ({ entryId } = await recordUsage(pool, {
          accountId: invoice.accountId,
          wallet: 'deposit',
          amount: invoice.amount,
          idempotencyKey: `invoice:${id}:deposit`,
          allowNegative: false,
          memo: `invoice ${id}`,
        }));
      } catch (err) {
        if (err instanceof InsufficientBalanceError) return 'insufficient';
        throw err;
      }
      await pool.query(`UPDATE invoices SET status = 'paid', paid_at = now(), ledger_entry_id = $2 WHERE id = $1 AND status = 'unpaid'`, [id, entryId]);
      return 'paid';
    },

    /** Sets the subscription's status (suspended past due, active again once paid), unless it was cancelled. */
    async setSubscriptionStatus(input: { id: string; status: 'active' | 'suspended' }): Promise<void> {
      await pool.query(`UPDATE subscriptions SET status = $2, updated_at = now() WHERE id = $1 AND status <> 'cancelled'`, [input.id, input.status]);
    },

    /** Emails the owner that the invoice is unpaid, with the invoice PDF; once per invoice. */
    async sendUnpaidInvoiceEmail(id: string): Promise<SendEmailResult> {
      const invoice = await findInvoice(pool, id);
      if (!invoice) throw new Error(`invoice ${id} does not exist`);
      const data = await invoiceDocumentData(pool, deps.provider, invoice);
      const owner = await pool.query<{ email: string }>(`SELECT email FROM users WHERE account_id = $1 AND role = 'owner'`, [invoice.accountId]);
      const pdf = Buffer.from(await renderSubscriptionInvoicePdf(data));
      return deps.sendEmail({
        idempotencyKey: `invoice:${id}:unpaid`,
        to: owner.rows[0]!.email,
        ...unpaidInvoiceEmail(data),
        attachments: [{ filename: subscriptionInvoiceFileName(data), contentBase64: pdf.toString('base64'), contentType: 'application/pdf' }],
      });
    },
  };
}
