/** The proforma invoices of online orders (seed 001): the newest revision of each order's PDF. */
import type { Pool } from 'pg';

/** A stored proforma invoice. */
export interface StoredInvoiceDocument {
  fileName: string;
  pdf: Buffer;
}

/** Reads an order's latest proforma invoice PDF, or null before payment is confirmed. */
export async function findInvoiceDocument(pool: Pool, orderNumber: string): Promise<StoredInvoiceDocument | null> {
  const res = await pool.query<{ file_name: string; pdf: Buffer }>('SELECT file_name, pdf FROM invoice_documents WHERE order_number = $1', [orderNumber]);
  const row = res.rows[0];
  return row ? { fileName: row.file_name, pdf: row.pdf } : null;
}

/** Keeps the PDF rendered for `revision` of the order, unless a newer revision's is stored already. */
export async function storeInvoiceDocument(pool: Pool, orderNumber: string, revision: number, doc: StoredInvoiceDocument): Promise<void> {
  await pool.query(
    `INSERT INTO invoice_documents (order_number, revision, file_name, pdf) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_number) DO UPDATE SET revision = EXCLUDED.revision, file_name = EXCLUDED.file_name, pdf = EXCLUDED.pdf, updated_at = now()
     WHERE invoice_documents.revision < EXCLUDED.revision`,
    [orderNumber, revision, doc.fileName, doc.pdf],
  );
}
