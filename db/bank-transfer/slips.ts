/**
 * Payment slips in PostgreSQL: stored under a random id with their SHA-256 and size, and those of the file as
 * uploaded (an image is stored encoded anew, see api/bank-transfer/slip-inspection.ts), read back by id.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { SlipRef } from '../../workflows/definitions';

/** Content types a slip may have; the only ones ever stored or served. */
export type SlipContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

/** The bytes as uploaded, identified for the record. */
export interface SlipOriginal {
  sha256: string;
  size: number;
}

/** A slip that passed inspection: the bytes to store (an image encoded anew, a PDF as uploaded) and the original's identity. */
export interface InspectedSlip {
  content: Buffer;
  contentType: SlipContentType;
  fileName: string;
  original: SlipOriginal;
}

/** Who uploaded a slip, for which order. */
export interface SlipOwner {
  accountId: string;
  orderNumber: string;
  uploadedBy: string;
}

/** A stored slip's bytes and type. */
export interface StoredSlip {
  contentType: SlipContentType;
  content: Buffer;
}

/** Stores a slip and returns the reference the workflow keeps. */
export async function storeSlip(pool: Pool, owner: SlipOwner, slip: InspectedSlip): Promise<SlipRef> {
  const ref: SlipRef = {
    fileId: `slp_${randomBytes(16).toString('hex')}`,
    sha256: createHash('sha256').update(slip.content).digest('hex'),
    size: slip.content.length,
    contentType: slip.contentType,
    original: slip.original,
  };
  await pool.query(
    `INSERT INTO slips (id, account_id, order_number, uploaded_by, file_name, content_type, size, sha256, content, original_sha256, original_size)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [ref.fileId, owner.accountId, owner.orderNumber, owner.uploadedBy, slip.fileName, ref.contentType, ref.size, ref.sha256, slip.content, slip.original.sha256, slip.original.size],
  );
  return ref;
}

/** Removes a slip the workflow refused, so no slip is left that no order refers to. */
export async function deleteSlip(pool: Pool, fileId: string): Promise<void> {
  await pool.query('DELETE FROM slips WHERE id = $1', [fileId]);
}

/** Reads the slip `fileId` of an order, or null. */
export async function loadSlip(pool: Pool, orderNumber: string, fileId: string): Promise<StoredSlip | null> {
  const res = await pool.query<{ content_type: SlipContentType; content: Buffer }>(
    'SELECT content_type, content FROM slips WHERE id = $1 AND order_number = $2',
    [fileId, orderNumber],
  );
  const row = res.rows[0];
  return row ? { contentType: row.content_type, content: row.content } : null;
}
