/**
 * The proforma (sales) invoice of an online self top-up (seed 001): one A4 page in the account's locale with
 * the provider's header and the order's status, until when it can be paid and how, the wallet lines with any
 * adjustment a rule made, the card fee and total, and after payment how each wallet's top-up settled an
 * outstanding balance first. Deterministic: the same data renders byte-identical output (dated by `issuedAt`).
 */
import { formatBasisPoints, formatDateTime, formatIdr, formatPacks, formatWalletAmount } from '../shared/money-format';
import { paymentMethodName, statusName, walletName, type Locale, type OnlinePaymentMethod, type OrderStatus } from '../../workflows/definitions';
import {
  AMBER,
  type Canvas,
  CELL_PADDING,
  CONTENT_WIDTH,
  type ColumnRow,
  createA4Document,
  drawAmountRow,
  drawColumnTable,
  drawFieldTable,
  drawFooter,
  drawHeader,
  drawSectionTitle,
  drawTotalRow,
  FOOTER_TOP,
  GREEN,
  GREY,
  MARGIN,
  MUTED,
  wrap,
} from '../shared/pdf-layout';

/** The invoice's status: the order's, once its invoice is issued. */
export type InvoiceStatus = Extract<OrderStatus, 'awaiting_payment' | 'paid' | 'closed' | 'paid_late'>;

/** One wallet of the order as billed (`OnlineLine`): `requested` (packs for `muv`) and `credit` in the wallet's unit, `price` IDR. */
export interface InvoiceLine {
  wallet: string;
  requested: number;
  credit: number;
  price: number;
  /** Why `credit` differs from `requested` (e.g. raised to the WhatsApp minimum), shown under the line. */
  adjustment: string | null;
}

/** How one wallet's top-up went in: the part that settled an outstanding balance first, and the rest added. */
export interface WalletSettlement {
  wallet: string;
  settled: number;
  added: number;
  /** The deposit line of an order that paid a subscription invoice: the part neither it nor the deposit could take, held for finance. */
  held?: number;
}

/** Where to pay: a virtual account (number and bank) or a payment link (card, e-wallet). */
export interface InvoicePayment {
  vaNumber: string | null;
  bankCode: string | null;
  paymentUrl: string | null;
}

/** Everything a proforma invoice shows; amounts in whole rupiah (visitors for `muv` credit), times as ISO-8601. */
export interface ProformaInvoiceData {
  locale: Locale;
  timeZone: string;
  provider: { name: string; address: string; email: string };
  customer: { companyName: string; username: string; email: string };
  orderNumber: string;
  issuedAt: string;
  /** The end of validity (23:59:59 of the next day, local); shown to the minute. */
  expiresAt: string;
  status: InvoiceStatus;
  paymentMethod: OnlinePaymentMethod;
  payment: InvoicePayment;
  lines: InvoiceLine[];
  /** Always the sum of the lines' prices. */
  subtotal: number;
  /** The credit-card fee; 0 for other methods. */
  fee: number;
  /** The card fee rate of the order's policy, in basis points (350 = 3.5 %), named on the fee line. */
  cardFeeBasisPoints: number;
  /** Always `subtotal + fee`: what the customer pays. */
  total: number;
  /** After payment, per wallet; null before. */
  settlement: WalletSettlement[] | null;
}

interface InvoiceLabels {
  title: string;
  details: string;
  orderNumber: string;
  issuedAt: string;
  validUntil: string;
  company: string;
  username: string;
  email: string;
  paymentMethod: string;
  vaNumber: string;
  paymentLink: string;
  items: string;
  wallet: string;
  requested: string;
  credited: string;
  price: string;
  adjusted: string;
  subtotal: string;
  cardFee(rate: string): string;
  total: string;
  settledFirst(settled: string, added: string): string;
  statusNote: Record<InvoiceStatus, string>;
  footer: string;
  contact: string;
}

const LABELS: Record<Locale, InvoiceLabels> = {
  en: {
    title: 'Proforma invoice',
    details: 'Invoice details',
    orderNumber: 'Order number',
    issuedAt: 'Issued',
    validUntil: 'Valid until',
    company: 'Company name',
    username: 'Username',
    email: 'Email',
    paymentMethod: 'Payment method',
    vaNumber: 'Virtual account number',
    paymentLink: 'Payment link',
    items: 'Top-up',
    wallet: 'Wallet',
    requested: 'Requested',
    credited: 'Credited',
    price: 'Price',
    adjusted: 'Adjusted:',
    subtotal: 'Subtotal',
    cardFee: (rate) => `Credit card fee (${rate})`,
    total: 'Total',
    settledFirst: (settled, added) => `Outstanding settled first: ${settled}; added to balance: ${added}`,
    statusNote: {
      awaiting_payment: 'Pay the total before the time under "Valid until". After it this invoice expires and a new order is needed.',
      paid: 'This invoice has been paid.',
      closed: 'This invoice expired without payment. Create a new order to top up.',
      paid_late: 'The payment arrived after this invoice expired; our finance team will credit or refund it.',
    },
    footer: 'A proforma invoice, not a tax invoice; issued electronically and valid without a signature.',
    contact: 'Questions about this invoice:',
  },
  id: {
    title: 'Faktur proforma',
    details: 'Rincian faktur',
    orderNumber: 'Nomor pesanan',
    issuedAt: 'Diterbitkan',
    validUntil: 'Berlaku hingga',
    company: 'Nama perusahaan',
    username: 'Nama pengguna',
    email: 'Email',
    paymentMethod: 'Metode pembayaran',
    vaNumber: 'Nomor virtual account',
    paymentLink: 'Tautan pembayaran',
    items: 'Top up',
    wallet: 'Jenis saldo',
    requested: 'Diminta',
    credited: 'Masuk ke saldo',
    price: 'Harga',
    adjusted: 'Disesuaikan:',
    subtotal: 'Subtotal',
    cardFee: (rate) => `Biaya kartu kredit (${rate})`,
    total: 'Total',
    settledFirst: (settled, added) => `Tunggakan dilunasi terlebih dahulu: ${settled}; ditambahkan ke saldo: ${added}`,
    statusNote: {
      awaiting_payment: 'Bayar total sebelum waktu pada "Berlaku hingga". Setelah itu faktur ini kedaluwarsa dan perlu pesanan baru.',
      paid: 'Faktur ini telah dibayar.',
      closed: 'Faktur ini kedaluwarsa tanpa pembayaran. Buat pesanan baru untuk top up.',
      paid_late: 'Pembayaran diterima setelah faktur ini kedaluwarsa; tim keuangan kami akan menambahkannya ke saldo atau mengembalikannya.',
    },
    footer: 'Faktur proforma, bukan faktur pajak; diterbitkan secara elektronik dan sah tanpa tanda tangan.',
    contact: 'Pertanyaan tentang faktur ini:',
  },
};

const BADGE_COLORS = { awaiting_payment: AMBER, paid: GREEN, closed: GREY, paid_late: AMBER } as const;

/** The line table: the wallet's name, then three amount columns (requested, credited, price) flush right. */
const AMOUNT_COLUMN = 108;
const AMOUNT_RIGHTS = [2, 1, 0].map((n) => MARGIN + CONTENT_WIDTH - n * AMOUNT_COLUMN - CELL_PADDING);
const WALLET_COLUMN_WIDTH = CONTENT_WIDTH - 3 * AMOUNT_COLUMN - 2 * CELL_PADDING;

/** The file name in the invoice's locale: `proforma-invoice-1202206054089.pdf` / `faktur-proforma-1202206054089.pdf`. */
export function proformaInvoiceFileName(inv: Pick<ProformaInvoiceData, 'locale' | 'orderNumber'>): string {
  return `${LABELS[inv.locale].title.toLowerCase().replace(/ /g, '-')}-${inv.orderNumber}.pdf`;
}

/**
 * Renders the proforma invoice as PDF bytes. Throws a RangeError when the amounts do not add up
 * (`subtotal = Σ price`, `total = subtotal + fee`, each settlement = its line's credit) or the page overflows.
 */
export async function renderProformaInvoicePdf(inv: ProformaInvoiceData): Promise<Uint8Array> {
  checkInvoice(inv);
  const labels = LABELS[inv.locale];
  const { doc, canvas } = await createA4Document({
    title: `${labels.title} ${inv.orderNumber}`,
    author: inv.provider.name,
    subject: `${labels.title} ${inv.orderNumber} - ${inv.customer.companyName}`,
    locale: inv.locale,
    date: new Date(inv.issuedAt),
  });

  let y = drawHeader(canvas, inv.provider, labels.title, { text: statusName(inv.status, inv.locale).toLocaleUpperCase(inv.locale), color: BADGE_COLORS[inv.status] });
  y = drawSectionTitle(canvas, labels.details, y - 26);
  y = drawFieldTable(canvas, fieldRows(inv, labels), y - 8);
  y = drawSectionTitle(canvas, labels.items, y - 26);
  y = drawColumnTable(canvas, { header: [labels.wallet, labels.requested, labels.credited, labels.price], rows: lineRows(inv, labels), firstWidth: WALLET_COLUMN_WIDTH, rights: AMOUNT_RIGHTS }, y - 8);
  y = drawTotals(canvas, inv, labels, y);
  const lastBaseline = drawNotes(canvas, labels.statusNote[inv.status], y - 18);
  if (lastBaseline < FOOTER_TOP + 8) throw new RangeError(`proforma invoice ${inv.orderNumber} does not fit on one page (${inv.lines.length} lines)`);
  drawFooter(canvas, inv.provider, labels.footer, labels.contact);
  return doc.save();
}

function checkInvoice(inv: ProformaInvoiceData): void {
  const whole = (name: string, value: number) => {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`invoice ${name} must be a whole non-negative amount, got ${value}`);
  };
  if (inv.lines.length === 0) throw new RangeError('invoice lines: at least one wallet is billed');
  const wallets = new Set(inv.lines.map((l) => l.wallet));
  if (wallets.size !== inv.lines.length) throw new RangeError('invoice lines: one line per wallet');
  inv.lines.forEach((l, i) => {
    for (const k of ['requested', 'credit', 'price'] as const) whole(`lines.${i}.${k}`, l[k]);
  });
  for (const [name, value] of [['subtotal', inv.subtotal], ['fee', inv.fee], ['total', inv.total]] as const) whole(name, value);
  const sum = inv.lines.reduce((s, l) => s + l.price, 0);
  if (inv.subtotal !== sum) throw new RangeError(`invoice subtotal ${inv.subtotal} != sum of line prices ${sum}`);
  if (inv.total !== inv.subtotal + inv.fee) throw new RangeError(`invoice total ${inv.total} != subtotal ${inv.subtotal} + fee ${inv.fee}`);
  if (inv.fee > 0 && inv.paymentMethod !== 'credit_card') throw new RangeError(`invoice fee ${inv.fee}: only a credit-card payment carries a fee`);
  for (const s of inv.settlement ?? []) {
    const line = inv.lines.find((l) => l.wallet === s.wallet);
    if (!line) throw new RangeError(`invoice settlement names ${s.wallet}, which has no line`);
    whole(`settlement ${s.wallet} settled`, s.settled);
    whole(`settlement ${s.wallet} added`, s.added);
    const held = s.held ?? 0;
    whole(`settlement ${s.wallet} held`, held);
    if (s.settled + s.added + held !== line.credit) {
      throw new RangeError(`invoice settlement of ${s.wallet}: settled ${s.settled} + added ${s.added} + held ${held} != credit ${line.credit}`);
    }
  }
}

function fieldRows(inv: ProformaInvoiceData, labels: InvoiceLabels): [string, string][] {
  const method = paymentMethodName(inv.paymentMethod, inv.locale);
  const rows: [string, string][] = [
    [labels.orderNumber, inv.orderNumber],
    [labels.issuedAt, formatDateTime(inv.issuedAt, inv.locale, inv.timeZone)],
    [labels.validUntil, formatDateTime(inv.expiresAt, inv.locale, inv.timeZone)],
    [labels.company, inv.customer.companyName],
    [labels.username, inv.customer.username],
    [labels.email, inv.customer.email],
    [labels.paymentMethod, inv.payment.bankCode === null ? method : `${method} (${inv.payment.bankCode})`],
  ];
  if (inv.payment.vaNumber !== null) rows.push([labels.vaNumber, inv.payment.vaNumber]);
  // A link is something to do, so it is offered only while the invoice can still be paid.
  if (inv.payment.paymentUrl !== null && inv.status === 'awaiting_payment') rows.push([labels.paymentLink, inv.payment.paymentUrl]);
  return rows;
}

/** One row per wallet; under it, the rule's adjustment and, once paid, the outstanding it settled first. */
function lineRows(inv: ProformaInvoiceData, labels: InvoiceLabels): ColumnRow[] {
  const unit = (wallet: string, n: number) => formatWalletAmount(wallet, n, inv.locale);
  return inv.lines.map((l) => {
    const notes: string[] = [];
    if (l.adjustment !== null) notes.push(`${labels.adjusted} ${l.adjustment}`);
    const settled = inv.settlement?.find((s) => s.wallet === l.wallet);
    if (settled && settled.settled > 0) notes.push(labels.settledFirst(unit(l.wallet, settled.settled), unit(l.wallet, settled.added)));
    // muv is asked for in packs and credited in visitors.
    const requested = l.wallet === 'muv' ? formatPacks(l.requested, inv.locale) : unit(l.wallet, l.requested);
    return { cells: [walletName(l.wallet, inv.locale), requested, unit(l.wallet, l.credit), formatIdr(l.price, inv.locale)], notes };
  });
}

/** Subtotal, the card fee when there is one, then the shaded total; returns the y below it. */
function drawTotals(c: Canvas, inv: ProformaInvoiceData, labels: InvoiceLabels, top: number): number {
  const money = (n: number) => formatIdr(n, inv.locale);
  const rowHeight = 22;
  let y = top;
  drawAmountRow(c, { label: labels.subtotal, value: money(inv.subtotal), y, rowHeight, font: c.regular, size: 10, color: MUTED });
  y -= rowHeight;
  if (inv.fee > 0) {
    drawAmountRow(c, { label: labels.cardFee(formatBasisPoints(inv.cardFeeBasisPoints, inv.locale)), value: money(inv.fee), y, rowHeight, font: c.regular, size: 10, color: MUTED });
    y -= rowHeight;
  }
  return drawTotalRow(c, labels.total, money(inv.total), y, rowHeight);
}

/** A small muted paragraph, the first baseline at `top`; returns the last line's baseline. */
function drawNotes(c: Canvas, paragraph: string, top: number): number {
  const lines = wrap(c.safe(paragraph), c.regular, 8.5, CONTENT_WIDTH);
  lines.forEach((line, n) => c.page.drawText(line, { x: MARGIN, y: top - n * 11, size: 8.5, font: c.regular, color: MUTED }));
  return top - (lines.length - 1) * 11;
}
