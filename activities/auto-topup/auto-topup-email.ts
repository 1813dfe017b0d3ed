/**
 * The owner's email of every automatic top-up attempt (issue 20), in the account's locale: a top-up made, or why
 * none was (declined, cap reached, amount above the wallet's limit, not allowed), or the rule pausing itself. Pure.
 */
import type { AutoTopupAttempt } from '../../db/auto-topup/attempts';
import { walletName, type AutoTopupOutcome, type Locale } from '../../workflows/definitions';
import { formatIdr, formatWalletAmount } from '../shared/money-format';
import { renderEmail, type RenderedEmail } from '../shared/render-email';

/** What the email needs beside the attempt. */
export interface AutoTopupEmailData {
  locale: Locale;
  providerName: string;
  companyName: string;
  attempt: AutoTopupAttempt;
  consoleUrl: string;
}

const HEADINGS: Record<Locale, Record<Exclude<AutoTopupOutcome, 'charging'>, string>> = {
  en: {
    succeeded: 'Automatic top-up made',
    declined: 'Automatic top-up declined',
    charge_refused: 'Automatic top-up failed',
    cap_reached: 'Automatic top-up stopped: cap reached',
    amount_above_limit: 'Automatic top-up stopped: amount above the limit',
    not_allowed: 'Automatic top-up stopped: not allowed now',
    rule_paused: 'Automatic top-up paused',
  },
  id: {
    succeeded: 'Top up otomatis berhasil',
    declined: 'Top up otomatis ditolak',
    charge_refused: 'Top up otomatis gagal',
    cap_reached: 'Top up otomatis berhenti: batas tercapai',
    amount_above_limit: 'Top up otomatis berhenti: jumlah di atas batas',
    not_allowed: 'Top up otomatis berhenti: tidak diizinkan saat ini',
    rule_paused: 'Top up otomatis dijeda',
  },
};

/** The email of a finished attempt. */
export function autoTopupEmail(d: AutoTopupEmailData): RenderedEmail {
  const { attempt: a, locale } = d;
  const en = locale === 'en';
  const outcome = a.outcome === 'charging' ? 'charge_refused' : a.outcome;
  const wallet = walletName(a.wallet, locale);
  const heading = HEADINGS[locale][outcome];
  const rows: [string, string][] = [[en ? 'Wallet' : 'Saldo', wallet]];
  if (a.orderNumber) rows.push([en ? 'Order number' : 'Nomor pesanan', a.orderNumber]);
  if (a.amount !== null) rows.push([en ? 'Top-up' : 'Top up', formatWalletAmount(a.wallet, a.amount, locale)]);
  if (a.charged !== null) {
    const label = outcome === 'succeeded' ? (en ? 'Charged to the card' : 'Ditagihkan ke kartu') : en ? 'Charge (not made)' : 'Tagihan (tidak dilakukan)';
    rows.push([label, `${formatIdr(a.charged, locale)}${a.cardLast4 ? ` (•••• ${a.cardLast4})` : ''}`]);
  }
  rows.push([en ? 'Balance then' : 'Saldo saat itu', formatWalletAmount(a.wallet, a.balance, locale)]);
  if (a.pending > 0) rows.push([en ? 'Top-ups on their way then' : 'Top up dalam proses saat itu', formatWalletAmount(a.wallet, a.pending, locale)]);
  if (a.balanceAfter !== null) rows.push([en ? 'Balance now' : 'Saldo sekarang', formatWalletAmount(a.wallet, a.balanceAfter, locale)]);
  if (a.reason) rows.push([en ? 'Reason' : 'Alasan', a.reason]);
  const intro =
    outcome === 'succeeded'
      ? en
        ? `The ${wallet} balance of ${d.companyName} fell below its threshold, so we topped it up with your saved card.`
        : `Saldo ${wallet} ${d.companyName} turun di bawah ambang batas, jadi kami melakukan top up dengan kartu tersimpan Anda.`
      : outcome === 'rule_paused'
        ? en
          ? `The automatic top-up of the ${wallet} balance of ${d.companyName} paused itself after failed charges in a row. No more charges are attempted until you save the rule again.`
          : `Top up otomatis saldo ${wallet} ${d.companyName} dijeda setelah beberapa tagihan gagal berturut-turut. Tidak ada tagihan lagi sampai Anda menyimpan aturan kembali.`
        : en
          ? `The ${wallet} balance of ${d.companyName} fell below its threshold, but no top-up was made.`
          : `Saldo ${wallet} ${d.companyName} turun di bawah ambang batas, tetapi top up tidak dilakukan.`;
  return renderEmail({
    locale,
    providerName: d.providerName,
    subject: `${heading}: ${wallet}${a.orderNumber ? ` ${a.orderNumber}` : ''}`,
    heading,
    intro,
    rows,
    notes: [],
    action: { label: en ? 'Open automatic top-up' : 'Buka top up otomatis', url: d.consoleUrl },
  });
}
