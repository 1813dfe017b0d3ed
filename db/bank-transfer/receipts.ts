/** The PDF receipts of Paid bank-transfer orders: stored once per order, read back for the API and the paid email. */
import type { Pool } from 'pg';

/** A stored receipt. */
export interface StoredReceipt {
  fileName: string;
  pdf: Buffer;
}

/** Reads an order's stored receipt, or null before it is Paid. */
export async function findReceipt(pool: Pool, orderNumber: string): Promise<StoredReceipt | null> {
  const res = await pool.query<{ file_name: string; pdf: Buffer }>('SELECT file_name, pdf FROM receipts WHERE order_number = $1', [orderNumber]);
  const row = res.rows[0];
  return row ? { fileName: row.file_name, pdf: row.pdf } : null;
}

/** Stores an order's receipt, once: a receipt stored already is kept as it is. */
export async function storeReceipt(pool: Pool, orderNumber: string, receipt: StoredReceipt): Promise<void> {
  await pool.query('INSERT INTO receipts (order_number, file_name, pdf) VALUES ($1, $2, $3) ON CONFLICT (order_number) DO NOTHING', [orderNumber, receipt.fileName, receipt.pdf]);
}
