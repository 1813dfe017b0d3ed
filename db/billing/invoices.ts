/**
 * Renewal invoices (seed 002) and their PDFs: issued once per subscription and period, paid once by the deposit
 * charge that names them, the PDF stored as the invoice stands (issued, then paid) for the API to serve.
 */
import type { Pool } from 'pg';
import type { Locale, RenewalInvoiceRequest } from '../../workflows/definitions';

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
  status: 'unpaid' | 'paid' | 'void';
  paidAt: string | null;
  ledgerEntryId: string | null;
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

/** Reads an invoice, or null. */
export async function findInvoice(pool: Pool, id: string): Promise<InvoiceRecord | null> {
  const res = await pool.query<InvoiceRecord>(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE id = $1`, [id]);
  return res.rows[0] ?? null;
}

/** An account's invoices (every account's when `accountId` is undefined), by status if given, oldest first. */
export async function listInvoices(pool: Pool, filter: { accountId: string | undefined; status: InvoiceRecord['status'] | undefined; subscriptionId?: string | undefined }): Promise<InvoiceRecord[]> {
  const res = await pool.query<InvoiceRecord>(
    `SELECT ${INVOICE_COLUMNS} FROM invoices WHERE ($1::text IS NULL OR account_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR subscription_id = $3)
      ORDER BY issued_at, id`,
    [filter.accountId ?? null, filter.status ?? null, filter.subscriptionId ?? null],
  );
  return res.rows;
}

/** Issues the renewal invoice of a period at the subscription's price, once (a retry finds the same row); null for no such subscription. */
export async function issueRenewalInvoice(pool: Pool, req: RenewalInvoiceRequest): Promise<InvoiceRecord | null> {
  const id = invoiceId(req.subscriptionId, req.periodIndex);
  await pool.query(
    `INSERT INTO invoices (id, subscription_id, account_id, period_index, period_start, period_end, amount, issued_at, due_at)
     SELECT $1, s.id, s.account_id, $3, $4, $5, s.price, $6, $7 FROM subscriptions s WHERE s.id = $2
     ON CONFLICT (id) DO NOTHING`,
    [id, req.subscriptionId, req.periodIndex, req.periodStart, req.periodEnd, req.issuedAt, req.dueAt],
  );
  return findInvoice(pool, id);
}

/** Voids an unpaid invoice (its service was stopped); answers what the invoice is now: `void`, or `paid` when a payment came first. */
export async function voidInvoice(pool: Pool, id: string): Promise<'void' | 'paid'> {
  await pool.query(`UPDATE invoices SET status = 'void', voided_at = now() WHERE id = $1 AND status = 'unpaid'`, [id]);
  const invoice = await findInvoice(pool, id);
  if (!invoice) throw new Error(`invoice ${id} does not exist`);
  return invoice.status === 'paid' ? 'paid' : 'void';
}

/** The unpaid invoices of an account, oldest first. */
export async function unpaidInvoiceIds(pool: Pool, accountId: string): Promise<string[]> {
  const res = await pool.query<{ id: string }>(`SELECT id FROM invoices WHERE account_id = $1 AND status = 'unpaid' ORDER BY issued_at`, [accountId]);
  return res.rows.map((r) => r.id);
}

/** Who an invoice is addressed to, and for what: the account's name, locale and time zone, the subscription's product. */
export interface InvoiceParties {
  companyName: string;
  locale: Locale;
  timeZone: string;
  product: string;
}

/** Reads the parties of an invoice; throws for an unknown invoice. */
export async function findInvoiceParties(pool: Pool, id: string): Promise<InvoiceParties> {
  const res = await pool.query<InvoiceParties>(
    `SELECT a.company_name AS "companyName", a.locale, a.time_zone AS "timeZone", s.product
       FROM invoices i JOIN accounts a ON a.id = i.account_id JOIN subscriptions s ON s.id = i.subscription_id WHERE i.id = $1`,
    [id],
  );
  const row = res.rows[0];
  if (!row) throw new Error(`invoice ${id} does not exist`);
  return row;
}

/** A stored invoice PDF. */
export interface StoredInvoicePdf {
  fileName: string;
  pdf: Buffer;
}

/** Stores the invoice's PDF as it stands at `status`; a paid one is never replaced by an unpaid one. */
export async function storeInvoicePdf(pool: Pool, invoiceId: string, status: 'unpaid' | 'paid', doc: StoredInvoicePdf): Promise<void> {
  await pool.query(
    `INSERT INTO invoice_pdfs (invoice_id, status, file_name, pdf) VALUES ($1, $2, $3, $4)
     ON CONFLICT (invoice_id) DO UPDATE SET status = EXCLUDED.status, file_name = EXCLUDED.file_name, pdf = EXCLUDED.pdf, updated_at = now()
     WHERE invoice_pdfs.status = 'unpaid'`,
    [invoiceId, status, doc.fileName, doc.pdf],
  );
}

/** Reads an invoice's stored PDF, or null. */
export async function findInvoicePdf(pool: Pool, invoiceId: string): Promise<StoredInvoicePdf | null> {
  const res = await pool.query<{ file_name: string; pdf: Buffer }>('SELECT file_name, pdf FROM invoice_pdfs WHERE invoice_id = $1', [invoiceId]);
  const row = res.rows[0];
  return row ? { fileName: row.file_name, pdf: row.pdf } : null;
}
