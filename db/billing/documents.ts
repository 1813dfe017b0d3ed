/**
 * An account's documents in one list: the PDF receipts of Paid bank-transfer orders, the proforma invoices of online
 * orders and the renewal invoices of subscriptions, newest first, each with the route that downloads it.
 */
import type { Pool } from 'pg';

/** The kinds of document. */
export const DOCUMENT_TYPES = ['receipt', 'online_invoice', 'subscription_invoice'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** One document. */
export interface DocumentItem {
  type: DocumentType;
  /** The order number (receipts, online invoices) or the invoice id (subscription invoices). */
  reference: string;
  accountId: string;
  companyName: string;
  fileName: string;
  /** When the document was issued (a receipt: when stored; an invoice: issued). */
  issuedAt: Date;
  /** IDR: the order's amount, the online invoice's total, the renewal invoice's amount. */
  amount: number;
  /** The order's status code, or the renewal invoice's (unpaid, paid). */
  status: string;
  /** The route that serves the PDF. */
  downloadPath: string;
}

/** What to list: one account (undefined: every account), some types, a range of days in each account's time zone. */
export interface DocumentFilter {
  accountId: string | undefined;
  types?: DocumentType[];
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

const DOCUMENTS = `
  SELECT 'receipt' AS type, o.order_number AS reference, o.account_id, r.file_name, r.created_at AS issued_at, o.amount, o.status,
         '/v1/orders/' || o.order_number || '/receipt.pdf' AS download_path
    FROM receipts r JOIN orders o ON o.order_number = r.order_number
  UNION ALL
  SELECT 'online_invoice', o.order_number, o.account_id, d.file_name, coalesce((o.view->'invoice'->>'issuedAt')::timestamptz, d.updated_at),
         coalesce((o.view->'invoice'->>'total')::bigint, (o.view->>'subtotal')::bigint), o.status,
         '/v1/orders/' || o.order_number || '/invoice.pdf'
    FROM invoice_documents d JOIN orders o ON o.order_number = d.order_number
  UNION ALL
  SELECT 'subscription_invoice', i.id, i.account_id, p.file_name, i.issued_at, i.amount, i.status, '/v1/invoices/' || i.id || '.pdf'
    FROM invoice_pdfs p JOIN invoices i ON i.id = p.invoice_id`;

/** One page of documents, newest first, and how many match. */
export async function listDocuments(pool: Pool, filter: DocumentFilter): Promise<{ items: DocumentItem[]; total: number }> {
  const where = `WHERE ($1::text IS NULL OR d.account_id = $1) AND ($2::text[] IS NULL OR d.type = ANY($2::text[]))
      AND ($3::date IS NULL OR d.issued_at >= ($3::date::timestamp AT TIME ZONE a.time_zone))
      AND ($4::date IS NULL OR d.issued_at < (($4::date + 1)::timestamp AT TIME ZONE a.time_zone))`;
  const params = [filter.accountId ?? null, filter.types?.length ? filter.types : null, filter.from ?? null, filter.to ?? null];
  const from = `FROM (${DOCUMENTS}) d JOIN accounts a ON a.id = d.account_id`;
  const [rows, count] = await Promise.all([
    pool.query<DocumentItem>(
      `SELECT d.type, d.reference, d.account_id AS "accountId", a.company_name AS "companyName", d.file_name AS "fileName",
              d.issued_at AS "issuedAt", d.amount, d.status, d.download_path AS "downloadPath"
         ${from} ${where} ORDER BY d.issued_at DESC, d.reference DESC LIMIT $5 OFFSET $6`,
      [...params, filter.pageSize, (filter.page - 1) * filter.pageSize],
    ),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total ${from} ${where}`, params),
  ]);
  return { items: rows.rows, total: count.rows[0]?.total ?? 0 };
}
