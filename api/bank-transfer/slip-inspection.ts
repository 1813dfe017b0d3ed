/**
 * A slip's content judged by maintained decoders, not by its first bytes: JPEG and PNG decoded and encoded anew
 * (slip-image.ts), PDF opened and searched for scripts and attachments (slip-pdf-check.ts). What fails is
 * refused with 415 naming the field and the rule, before anything is stored or the order is touched.
 */
import { HttpError } from '../shared/errors';
import { reencodeSlipImage, SlipImageRefused } from './slip-image';
import { checkSlipPdf } from './slip-pdf-check';
import type { InspectedSlip, SlipContentType } from '../../db/bank-transfer/slips';
import { SLIP_FIELD, type UploadedSlip } from './slip-upload';

function refused(rule: string): HttpError {
  return new HttpError(415, 'unsupported_media_type', `${SLIP_FIELD}: ${rule}`, [{ path: SLIP_FIELD, rule }]);
}

/** The slip to store, or 415 with the rule its content breaks. */
export async function inspectSlip(slip: UploadedSlip): Promise<InspectedSlip> {
  const original = { sha256: slip.sha256, size: slip.content.length };
  if (slip.contentType === 'application/pdf') {
    const rule = await checkSlipPdf(slip.content);
    if (rule) throw refused(rule);
    return { content: slip.content, contentType: slip.contentType, fileName: slip.fileName, original };
  }
  try {
    return { contentType: slip.contentType, fileName: slip.fileName, content: await reencodeSlipImage(slip.content, slip.contentType), original };
  } catch (err) {
    if (err instanceof SlipImageRefused) throw refused(err.rule);
    throw err;
  }
}
