/**
 * Payment slips as customers send them, made by real encoders: a PNG screenshot and a JPEG photo (sharp), a PDF
 * e-receipt (pdf-lib), each one that decodes; and the tools to hide things in them (a PNG chunk, EXIF GPS).
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { encodePng, pngChunk } from '../../scripts/png';

export { PNG_SIGNATURE, pngChunk } from '../../scripts/png';

/** A picture of a transfer confirmation: a light page with a dark band, `width` × `height`. */
function picture(width: number, height: number): sharp.Sharp {
  const band = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect x="8" y="8" width="${width - 16}" height="${Math.max(4, height / 4)}" fill="#1f3a68"/></svg>`);
  return sharp({ create: { width, height, channels: 3, background: '#f4f1ea' } }).composite([{ input: band }]);
}

/** A PNG slip (a screenshot of a banking app). */
export function slipPng(width = 120, height = 80): Promise<Buffer> {
  return picture(width, height).png().toBuffer();
}

/** A JPEG slip (a photo of a printed receipt), with EXIF as a phone writes it when `exif` is given. */
export function slipJpeg(opts: { width?: number; height?: number; exif?: sharp.Exif } = {}): Promise<Buffer> {
  const jpeg = picture(opts.width ?? 120, opts.height ?? 80).jpeg({ quality: 85 });
  return (opts.exif ? jpeg.withExif(opts.exif) : jpeg).toBuffer();
}

/** A phone's EXIF with where the photo was taken (Jakarta): what a stored slip must not keep. */
export const PHONE_EXIF_WITH_GPS: sharp.Exif = {
  IFD0: { Make: 'PhoneMaker', Model: 'Phone 12 Pro' },
  IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '6/1 12/1 3088/100', GPSLongitudeRef: 'E', GPSLongitude: '106/1 50/1 4092/100' },
};

/** A PDF slip (a bank's e-receipt), one page of text. */
export async function slipPdf(build?: (doc: PDFDocument) => void | Promise<void>): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([420, 300]);
  page.drawText('Transfer receipt: IDR 250,000 to PT Penyedia Layanan', { x: 24, y: 250, size: 12, font: await doc.embedFont(StandardFonts.Helvetica) });
  await build?.(doc);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** `png` with a `tEXt` chunk holding `text` right after its header chunk: still a valid PNG. */
export function pngWithText(png: Buffer, keyword: string, text: string): Buffer {
  const afterHeader = 8 + 25; // signature, then IHDR (4 length + 4 type + 13 data + 4 CRC)
  return Buffer.concat([png.subarray(0, afterHeader), pngChunk('tEXt', Buffer.from(`${keyword}\0${text}`, 'latin1')), png.subarray(afterHeader)]);
}

/** A PNG of one colour, encoded synchronously: a real PNG for module-level constants. */
export function solidPng(width: number, height: number, rgb: readonly [number, number, number] = [244, 241, 234]): Buffer {
  return encodePng(width, height, () => rgb);
}

/** A small PNG slip for tests that only need one accepted. */
export const SLIP_PNG = solidPng(64, 48);
