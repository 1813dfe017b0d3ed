/** The low-balance notice email (seed 001: "your balance is below 40 %, top up"), in the account's locale. Pure. */
import { formatWalletAmount } from '../shared/money-format';
import { type Locale, walletName } from '../../workflows/definitions';
import { renderEmail, type RenderedEmail } from '../shared/render-email';

/** What the notice says. */
export interface LowBalanceEmailData {
  locale: Locale;
  providerName: string;
  companyName: string;
  wallet: string;
  current: number;
  reference: number;
  percent: number;
}

/** The notice to the account's owner. */
export function lowBalanceEmail(d: LowBalanceEmailData): RenderedEmail {
  const en = d.locale === 'en';
  const wallet = walletName(d.wallet, d.locale);
  const amount = (n: number) => formatWalletAmount(d.wallet, n, d.locale);
  return renderEmail({
    locale: d.locale,
    providerName: d.providerName,
    subject: en ? `Your ${wallet} balance is below ${d.percent}%` : `Saldo ${wallet} Anda di bawah ${d.percent}%`,
    heading: en ? 'Time to top up' : 'Saatnya top up',
    intro: en
      ? `The ${wallet} balance of ${d.companyName} has fallen below ${d.percent}% of your last top-up. Top up to keep your service running.`
      : `Saldo ${wallet} ${d.companyName} telah turun di bawah ${d.percent}% dari top up terakhir Anda. Lakukan top up agar layanan tetap berjalan.`,
    rows: [
      [en ? 'Wallet' : 'Saldo', wallet],
      [en ? 'Current balance' : 'Saldo saat ini', amount(d.current)],
      [en ? 'Last top-up' : 'Top up terakhir', amount(d.reference)],
    ],
    notes: [en ? 'We send this once; the next notice comes only after a new top-up.' : 'Pemberitahuan ini dikirim sekali; berikutnya hanya setelah top up baru.'],
  });
}
