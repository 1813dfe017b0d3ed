/**
 * JPEG and PNG slips, decoded and encoded anew by sharp (libvips): what is stored is only the picture, so bytes
 * after the image's end (a script appended to a PNG), metadata (EXIF with the phone's GPS position, comments,
 * XMP) and anything else in the file are gone. A file that does not decode completely (truncated, corrupt, or
 * a format signature followed by something else) is refused. The decoder is bounded: the pixel count is read
 * from the header and refused above {@link MAX_SLIP_PIXELS} before any pixel is inflated (a decompression bomb),
 * and decoding stops after {@link SLIP_IMAGE_TIMEOUT_SECONDS}. sharp works on libuv's thread pool, so the API's
 * event loop goes on meanwhile.
 */
import sharp from 'sharp';

/** The largest picture a slip may be: 50 megapixels, above any phone photo or scan of a transfer receipt. */
export const MAX_SLIP_PIXELS = 50_000_000;
/** How long decoding and encoding one slip may take. */
export const SLIP_IMAGE_TIMEOUT_SECONDS = 10;

/** The image formats a slip may be, by the content type it is stored and served under. */
export type SlipImageType = 'image/jpeg' | 'image/png';

/** A slip image that breaks a rule: the rule, for the 415 answer. */
export class SlipImageRefused extends Error {
  constructor(readonly rule: string) {
    super(rule);
    this.name = 'SlipImageRefused';
  }
}

const FORMAT: Record<SlipImageType, 'jpeg' | 'png'> = { 'image/jpeg': 'jpeg', 'image/png': 'png' };
const LABEL: Record<SlipImageType, string> = { 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

// A slip is decoded once: libvips' operation cache would only keep customers' pictures in memory.
sharp.cache(false);

/** The slip's picture encoded anew in its own format, with nothing else; throws {@link SlipImageRefused}. */
export async function reencodeSlipImage(content: Buffer, type: SlipImageType): Promise<Buffer> {
  const label = LABEL[type];
  let metadata: sharp.Metadata;
  try {
    // The header only, no pixel inflated yet: safe without the pixel limit, and it names the size refused.
    metadata = await sharp(content, { limitInputPixels: false }).metadata();
  } catch {
    throw new SlipImageRefused(`must be a ${label} image that decodes (this one does not)`);
  }
  if (metadata.format !== FORMAT[type]) throw new SlipImageRefused(`must be a ${label} image that decodes (this one does not)`);
  const pixels = (metadata.width ?? 0) * (metadata.height ?? 0);
  if (pixels > MAX_SLIP_PIXELS) {
    throw new SlipImageRefused(`must be at most ${MAX_SLIP_PIXELS.toLocaleString('en')} pixels (this one is ${metadata.width} × ${metadata.height})`);
  }
  // failOn 'error': what the decoder cannot read (truncated, damaged data) is refused, not stored half grey; a mere
  // warning (stray bytes between JPEG markers, as some cameras write) still decodes to the whole picture. rotate()
  // applies the EXIF orientation before the EXIF is dropped, so a phone photo stays upright.
  const image = sharp(content, { failOn: 'error', limitInputPixels: MAX_SLIP_PIXELS, sequentialRead: true });
  const pipeline = image.rotate().timeout({ seconds: SLIP_IMAGE_TIMEOUT_SECONDS });
  const encoded = type === 'image/jpeg' ? pipeline.jpeg({ quality: 90 }) : pipeline.png();
  try {
    return await encoded.toBuffer();
  } catch (err) {
    const timedOut = err instanceof Error && /timeout/i.test(err.message);
    throw new SlipImageRefused(timedOut ? `must decode within ${SLIP_IMAGE_TIMEOUT_SECONDS} s (this one did not)` : `must be a ${label} image that decodes completely (this one does not)`);
  }
}
