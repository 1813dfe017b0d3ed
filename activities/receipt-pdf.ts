/**
 * The PDF receipt attached to the "paid" email: one A4 page in the account's locale with the provider's
 * header, the order's fields, how the payment was split between the outstanding balance and the wallet,
 * and a footer. Deterministic: the same data renders byte-identical output (no clock, no random ids).
 */
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import { formatDateTime, formatIdr, type Locale, paymentMethodName, walletName } from './money-format';

/** Everything a receipt shows; amounts in whole rupiah, times as ISO-8601. */
export interface ReceiptData {
  locale: Locale;
  timeZone: string;
  provider: { name: string; address: string; email: string };
  customer: { companyName: string; username: string };
  orderNumber: string;
  orderTime: string;
  paidAt: string;
  wallet: string;
  paymentMethod: string;
  currency: 'IDR';
  /** The amount paid; always `settled + added`. */
  amount: number;
  /** The part that settled an outstanding (negative) balance first. */
  settled: number;
  /** The part added to the wallet. */
  added: number;
  /** The wallet's balance after this payment. */
  balanceAfter: number;
  /** Finance's note on the decision, if any. */
  checkResult: string | null;
}

interface ReceiptLabels {
  title: string;
  paid: string;
  details: string;
  orderNumber: string;
  orderTime: string;
  paidAt: string;
  company: string;
  username: string;
  wallet: string;
  paymentMethod: string;
  currency: string;
  checkResult: string;
  allocation: string;
  amountPaid: string;
  outstandingSettled: string;
  addedToBalance: string;
  newBalance: string;
  settledFirst: string;
  issuedElectronically: string;
  contact: string;
}

const LABELS: Record<Locale, ReceiptLabels> = {
  en: {
    title: 'Receipt',
    paid: 'PAID',
    details: 'Order details',
    orderNumber: 'Order number',
    orderTime: 'Order time',
    paidAt: 'Payment confirmed',
    company: 'Company name',
    username: 'Username',
    wallet: 'Wallet',
    paymentMethod: 'Payment method',
    currency: 'Currency',
    checkResult: 'Check result',
    allocation: 'Payment allocation',
    amountPaid: 'Amount paid',
    outstandingSettled: 'Outstanding settled',
    addedToBalance: 'Added to balance',
    newBalance: 'New balance',
    settledFirst: 'The outstanding balance is settled first; the rest is added to the wallet.',
    issuedElectronically: 'This receipt was issued electronically and is valid without a signature.',
    contact: 'Questions about this payment:',
  },
  id: {
    title: 'Kuitansi',
    paid: 'LUNAS',
    details: 'Rincian pesanan',
    orderNumber: 'Nomor pesanan',
    orderTime: 'Waktu pemesanan',
    paidAt: 'Pembayaran dikonfirmasi',
    company: 'Nama perusahaan',
    username: 'Nama pengguna',
    wallet: 'Jenis saldo',
    paymentMethod: 'Metode pembayaran',
    currency: 'Mata uang',
    checkResult: 'Hasil pemeriksaan',
    allocation: 'Alokasi pembayaran',
    amountPaid: 'Jumlah dibayar',
    outstandingSettled: 'Tunggakan dilunasi',
    addedToBalance: 'Ditambahkan ke saldo',
    newBalance: 'Saldo baru',
    settledFirst: 'Tunggakan dilunasi terlebih dahulu; sisanya ditambahkan ke saldo.',
    issuedElectronically: 'Kuitansi ini diterbitkan secara elektronik dan sah tanpa tanda tangan.',
    contact: 'Pertanyaan tentang pembayaran ini:',
  },
};

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const CONTENT_WIDTH = A4[0] - 2 * MARGIN;
const LABEL_COLUMN = 170;
const CELL_PADDING = 8;

const INK = rgb(0.12, 0.14, 0.17);
const MUTED = rgb(0.42, 0.45, 0.5);
const ACCENT = rgb(0.04, 0.38, 0.53);
const SHADE = rgb(0.95, 0.96, 0.97);
const RULE = rgb(0.84, 0.86, 0.89);
const WHITE = rgb(1, 1, 1);

/** What every drawing step needs: the page, both fonts, and text made safe for them. */
interface Canvas {
  page: PDFPage;
  regular: PDFFont;
  bold: PDFFont;
  /** Replaces what the standard fonts (WinAnsi) cannot encode, so drawing never throws on a name. */
  safe(text: string): string;
}

/** The attachment's file name in the receipt's locale: `receipt-1202206054089.pdf` / `kuitansi-1202206054089.pdf`. */
export function receiptFileName(r: Pick<ReceiptData, 'locale' | 'orderNumber'>): string {
  return `${LABELS[r.locale].title.toLowerCase()}-${r.orderNumber}.pdf`;
}

/** Renders the receipt as PDF bytes. Throws when the amounts do not add up (`amount = settled + added`). */
export async function renderReceiptPdf(r: ReceiptData): Promise<Uint8Array> {
  checkAmounts(r);
  const labels = LABELS[r.locale];
  const doc = await PDFDocument.create({ updateMetadata: false });
  const paidAt = new Date(r.paidAt);
  doc.setTitle(`${labels.title} ${r.orderNumber}`);
  doc.setAuthor(r.provider.name);
  doc.setSubject(`${labels.title} ${r.orderNumber} - ${r.customer.companyName}`);
  doc.setCreator('topup-payments');
  doc.setProducer('pdf-lib');
  doc.setLanguage(r.locale === 'id' ? 'id-ID' : 'en-US');
  doc.setCreationDate(paidAt);
  doc.setModificationDate(paidAt);

  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const canvas: Canvas = { page: doc.addPage(A4), regular, bold, safe: winAnsiSanitizer(regular) };

  let y = drawHeader(canvas, r, labels);
  y = drawSectionTitle(canvas, labels.details, y - 28);
  y = drawFieldTable(canvas, fieldRows(r, labels), y - 8);
  y = drawSectionTitle(canvas, labels.allocation, y - 28);
  drawAllocation(canvas, r, labels, y - 8);
  drawFooter(canvas, r, labels);
  return doc.save();
}

function checkAmounts(r: ReceiptData): void {
  for (const [name, value] of [['amount', r.amount], ['settled', r.settled], ['added', r.added]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`receipt ${name} must be a whole non-negative amount, got ${value}`);
  }
  if (r.settled + r.added !== r.amount) {
    throw new RangeError(`receipt amounts do not add up: settled ${r.settled} + added ${r.added} != amount ${r.amount}`);
  }
}

function fieldRows(r: ReceiptData, labels: ReceiptLabels): [string, string][] {
  const rows: [string, string][] = [
    [labels.orderNumber, r.orderNumber],
    [labels.orderTime, formatDateTime(r.orderTime, r.locale, r.timeZone)],
    [labels.paidAt, formatDateTime(r.paidAt, r.locale, r.timeZone)],
    [labels.company, r.customer.companyName],
    [labels.username, r.customer.username],
    [labels.wallet, walletName(r.wallet, r.locale)],
    [labels.paymentMethod, paymentMethodName(r.paymentMethod, r.locale)],
    [labels.currency, r.currency],
  ];
  if (r.checkResult !== null && r.checkResult.trim() !== '') rows.push([labels.checkResult, r.checkResult]);
  return rows;
}

/** Provider on the left, title and the "paid" badge on the right; returns the y below the header rule. */
function drawHeader(c: Canvas, r: ReceiptData, labels: ReceiptLabels): number {
  const { page } = c;
  const top = A4[1];
  page.drawRectangle({ x: 0, y: top - 10, width: A4[0], height: 10, color: ACCENT });

  let y = top - MARGIN - 4;
  const providerWidth = CONTENT_WIDTH * 0.58;
  for (const line of wrap(c.safe(r.provider.name), c.bold, 16, providerWidth)) {
    page.drawText(line, { x: MARGIN, y, size: 16, font: c.bold, color: INK });
    y -= 20;
  }
  for (const line of [...wrap(c.safe(r.provider.address), c.regular, 9, providerWidth), c.safe(r.provider.email)]) {
    page.drawText(line, { x: MARGIN, y: y + 4, size: 9, font: c.regular, color: MUTED });
    y -= 12;
  }

  const right = A4[0] - MARGIN;
  const title = c.safe(labels.title.toUpperCase());
  const titleY = top - MARGIN - 8;
  page.drawText(title, { x: right - c.bold.widthOfTextAtSize(title, 24), y: titleY, size: 24, font: c.bold, color: ACCENT });
  const badgeWidth = c.bold.widthOfTextAtSize(labels.paid, 10) + 20;
  const badgeY = titleY - 30;
  page.drawRectangle({ x: right - badgeWidth, y: badgeY, width: badgeWidth, height: 18, color: rgb(0.12, 0.55, 0.32) });
  page.drawText(labels.paid, { x: right - badgeWidth + 10, y: badgeY + 5, size: 10, font: c.bold, color: WHITE });

  const ruleY = Math.min(y, badgeY) - 14;
  page.drawLine({ start: { x: MARGIN, y: ruleY }, end: { x: right, y: ruleY }, thickness: 1, color: RULE });
  return ruleY;
}

/** A section heading whose baseline sits at `y`; returns the y below it. */
function drawSectionTitle(c: Canvas, title: string, y: number): number {
  c.page.drawText(c.safe(title), { x: MARGIN, y, size: 11, font: c.bold, color: ACCENT });
  return y - 6;
}

/** Label | value rows, shaded alternately, values wrapped to the column; returns the y below the table. */
function drawFieldTable(c: Canvas, rows: [string, string][], top: number): number {
  const size = 10;
  const lineHeight = 13;
  const valueWidth = CONTENT_WIDTH - LABEL_COLUMN - 2 * CELL_PADDING;
  let y = top;
  rows.forEach(([label, value], i) => {
    const lines = wrap(c.safe(value), c.regular, size, valueWidth);
    const height = lines.length * lineHeight + 2 * CELL_PADDING - 3;
    if (i % 2 === 0) c.page.drawRectangle({ x: MARGIN, y: y - height, width: CONTENT_WIDTH, height, color: SHADE });
    const baseline = y - CELL_PADDING - size + 2;
    c.page.drawText(c.safe(label), { x: MARGIN + CELL_PADDING, y: baseline, size, font: c.regular, color: MUTED });
    lines.forEach((line, n) => {
      c.page.drawText(line, { x: MARGIN + LABEL_COLUMN + CELL_PADDING, y: baseline - n * lineHeight, size, font: c.regular, color: INK });
    });
    y -= height;
  });
  c.page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + CONTENT_WIDTH, y }, thickness: 0.75, color: RULE });
  return y;
}

/** Amount paid = outstanding settled + added to balance, then the new balance; amounts right-aligned. */
function drawAllocation(c: Canvas, r: ReceiptData, labels: ReceiptLabels, top: number): void {
  const money = (n: number) => formatIdr(n, r.locale);
  const right = MARGIN + CONTENT_WIDTH - CELL_PADDING;
  const rowHeight = 24;
  const row = (label: string, value: string, y: number, font: PDFFont, size: number, color = INK) => {
    const baseline = y - rowHeight / 2 - size / 2 + 2;
    c.page.drawText(c.safe(label), { x: MARGIN + CELL_PADDING, y: baseline, size, font, color });
    c.page.drawText(c.safe(value), { x: right - font.widthOfTextAtSize(c.safe(value), size), y: baseline, size, font, color });
  };
  let y = top;
  row(labels.amountPaid, money(r.amount), y, c.bold, 10);
  y -= rowHeight;
  row(labels.outstandingSettled, money(r.settled), y, c.regular, 10, MUTED);
  y -= rowHeight;
  row(labels.addedToBalance, money(r.added), y, c.regular, 10, MUTED);
  y -= rowHeight;
  c.page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + CONTENT_WIDTH, y }, thickness: 0.75, color: RULE });
  y -= 4;
  c.page.drawRectangle({ x: MARGIN, y: y - rowHeight - 4, width: CONTENT_WIDTH, height: rowHeight + 4, color: SHADE });
  row(labels.newBalance, money(r.balanceAfter), y - 2, c.bold, 12);
  y -= rowHeight + 4 + 18;
  if (r.settled > 0) c.page.drawText(c.safe(labels.settledFirst), { x: MARGIN, y, size: 8.5, font: c.regular, color: MUTED });
}

function drawFooter(c: Canvas, r: ReceiptData, labels: ReceiptLabels): void {
  const y = MARGIN + 18;
  const right = A4[0] - MARGIN;
  c.page.drawLine({ start: { x: MARGIN, y: y + 16 }, end: { x: right, y: y + 16 }, thickness: 0.75, color: RULE });
  c.page.drawText(c.safe(labels.issuedElectronically), { x: MARGIN, y, size: 8, font: c.regular, color: MUTED });
  const contact = c.safe(`${labels.contact} ${r.provider.email}`);
  c.page.drawText(contact, { x: MARGIN, y: y - 11, size: 8, font: c.regular, color: MUTED });
  const name = c.safe(r.provider.name);
  c.page.drawText(name, { x: right - c.bold.widthOfTextAtSize(name, 8), y: y - 11, size: 8, font: c.bold, color: MUTED });
}

/**
 * Keeps what the font encodes; otherwise tries the character without its accents (NFKD: "ł" stays out, "é"
 * becomes "e"), then "?". Line breaks and tabs become spaces: a value is drawn on the lines `wrap` makes.
 */
function winAnsiSanitizer(font: PDFFont): (text: string) => string {
  const encodable = new Set(font.getCharacterSet());
  const fits = (s: string) => [...s].every((ch) => encodable.has(ch.codePointAt(0) ?? -1));
  return (text) =>
    [...text.normalize('NFC').replace(/\s/g, ' ')]
      .map((ch) => {
        if (fits(ch)) return ch;
        const stripped = ch.normalize('NFKD').replace(/\p{M}/gu, '');
        return stripped !== '' && fits(stripped) ? stripped : '?';
      })
      .join('');
}

/** Greedy word wrap to `maxWidth`; a word wider than a line is broken between characters. */
function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const width = (s: string) => font.widthOfTextAtSize(s, size);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w !== '')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (width(candidate) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    line = '';
    for (const ch of word) {
      if (line !== '' && width(line + ch) > maxWidth) {
        lines.push(line);
        line = '';
      }
      line += ch;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}
