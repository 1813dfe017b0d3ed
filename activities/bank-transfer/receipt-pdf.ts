/**
 * The PDF receipt attached to the "paid" email: one A4 page in the account's locale with the provider's
 * header, the order's fields, how the payment was split between the outstanding balance and the wallet,
 * and a footer. Deterministic: the same data renders byte-identical output (no clock, no random ids).
 */
import { formatDateTime, formatIdr } from '../shared/money-format';
import { paymentMethodName, statusName, walletName, type Locale } from '../../workflows/definitions';
import { type Canvas, createA4Document, drawAmountRow, drawFieldTable, drawFooter, drawHeader, drawSectionTitle, drawTotalRow, GREEN, MARGIN, MUTED } from '../shared/pdf-layout';

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
  /** The amount paid; always `settled + added + held`. */
  amount: number;
  /** The part that settled an outstanding (negative) balance first. */
  settled: number;
  /** The part added to the wallet. */
  added: number;
  /** The wallet's balance after this payment. */
  balanceAfter: number;
  /** Finance's note on the decision, if any. */
  checkResult: string | null;
  /** An order that settled a subscription invoice: the part that paid it (out of `added`), and the part held for finance. */
  invoicePayment?: { invoiceId: string; paidInvoice: number; held: number } | null;
}

interface ReceiptLabels {
  title: string;
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
  paidInvoice: (id: string) => string;
  heldForFinance: string;
  heldNote: string;
  issuedElectronically: string;
  contact: string;
}

const LABELS: Record<Locale, ReceiptLabels> = {
  en: {
    title: 'Receipt',
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
    paidInvoice: (id) => `Paid invoice ${id} from it`,
    heldForFinance: 'Held for finance',
    heldNote: 'The invoice could no longer take this payment and the deposit may not: our finance team holds it and will contact you.',
    issuedElectronically: 'This receipt was issued electronically and is valid without a signature.',
    contact: 'Questions about this payment:',
  },
  id: {
    title: 'Kuitansi',
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
    paidInvoice: (id) => `Darinya dibayar faktur ${id}`,
    heldForFinance: 'Ditahan untuk tim keuangan',
    heldNote: 'Faktur tidak dapat lagi menerima pembayaran ini dan deposit tidak boleh menampungnya: tim keuangan kami menahannya dan akan menghubungi Anda.',
    issuedElectronically: 'Kuitansi ini diterbitkan secara elektronik dan sah tanpa tanda tangan.',
    contact: 'Pertanyaan tentang pembayaran ini:',
  },
};

/** The attachment's file name in the receipt's locale: `receipt-1202206054089.pdf` / `kuitansi-1202206054089.pdf`. */
export function receiptFileName(r: Pick<ReceiptData, 'locale' | 'orderNumber'>): string {
  return `${LABELS[r.locale].title.toLowerCase()}-${r.orderNumber}.pdf`;
}

/** Renders the receipt as PDF bytes. Throws when the amounts do not add up (`amount = settled + added`). */
export async function renderReceiptPdf(r: ReceiptData): Promise<Uint8Array> {
  checkAmounts(r);
  const labels = LABELS[r.locale];
  const { doc, canvas } = await createA4Document({
    title: `${labels.title} ${r.orderNumber}`,
    author: r.provider.name,
    subject: `${labels.title} ${r.orderNumber} - ${r.customer.companyName}`,
    locale: r.locale,
    date: new Date(r.paidAt),
  });

  let y = drawHeader(canvas, r.provider, labels.title, { text: statusName('paid', r.locale).toLocaleUpperCase(r.locale), color: GREEN });
  y = drawSectionTitle(canvas, labels.details, y - 28);
  y = drawFieldTable(canvas, fieldRows(r, labels), y - 8);
  y = drawSectionTitle(canvas, labels.allocation, y - 28);
  drawAllocation(canvas, r, labels, y - 8);
  drawFooter(canvas, r.provider, labels.issuedElectronically, labels.contact);
  return doc.save();
}

function checkAmounts(r: ReceiptData): void {
  const held = r.invoicePayment?.held ?? 0;
  for (const [name, value] of [['amount', r.amount], ['settled', r.settled], ['added', r.added], ['held', held]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`receipt ${name} must be a whole non-negative amount, got ${value}`);
  }
  if (r.settled + r.added + held !== r.amount) {
    throw new RangeError(`receipt amounts do not add up: settled ${r.settled} + added ${r.added} + held ${held} != amount ${r.amount}`);
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

/** Amount paid = outstanding settled + added to balance, then the new balance; amounts right-aligned. */
function drawAllocation(c: Canvas, r: ReceiptData, labels: ReceiptLabels, top: number): void {
  const money = (n: number) => formatIdr(n, r.locale);
  const rowHeight = 24;
  let y = top;
  drawAmountRow(c, { label: labels.amountPaid, value: money(r.amount), y, rowHeight, font: c.bold, size: 10 });
  y -= rowHeight;
  drawAmountRow(c, { label: labels.outstandingSettled, value: money(r.settled), y, rowHeight, font: c.regular, size: 10, color: MUTED });
  y -= rowHeight;
  drawAmountRow(c, { label: labels.addedToBalance, value: money(r.added), y, rowHeight, font: c.regular, size: 10, color: MUTED });
  y -= rowHeight;
  const invoice = r.invoicePayment;
  if (invoice && invoice.paidInvoice > 0) {
    drawAmountRow(c, { label: labels.paidInvoice(invoice.invoiceId), value: `-${money(invoice.paidInvoice)}`, y, rowHeight, font: c.regular, size: 10, color: MUTED });
    y -= rowHeight;
  }
  if (invoice && invoice.held > 0) {
    drawAmountRow(c, { label: labels.heldForFinance, value: money(invoice.held), y, rowHeight, font: c.regular, size: 10, color: MUTED });
    y -= rowHeight;
  }
  y = drawTotalRow(c, labels.newBalance, money(r.balanceAfter), y, rowHeight) - 18;
  if (r.settled > 0) c.page.drawText(c.safe(labels.settledFirst), { x: MARGIN, y, size: 8.5, font: c.regular, color: MUTED });
  if (invoice && invoice.held > 0) c.page.drawText(c.safe(labels.heldNote), { x: MARGIN, y: y - 14, size: 8.5, font: c.regular, color: MUTED });
}
