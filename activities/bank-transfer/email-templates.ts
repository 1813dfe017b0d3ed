/**
 * The emails of a bank-transfer order (DOMAIN.md), in the account's locale: slip received, paid (with the
 * PDF receipt attached by the caller) and payment failure. Pure: data in, subject + text + HTML out.
 * Every value is escaped where the HTML is built, so no caller-supplied text can become markup.
 */
import { formatDateTime, formatIdr } from '../shared/money-format';
import { statusName, walletName, type Locale } from '../../workflows/definitions';
import { COMMON, type OrderEmailBase, type RenderedEmail, renderEmail } from '../shared/render-email';

export { escapeHtml, type RenderedEmail } from '../shared/render-email';

/** The order was submitted with its payment slip (now Dealing). */
export interface OrderSubmittedEmailData extends OrderEmailBase {
  timeZone: string;
  /** ISO-8601 creation time of the order. */
  orderTime: string;
  companyName: string;
  username: string;
  /** Requested amount in rupiah. */
  amount: number;
}

/** Finance approved: the order is Paid and the wallet credited (outstanding settled first). */
export interface OrderPaidEmailData extends OrderEmailBase {
  wallet: string;
  amount: number;
  settled: number;
  added: number;
  balanceAfter: number;
  /** Held for finance: money for a subscription invoice that neither it nor the deposit could take. */
  held?: number;
}

/** Why an order became Payment Failure: finance rejected it, or nobody decided within the review window. */
export type PaymentFailureCause = { kind: 'rejected'; reason: string } | { kind: 'review-window-expired'; windowHours: number };

/** The order became Payment Failure. */
export interface PaymentFailedEmailData extends OrderEmailBase {
  amount: number;
  cause: PaymentFailureCause;
}

/** Email 1: the slip was received and the order is under review. */
export function orderSubmittedEmail(d: OrderSubmittedEmailData): RenderedEmail {
  const en = d.locale === 'en';
  return renderEmail({
    locale: d.locale,
    providerName: d.providerName,
    subject: en ? `Top-up order ${d.orderNumber} received` : `Pesanan top up ${d.orderNumber} diterima`,
    heading: en ? 'Top-up request received' : 'Permintaan top up diterima',
    intro: en
      ? `We have received your top-up request and payment slip. The order is now ${statusName('dealing', 'en')} while our finance team checks the payment.`
      : `Kami telah menerima permintaan top up dan slip pembayaran Anda. Status pesanan kini ${statusName('dealing', 'id')} selama tim keuangan kami memeriksa pembayaran.`,
    rows: [
      [COMMON[d.locale].orderNumber, d.orderNumber],
      [en ? 'Order time' : 'Waktu pemesanan', formatDateTime(d.orderTime, d.locale, d.timeZone)],
      [en ? 'Company name' : 'Nama perusahaan', d.companyName],
      [en ? 'Username' : 'Nama pengguna', d.username],
      [en ? 'Requested amount' : 'Jumlah yang diminta', formatIdr(d.amount, d.locale)],
    ],
    notes: [
      en
        ? `You will receive another email when the payment is confirmed (${statusName('paid', 'en')}) or cannot be confirmed (${statusName('payment_failure', 'en')}).`
        : `Anda akan menerima email lagi setelah pembayaran dikonfirmasi (${statusName('paid', 'id')}) atau tidak dapat dikonfirmasi (${statusName('payment_failure', 'id')}).`,
    ],
  });
}

/** Email 2: the payment was confirmed; the caller attaches the PDF receipt. */
export function orderPaidEmail(d: OrderPaidEmailData): RenderedEmail {
  const en = d.locale === 'en';
  const money = (n: number) => formatIdr(n, d.locale);
  const wallet = walletName(d.wallet, d.locale);
  const notes: string[] = [];
  if (d.settled > 0) {
    notes.push(
      en
        ? 'Your outstanding balance was settled first; the rest was added to your balance.'
        : 'Tunggakan Anda dilunasi terlebih dahulu; sisanya ditambahkan ke saldo Anda.',
    );
  }
  if (d.held) {
    notes.push(
      en
        ? `${money(d.held)} of it could not pay the invoice it was for, nor go to your deposit: our finance team holds it and will contact you.`
        : `${money(d.held)} darinya tidak dapat membayar faktur yang dituju maupun masuk ke deposit Anda: tim keuangan kami menahannya dan akan menghubungi Anda.`,
    );
  }
  notes.push(en ? 'The PDF receipt is attached to this email for your records.' : 'Kuitansi PDF terlampir dalam email ini sebagai referensi Anda.');
  return renderEmail({
    locale: d.locale,
    providerName: d.providerName,
    subject: en ? `Top-up order ${d.orderNumber} paid` : `Pesanan top up ${d.orderNumber} telah dibayar`,
    heading: en ? 'Payment confirmed' : 'Pembayaran dikonfirmasi',
    intro: en
      ? `Your payment has been confirmed and the order is ${statusName('paid', 'en')}. The top-up has been credited to your ${wallet}.`
      : `Pembayaran Anda telah dikonfirmasi dan status pesanan kini ${statusName('paid', 'id')}. Top up telah ditambahkan ke ${wallet} Anda.`,
    rows: [
      [COMMON[d.locale].orderNumber, d.orderNumber],
      [en ? 'Wallet' : 'Jenis saldo', wallet],
      [en ? 'Amount paid' : 'Jumlah dibayar', money(d.amount)],
      [en ? 'Outstanding settled' : 'Tunggakan dilunasi', money(d.settled)],
      [en ? 'Added to balance' : 'Ditambahkan ke saldo', money(d.added)],
      [en ? 'New balance' : 'Saldo baru', money(d.balanceAfter)],
    ],
    notes,
  });
}

const FAILURE_TEXT: Record<Locale, { rejected: string; expired(hours: number): string; notConfirmed(hours: number): string }> = {
  en: {
    rejected: `Our finance team could not confirm the payment for this order, so its status is now ${statusName('payment_failure', 'en')}.`,
    expired: (h) => `We could not confirm your payment within ${h} hours of submission, so the order's status is now ${statusName('payment_failure', 'en')}.`,
    notConfirmed: (h) => `Payment not confirmed within ${h} hours`,
  },
  id: {
    rejected: `Tim keuangan kami tidak dapat mengonfirmasi pembayaran untuk pesanan ini, sehingga statusnya kini ${statusName('payment_failure', 'id')}.`,
    expired: (h) => `Kami tidak dapat mengonfirmasi pembayaran Anda dalam ${h} jam sejak pesanan diajukan, sehingga statusnya kini ${statusName('payment_failure', 'id')}.`,
    notConfirmed: (h) => `Pembayaran tidak terkonfirmasi dalam ${h} jam`,
  },
};

/** Email 3: the order became Payment Failure, with finance's reason or the lapsed review window. */
export function paymentFailedEmail(d: PaymentFailedEmailData): RenderedEmail {
  const en = d.locale === 'en';
  const t = FAILURE_TEXT[d.locale];
  const { cause } = d;
  return renderEmail({
    locale: d.locale,
    providerName: d.providerName,
    subject: en ? `Top-up order ${d.orderNumber}: payment failure` : `Pesanan top up ${d.orderNumber}: pembayaran gagal`,
    heading: en ? 'Payment failure' : 'Pembayaran gagal',
    intro: cause.kind === 'rejected' ? t.rejected : t.expired(cause.windowHours),
    rows: [
      [COMMON[d.locale].orderNumber, d.orderNumber],
      [en ? 'Requested amount' : 'Jumlah yang diminta', formatIdr(d.amount, d.locale)],
      [en ? 'Reason' : 'Alasan', cause.kind === 'rejected' ? cause.reason : t.notConfirmed(cause.windowHours)],
    ],
    notes: [
      en
        ? `You can edit the amount and upload a new payment slip on the same order; it then goes back to ${statusName('dealing', 'en')} for review.`
        : `Anda dapat mengubah jumlah dan mengunggah slip pembayaran baru pada pesanan yang sama; statusnya kemudian kembali menjadi ${statusName('dealing', 'id')} untuk diperiksa.`,
    ],
  });
}
