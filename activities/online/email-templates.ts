/**
 * The emails of an online self top-up (seed 001), in the account's locale: the billing info sent on "confirm
 * payment", and the payment-successful email (the caller attaches the proforma invoice and sends it only to the
 * user who requested the top-up). Pure: data in, subject + text + HTML out, through the shared renderer.
 */
import type { InvoiceLine, ProformaInvoiceData } from './invoice-pdf';
import { formatBasisPoints, formatDateTime, formatIdr, formatWalletAmount } from '../shared/money-format';
import { paymentMethodName, statusName, walletName, type Locale } from '../../workflows/definitions';
import { COMMON, type OrderEmailBase, type RenderedEmail, renderEmail } from '../shared/render-email';

/** The sales invoice was issued (Awaiting payment): what to pay, how, and until when. */
export interface BillingInfoEmailData
  extends OrderEmailBase,
    Pick<ProformaInvoiceData, 'timeZone' | 'expiresAt' | 'paymentMethod' | 'payment' | 'lines' | 'subtotal' | 'fee' | 'cardFeeBasisPoints' | 'total'> {}

/** The invoice was paid: what was paid and how each wallet's top-up went in. */
export interface OnlinePaidEmailData extends OrderEmailBase, Pick<ProformaInvoiceData, 'paymentMethod' | 'total'> {
  settlement: NonNullable<ProformaInvoiceData['settlement']>;
}

const LABELS: Record<Locale, { total: string; paymentMethod: string; vaNumber: string; paymentLink: string; validUntil: string; subtotal: string; cardFee(rate: string): string }> = {
  en: {
    total: 'Total',
    paymentMethod: 'Payment method',
    vaNumber: 'Virtual account number',
    paymentLink: 'Payment link',
    validUntil: 'Valid until',
    subtotal: 'Subtotal',
    cardFee: (rate) => `Credit card fee (${rate})`,
  },
  id: {
    total: 'Total',
    paymentMethod: 'Metode pembayaran',
    vaNumber: 'Nomor virtual account',
    paymentLink: 'Tautan pembayaran',
    validUntil: 'Berlaku hingga',
    subtotal: 'Subtotal',
    cardFee: (rate) => `Biaya kartu kredit (${rate})`,
  },
};

/** Email on "confirm payment": the order's lines, the total (with the card fee), where to pay and until when. */
export function billingInfoEmail(d: BillingInfoEmailData): RenderedEmail {
  const en = d.locale === 'en';
  const t = LABELS[d.locale];
  const money = (n: number) => formatIdr(n, d.locale);
  const validUntil = formatDateTime(d.expiresAt, d.locale, d.timeZone);
  const method = paymentMethodName(d.paymentMethod, d.locale);
  const rows: [string, string][] = [[COMMON[d.locale].orderNumber, d.orderNumber], ...d.lines.map((l) => lineRow(l, d.locale))];
  if (d.fee > 0) rows.push([t.subtotal, money(d.subtotal)], [t.cardFee(formatBasisPoints(d.cardFeeBasisPoints, d.locale)), money(d.fee)]);
  rows.push([t.total, money(d.total)], [t.paymentMethod, d.payment.bankCode === null ? method : `${method} (${d.payment.bankCode})`]);
  if (d.payment.vaNumber !== null) rows.push([t.vaNumber, d.payment.vaNumber]);
  if (d.payment.paymentUrl !== null) rows.push([t.paymentLink, d.payment.paymentUrl]);
  rows.push([t.validUntil, validUntil]);
  return renderEmail({
    locale: d.locale,
    providerName: d.providerName,
    subject: en ? `Billing info for top-up order ${d.orderNumber}` : `Info tagihan pesanan top up ${d.orderNumber}`,
    heading: en ? 'Billing info' : 'Info tagihan',
    intro: en
      ? `Thank you for confirming your top-up. Please pay ${money(d.total)} before ${validUntil}.`
      : `Terima kasih telah mengonfirmasi top up Anda. Silakan bayar ${money(d.total)} sebelum ${validUntil}.`,
    rows,
    notes: [
      en
        ? `This invoice expires at ${validUntil}. After that the order is closed and you need to create a new order to top up.`
        : `Faktur ini kedaluwarsa pada ${validUntil}. Setelah itu pesanan ditutup dan Anda perlu membuat pesanan baru untuk top up.`,
    ],
  });
}

/** Email on payment: the total paid and, per wallet, what settled an outstanding balance and what was added. */
export function onlinePaidEmail(d: OnlinePaidEmailData): RenderedEmail {
  const en = d.locale === 'en';
  const t = LABELS[d.locale];
  const unit = (wallet: string, n: number) => formatWalletAmount(wallet, n, d.locale);
  const walletRows = d.settlement.map(({ wallet, settled, added, held }): [string, string] => {
    const addedText = `${en ? 'Added to balance' : 'Ditambahkan ke saldo'}: ${unit(wallet, added)}`;
    const heldText = held ? `\n${en ? 'Held for finance' : 'Ditahan untuk tim keuangan'}: ${unit(wallet, held)}` : '';
    if (settled === 0) return [walletName(wallet, d.locale), addedText + heldText];
    return [walletName(wallet, d.locale), `${en ? 'Outstanding settled' : 'Tunggakan dilunasi'}: ${unit(wallet, settled)}\n${addedText}${heldText}`];
  });
  const notes: string[] = [];
  if (d.settlement.some((s) => s.settled > 0)) {
    notes.push(
      en
        ? 'Your outstanding balance was settled first; the rest was added to your balance.'
        : 'Tunggakan Anda dilunasi terlebih dahulu; sisanya ditambahkan ke saldo Anda.',
    );
  }
  notes.push(en ? 'The proforma invoice is attached to this email for your records.' : 'Faktur proforma terlampir dalam email ini sebagai referensi Anda.');
  return renderEmail({
    locale: d.locale,
    providerName: d.providerName,
    subject: en ? `Payment successful: top-up order ${d.orderNumber}` : `Pembayaran berhasil: pesanan top up ${d.orderNumber}`,
    heading: en ? 'Payment successful' : 'Pembayaran berhasil',
    intro: en
      ? `Your payment was successful and the order is ${statusName('paid', 'en')}. Your balance has been topped up.`
      : `Pembayaran Anda berhasil dan status pesanan kini ${statusName('paid', 'id')}. Saldo Anda telah ditambahkan.`,
    rows: [
      [COMMON[d.locale].orderNumber, d.orderNumber],
      [en ? 'Total paid' : 'Total dibayar', formatIdr(d.total, d.locale)],
      [t.paymentMethod, paymentMethodName(d.paymentMethod, d.locale)],
      ...walletRows,
    ],
    notes,
  });
}

/** A wallet line: what the wallet receives, its price when that reads differently (visitors), and any adjustment. */
function lineRow(l: InvoiceLine, locale: Locale): [string, string] {
  const credit = formatWalletAmount(l.wallet, l.credit, locale);
  const price = formatIdr(l.price, locale);
  const priced = credit === price ? credit : `${credit} (${price})`;
  return [walletName(l.wallet, locale), l.adjustment === null ? priced : `${priced}\n(${l.adjustment})`];
}
