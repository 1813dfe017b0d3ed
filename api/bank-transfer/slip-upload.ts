/**
 * Payment-slip uploads: one file in the multipart field `slip`, at most 10 MB, held in memory, typed by its
 * first bytes (JPEG, PNG or PDF), never by its name or the type the client claims. The first bytes only say
 * which decoder judges the rest (slip-inspection.ts).
 */
import type { Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { SlipContentType } from '../../db/bank-transfer/slips';
import { HttpError } from '../shared/errors';

/** The largest slip accepted, in bytes. */
export const MAX_SLIP_BYTES = 10 * 1024 * 1024;

/** The multipart field that carries the slip. */
export const SLIP_FIELD = 'slip';

export type { SlipContentType };

const SIGNATURES: ReadonlyArray<{ type: SlipContentType; magic: Buffer; extension: string }> = [
  { type: 'image/jpeg', magic: Buffer.from([0xff, 0xd8, 0xff]), extension: 'jpg' },
  { type: 'image/png', magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), extension: 'png' },
  { type: 'application/pdf', magic: Buffer.from('%PDF-', 'ascii'), extension: 'pdf' },
];

/** The slip type `content` starts like, or null when it is none of them. */
export function sniffSlipType(content: Buffer): SlipContentType | null {
  return SIGNATURES.find((s) => content.subarray(0, s.magic.length).equals(s.magic))?.type ?? null;
}

/** The file extension of a slip type, for the name a download is saved under. */
export function slipExtension(type: SlipContentType): string {
  return SIGNATURES.find((s) => s.type === type)!.extension;
}

/** The uploaded slip, sniffed: its bytes, the type they start like and the client's file name (for the record only). */
export interface UploadedSlip {
  content: Buffer;
  contentType: SlipContentType;
  fileName: string;
}

/**
 * Parses the multipart body: the slip file and small text fields (in `req.body`). Limits make multer stop
 * reading and answer 413 or 400 (see errors.ts) before anything is stored.
 */
const slipUpload: RequestHandler = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_SLIP_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 1024, fieldNameSize: 100 },
}).single(SLIP_FIELD);

/** Reads the multipart body into `req.file` and `req.body`; rejects with multer's error on a broken limit. */
export function receiveSlipUpload(req: Request, res: Response): Promise<void> {
  if (!req.is('multipart/form-data')) {
    const rule = 'must be sent as a file part of a multipart/form-data body';
    return Promise.reject(new HttpError(400, 'invalid_input', `${SLIP_FIELD}: ${rule}`, [{ path: SLIP_FIELD, rule }]));
  }
  return new Promise((resolve, reject) => {
    slipUpload(req, res, (err?: unknown) => {
      if (!err) resolve();
      else if (err instanceof multer.MulterError) {
        // Multer names no field when there are too many files; they were all meant as the slip.
        if (err.code === 'LIMIT_FILE_COUNT') err.field ??= SLIP_FIELD;
        reject(err);
      }
      // Busboy's own errors: the body is not well-formed multipart.
      else reject(new HttpError(400, 'invalid_multipart', `the multipart body could not be read: ${err instanceof Error ? err.message : String(err)}`));
    });
  });
}

/** The slip of a parsed upload: 400 when missing, 415 when its bytes are not JPEG, PNG or PDF. */
export function uploadedSlip(file: Express.Multer.File | undefined): UploadedSlip {
  if (!file || file.size === 0) {
    throw new HttpError(400, 'invalid_input', `${SLIP_FIELD}: is required (a multipart/form-data file part)`, [
      { path: SLIP_FIELD, rule: 'is required (a multipart/form-data file part)' },
    ]);
  }
  const contentType = sniffSlipType(file.buffer);
  if (!contentType) {
    throw new HttpError(415, 'unsupported_media_type', `${SLIP_FIELD}: must be a JPEG, PNG or PDF file`, [
      { path: SLIP_FIELD, rule: 'must be a JPEG, PNG or PDF file (judged by its content)' },
    ]);
  }
  return { content: file.buffer, contentType, fileName: safeFileName(file.originalname) };
}

/** The client's file name reduced to harmless characters, kept for the record. */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[^\w.\- ]+/g, '_').slice(-200).trim();
  return cleaned === '' ? 'slip' : cleaned;
}
