/**
 * The drawing kit shared by the customer PDFs (receipt, proforma invoice): one A4 page, the house colours,
 * the provider header with a title and a status badge, section titles, label | value tables, right-aligned
 * amount rows and the footer. Deterministic: nothing here reads a clock or draws a random id.
 */
import { PDFDocument, type PDFFont, type PDFPage, type RGB, rgb, StandardFonts } from 'pdf-lib';
import { type Locale } from '../../workflows/definitions';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 56;
export const CONTENT_WIDTH = A4[0] - 2 * MARGIN;
export const LABEL_COLUMN = 170;
export const CELL_PADDING = 8;
/** The y above which page content must stay: the footer's rule. */
export const FOOTER_TOP = MARGIN + 18 + 16;

export const INK = rgb(0.12, 0.14, 0.17);
export const MUTED = rgb(0.42, 0.45, 0.5);
export const ACCENT = rgb(0.04, 0.38, 0.53);
export const SHADE = rgb(0.95, 0.96, 0.97);
export const RULE = rgb(0.84, 0.86, 0.89);
export const WHITE = rgb(1, 1, 1);
/** Badge colours: settled money, money still awaited, nothing more to happen. */
export const GREEN = rgb(0.12, 0.55, 0.32);
export const AMBER = rgb(0.8, 0.5, 0.05);
export const GREY = rgb(0.45, 0.47, 0.5);

/** What every drawing step needs: the page, both fonts, and text made safe for them. */
export interface Canvas {
  page: PDFPage;
  regular: PDFFont;
  bold: PDFFont;
  /** Replaces what the standard fonts (WinAnsi) cannot encode, so drawing never throws on a name. */
  safe(text: string): string;
}

/** The document's metadata; `date` is the business event it records, never the clock, so bytes repeat. */
export interface DocumentInfo {
  title: string;
  author: string;
  subject: string;
  locale: Locale;
  date: Date;
}

/** A one-page A4 document with its metadata set and Helvetica (regular and bold) embedded. */
export async function createA4Document(info: DocumentInfo): Promise<{ doc: PDFDocument; canvas: Canvas }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(info.title);
  doc.setAuthor(info.author);
  doc.setSubject(info.subject);
  doc.setCreator('topup-payments');
  doc.setProducer('pdf-lib');
  doc.setLanguage(info.locale === 'id' ? 'id-ID' : 'en-US');
  doc.setCreationDate(info.date);
  doc.setModificationDate(info.date);

  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  return { doc, canvas: { page: doc.addPage(A4), regular, bold, safe: winAnsiSanitizer(regular) } };
}

/** The provider who issues the document, as its header and footer show it. */
export interface Issuer {
  name: string;
  address: string;
  email: string;
}

/** Provider on the left, title and a badge on the right; returns the y below the header rule. */
export function drawHeader(c: Canvas, issuer: Issuer, title: string, badge: { text: string; color: RGB }): number {
  const { page } = c;
  const top = A4[1];
  const right = A4[0] - MARGIN;
  page.drawRectangle({ x: 0, y: top - 10, width: A4[0], height: 10, color: ACCENT });

  const titleText = c.safe(title.toUpperCase());
  const titleWidth = c.bold.widthOfTextAtSize(titleText, 24);
  let y = top - MARGIN - 4;
  // A long title takes room from the provider block rather than overlapping it.
  const providerWidth = Math.min(CONTENT_WIDTH * 0.58, CONTENT_WIDTH - titleWidth - 24);
  for (const line of wrap(c.safe(issuer.name), c.bold, 16, providerWidth)) {
    page.drawText(line, { x: MARGIN, y, size: 16, font: c.bold, color: INK });
    y -= 20;
  }
  for (const line of [...wrap(c.safe(issuer.address), c.regular, 9, providerWidth), c.safe(issuer.email)]) {
    page.drawText(line, { x: MARGIN, y: y + 4, size: 9, font: c.regular, color: MUTED });
    y -= 12;
  }

  const titleY = top - MARGIN - 8;
  page.drawText(titleText, { x: right - titleWidth, y: titleY, size: 24, font: c.bold, color: ACCENT });
  const badgeText = c.safe(badge.text);
  const badgeWidth = c.bold.widthOfTextAtSize(badgeText, 10) + 20;
  const badgeY = titleY - 30;
  page.drawRectangle({ x: right - badgeWidth, y: badgeY, width: badgeWidth, height: 18, color: badge.color });
  page.drawText(badgeText, { x: right - badgeWidth + 10, y: badgeY + 5, size: 10, font: c.bold, color: WHITE });

  const ruleY = Math.min(y, badgeY) - 14;
  page.drawLine({ start: { x: MARGIN, y: ruleY }, end: { x: right, y: ruleY }, thickness: 1, color: RULE });
  return ruleY;
}

/** A section heading whose baseline sits at `y`; returns the y below it. */
export function drawSectionTitle(c: Canvas, title: string, y: number): number {
  c.page.drawText(c.safe(title), { x: MARGIN, y, size: 11, font: c.bold, color: ACCENT });
  return y - 6;
}

/** A thin rule across the content width at `y`. */
export function drawRule(c: Canvas, y: number): void {
  c.page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + CONTENT_WIDTH, y }, thickness: 0.75, color: RULE });
}

/** Label | value rows, shaded alternately, values wrapped to the column; returns the y below the table. */
export function drawFieldTable(c: Canvas, rows: [string, string][], top: number): number {
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
  drawRule(c, y);
  return y;
}

/** One amount row of `rowHeight` below `y`: the label on the left, the value right-aligned. */
export interface AmountRow {
  label: string;
  value: string;
  y: number;
  rowHeight: number;
  font: PDFFont;
  size: number;
  color?: RGB;
}

/** Draws an amount row: label at the left margin, value flush with the right edge of the content. */
export function drawAmountRow(c: Canvas, row: AmountRow): void {
  const baseline = row.y - row.rowHeight / 2 - row.size / 2 + 2;
  const color = row.color ?? INK;
  const value = c.safe(row.value);
  c.page.drawText(c.safe(row.label), { x: MARGIN + CELL_PADDING, y: baseline, size: row.size, font: row.font, color });
  c.page.drawText(value, { x: rightAligned(value, row.font, row.size), y: baseline, size: row.size, font: row.font, color });
}

/** The x at which already-safe `text` ends flush with `right` (by default the content's edge, inside the padding). */
export function rightAligned(text: string, font: PDFFont, size: number, right = MARGIN + CONTENT_WIDTH - CELL_PADDING): number {
  return right - font.widthOfTextAtSize(text, size);
}

/** The shaded total row under a rule, in bold at 12 pt; returns the y below it. */
export function drawTotalRow(c: Canvas, label: string, value: string, top: number, rowHeight: number): number {
  drawRule(c, top);
  const y = top - 4;
  c.page.drawRectangle({ x: MARGIN, y: y - rowHeight - 4, width: CONTENT_WIDTH, height: rowHeight + 4, color: SHADE });
  drawAmountRow(c, { label, value, y: y - 2, rowHeight, font: c.bold, size: 12 });
  return y - rowHeight - 4;
}

/** The footer: a rule, the `note` and the contact line on the left, the provider's name on the right. */
export function drawFooter(c: Canvas, issuer: Issuer, note: string, contactLabel: string): void {
  const y = MARGIN + 18;
  const right = A4[0] - MARGIN;
  c.page.drawLine({ start: { x: MARGIN, y: FOOTER_TOP }, end: { x: right, y: FOOTER_TOP }, thickness: 0.75, color: RULE });
  c.page.drawText(c.safe(note), { x: MARGIN, y, size: 8, font: c.regular, color: MUTED });
  const contact = c.safe(`${contactLabel} ${issuer.email}`);
  c.page.drawText(contact, { x: MARGIN, y: y - 11, size: 8, font: c.regular, color: MUTED });
  const name = c.safe(issuer.name);
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
export function wrap(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
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

/** One row of a column table: the cells, and notes drawn small beneath them. */
export interface ColumnRow {
  cells: string[];
  notes: string[];
}

/**
 * A table under a shaded header: the first column is text wrapped to `firstWidth`, the others are amounts
 * right-aligned at `rights` (one x per column after the first).
 */
export interface ColumnTable {
  header: string[];
  rows: ColumnRow[];
  firstWidth: number;
  rights: number[];
}

/** Draws a column table from `top`; returns the y below its last rule. */
export function drawColumnTable(c: Canvas, t: ColumnTable, top: number): number {
  const size = 10;
  const lineHeight = 13;
  const noteSize = 8.5;
  const noteHeight = 11;
  const headerHeight = 20;
  const cellsAt = (cells: string[], baseline: number, font: PDFFont, fontSize: number, color: RGB) => {
    cells.slice(1).forEach((cell, i) => {
      const text = c.safe(cell);
      c.page.drawText(text, { x: rightAligned(text, font, fontSize, t.rights[i]), y: baseline, size: fontSize, font, color });
    });
  };

  c.page.drawRectangle({ x: MARGIN, y: top - headerHeight, width: CONTENT_WIDTH, height: headerHeight, color: SHADE });
  const headerBaseline = top - headerHeight / 2 - 9 / 2 + 2;
  c.page.drawText(c.safe(t.header[0] ?? ''), { x: MARGIN + CELL_PADDING, y: headerBaseline, size: 9, font: c.bold, color: MUTED });
  cellsAt(t.header, headerBaseline, c.bold, 9, MUTED);
  let y = top - headerHeight;

  for (const row of t.rows) {
    const first = wrap(c.safe(row.cells[0] ?? ''), c.regular, size, t.firstWidth);
    const notes = row.notes.flatMap((note) => wrap(c.safe(note), c.regular, noteSize, CONTENT_WIDTH - 2 * CELL_PADDING));
    const baseline = y - CELL_PADDING - size + 2;
    first.forEach((line, n) => c.page.drawText(line, { x: MARGIN + CELL_PADDING, y: baseline - n * lineHeight, size, font: c.regular, color: INK }));
    cellsAt(row.cells, baseline, c.regular, size, INK);
    const notesTop = baseline - first.length * lineHeight + 1;
    notes.forEach((line, n) => c.page.drawText(line, { x: MARGIN + CELL_PADDING, y: notesTop - n * noteHeight, size: noteSize, font: c.regular, color: MUTED }));
    y -= first.length * lineHeight + 2 * CELL_PADDING - 3 + notes.length * noteHeight;
    drawRule(c, y);
  }
  return y;
}
