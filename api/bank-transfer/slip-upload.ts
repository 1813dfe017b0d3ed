/**
 * Payment-slip uploads: one file in the multipart field `slip`, at most 10 MB, typed by its first bytes (JPEG, PNG
 * or PDF), never by its name or the type the client claims. The first bytes only say which decoder judges the rest
 * (slip-inspection.ts).
 *
 * The file is read as it streams in (slipStorage): its type is judged from the first bytes, so a file of another
 * kind is refused (415) before the rest is read; it is hashed as it arrives; and its bytes are copied once, into one
 * buffer sized from the request's length, rather than gathered in pieces and joined into a second copy at the end.
 */
import { createHash } from 'node:crypto';
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

/** The uploaded slip, sniffed: its bytes, the type they start like, their SHA-256, the client's file name (for the record only). */
export interface UploadedSlip {
  content: Buffer;
  contentType: SlipContentType;
  sha256: string;
  fileName: string;
}

/** What slipStorage adds to multer's file. */
interface StreamedSlip {
  buffer: Buffer;
  size: number;
  sha256: string;
  sniffed: SlipContentType | null;
}

/** The longest signature: this many bytes decide the type. */
const SNIFF_BYTES = Math.max(...SIGNATURES.map((s) => s.magic.length));

function unsupported(): HttpError {
  return new HttpError(415, 'unsupported_media_type', `${SLIP_FIELD}: must be a JPEG, PNG or PDF file`, [{ path: SLIP_FIELD, rule: 'must be a JPEG, PNG or PDF file (judged by its content)' }]);
}

/**
 * Who to tell at once when a slip is refused from its first bytes: multer itself answers only once the whole body
 * has been read (so a client still sending never meets a closed connection), which would make the refusal wait for
 * the 10 MB it refuses.
 */
const refusedEarly = new WeakMap<object, (err: HttpError) => void>();

/**
 * A multer storage engine for the slip: sniffs, hashes and copies the bytes as they arrive (see the top). The
 * buffer starts at the request's Content-Length (a little more than the file, the multipart framing included),
 * capped at the limit; without one (a chunked body) it grows by doubling.
 */
const slipStorage: multer.StorageEngine = {
  _handleFile(req, file, cb) {
    const declared = Number(req.headers['content-length']);
    let buffer = Buffer.allocUnsafe(Math.min(MAX_SLIP_BYTES + 1, Number.isSafeInteger(declared) && declared > 0 ? declared : 1024 * 1024));
    let size = 0;
    let sniffed: SlipContentType | null | undefined;
    const hash = createHash('sha256');
    let settled = false;
    const settle = (err: Error | null, info?: StreamedSlip) => {
      if (settled) return;
      settled = true;
      if (err) file.stream.resume();
      cb(err, info as Partial<Express.Multer.File> | undefined);
    };
    file.stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (size + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(MAX_SLIP_BYTES + 1, Math.max(buffer.length * 2, size + chunk.length)));
        buffer.copy(grown, 0, 0, size);
        buffer = grown;
      }
      // Past the limit busboy stops the file and multer answers 413; nothing more to keep.
      const kept = Math.min(chunk.length, buffer.length - size);
      chunk.copy(buffer, size, 0, kept);
      hash.update(kept === chunk.length ? chunk : chunk.subarray(0, kept));
      size += kept;
      if (sniffed === undefined && size >= SNIFF_BYTES) {
        sniffed = sniffSlipType(buffer.subarray(0, size));
        if (sniffed === null) {
          const refusal = unsupported();
          refusedEarly.get(req)?.(refusal);
          settle(refusal);
        }
      }
    });
    file.stream.once('end', () => {
      if (size > 0 && sniffed === undefined) sniffed = sniffSlipType(buffer.subarray(0, size));
      if (size > 0 && sniffed === null) return settle(unsupported());
      settle(null, { buffer: buffer.subarray(0, size), size, sha256: hash.digest('hex'), sniffed: sniffed ?? null });
    });
  },
  _removeFile(_req, file, cb) {
    (file as Partial<Express.Multer.File>).buffer = undefined;
    cb(null);
  },
};

/**
 * Parses the multipart body: the slip file and small text fields (in `req.body`). Limits make multer stop
 * reading and answer 413 or 400 (see errors.ts) before anything is stored.
 */
const slipUpload: RequestHandler = multer({
  storage: slipStorage,
  limits: { fileSize: MAX_SLIP_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 1024, fieldNameSize: 100 },
}).single(SLIP_FIELD);

/** Reads the multipart body into `req.file` and `req.body`; rejects with multer's error on a broken limit. */
export function receiveSlipUpload(req: Request, res: Response): Promise<void> {
  if (!req.is('multipart/form-data')) {
    const rule = 'must be sent as a file part of a multipart/form-data body';
    return Promise.reject(new HttpError(400, 'invalid_input', `${SLIP_FIELD}: ${rule}`, [{ path: SLIP_FIELD, rule }]));
  }
  return new Promise((resolve, reject) => {
    // Refused from its first bytes: answered now, and the connection closed after the answer, so the client stops
    // sending (the rest of the body is read and dropped meanwhile).
    refusedEarly.set(req, (refusal) => {
      res.set('Connection', 'close');
      reject(refusal);
    });
    slipUpload(req, res, (err?: unknown) => {
      if (!err) resolve();
      else if (err instanceof multer.MulterError) {
        // Multer names no field when there are too many files; they were all meant as the slip.
        if (err.code === 'LIMIT_FILE_COUNT') err.field ??= SLIP_FIELD;
        reject(err);
      } else if (err instanceof HttpError) reject(err);
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
  const streamed = file as Express.Multer.File & Partial<StreamedSlip>;
  if (!streamed.sniffed || !streamed.sha256) throw unsupported();
  return { content: file.buffer, contentType: streamed.sniffed, sha256: streamed.sha256, fileName: safeFileName(file.originalname) };
}

/** The client's file name reduced to harmless characters, kept for the record. */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[^\w.\- ]+/g, '_').slice(-200).trim();
  return cleaned === '' ? 'slip' : cleaned;
}
