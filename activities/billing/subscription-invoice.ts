/**
 * A subscription's renewal invoice (seed 002) as a one-page PDF and as the owner's email when the deposit did
 * not cover it, in English or Bahasa Indonesia. Pure: data in, bytes or text out; the layout is the receipt's.
 */
import { createA4Document, drawFieldTable, drawFooter, drawHeader, drawSectionTitle, AMBER, GREEN } from '../shared/pdf-layout';
import { formatDateTime, formatIdr } from '../shared/money-format';
import { statusName, type Locale } from '../../workflows/definitions';
import { renderEmail, type RenderedEmail } from '../shared/render-email';

/** What a renewal invoice shows. */
export interface SubscriptionInvoiceData {
  locale: Locale;
  timeZone: string;
  provider: { name: string; address: string; email: string };
  companyName: string;
  invoiceId: string;
  product: string;
  /** The period it renews, local dates `YYYY-MM-DD` (end exclusive). */
  periodStart: string;
  periodEnd: string;
  amount: number;
  issuedAt: string;
  dueAt: string;
  status: 'unpaid' | 'paid';
  paidAt: string | null;
}

const LABELS = {
  en: {
    title: 'Invoice',
    details: 'Invoice details',
    invoice: 'Invoice number',
    company: 'Company name',
    product: 'Service',
    period: 'Period',
    issued: 'Issued',
    due: 'Due',
    amount: 'Amount',
    paid: 'Paid from deposit',
    footer: 'Paid automatically from your deposit balance when it covers the invoice.',
    contact: 'Questions about this invoice:',
    to: 'to',
  },
  id: {
    title: 'Faktur',
    details: 'Rincian faktur',
    invoice: 'Nomor faktur',
    company: 'Nama perusahaan',
    product: 'Layanan',
    period: 'Periode',
    issued: 'Diterbitkan',
    due: 'Jatuh tempo',
    amount: 'Jumlah',
    paid: 'Dibayar dari saldo deposit',
    footer: 'Dibayar otomatis dari saldo deposit Anda bila saldo mencukupi.',
    contact: 'Pertanyaan tentang faktur ini:',
    to: 's.d.',
  },
} as const;

function rows(d: SubscriptionInvoiceData): [string, string][] {
  const l = LABELS[d.locale];
  const out: [string, string][] = [
    [l.invoice, d.invoiceId],
    [l.company, d.companyName],
    [l.product, d.product],
    [l.period, `${d.periodStart} ${l.to} ${d.periodEnd}`],
    [l.issued, formatDateTime(d.issuedAt, d.locale, d.timeZone)],
    [l.due, formatDateTime(d.dueAt, d.locale, d.timeZone)],
    [l.amount, formatIdr(d.amount, d.locale)],
  ];
  if (d.paidAt) out.push([l.paid, formatDateTime(d.paidAt, d.locale, d.timeZone)]);
  return out;
}

/** The invoice as a PDF; byte-identical for the same data (dated by its issue, never the clock). */
export async function renderSubscriptionInvoicePdf(d: SubscriptionInvoiceData): Promise<Uint8Array> {
  const l = LABELS[d.locale];
  const { doc, canvas } = await createA4Document({ title: `${l.title} ${d.invoiceId}`, author: d.provider.name, subject: `${l.title} ${d.invoiceId} - ${d.companyName}`, locale: d.locale, date: new Date(d.issuedAt) });
  let y = drawHeader(canvas, d.provider, l.title, { text: statusName(d.status, d.locale).toLocaleUpperCase(d.locale), color: d.status === 'paid' ? GREEN : AMBER });
  y = drawSectionTitle(canvas, l.details, y - 26);
  drawFieldTable(canvas, rows(d), y - 8);
  drawFooter(canvas, d.provider, l.footer, l.contact);
  return doc.save();
}

/** The file name of the invoice PDF. */
export function subscriptionInvoiceFileName(d: Pick<SubscriptionInvoiceData, 'locale' | 'invoiceId'>): string {
  return `${d.locale === 'id' ? 'faktur' : 'invoice'}-${d.invoiceId}.pdf`;
}

/** The owner's email when the deposit did not cover the invoice: pay it another way before it is due. */
export function unpaidInvoiceEmail(d: SubscriptionInvoiceData): RenderedEmail {
  const en = d.locale === 'en';
  return renderEmail({
    locale: d.locale,
    providerName: d.provider.name,
    subject: en ? `Invoice ${d.invoiceId} for ${d.product} is unpaid` : `Faktur ${d.invoiceId} untuk ${d.product} belum dibayar`,
    heading: en ? 'Your deposit did not cover this invoice' : 'Saldo deposit Anda tidak mencukupi',
    intro: en
      ? 'Your deposit balance does not cover the invoice below, so it was not paid automatically. Pay it by bank transfer or online before it is due, or the service is suspended.'
      : 'Saldo deposit Anda tidak mencukupi untuk faktur berikut, sehingga tidak dibayar otomatis. Bayar melalui transfer bank atau online sebelum jatuh tempo agar layanan tidak ditangguhkan.',
    rows: rows(d),
    notes: [en ? 'The invoice is attached as a PDF.' : 'Faktur terlampir dalam bentuk PDF.'],
  });
}
