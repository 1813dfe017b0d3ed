/**
 * The one table of names people read, in English and Bahasa Indonesia: order statuses, wallets, payment
 * methods and roles by their codes. The web console, the emails and the PDFs all take their labels from here (and the
 * workflows their Temporal UI details and refusal messages, in English). Pure data.
 */
import type { OrderStatus } from '../orders/statuses';
import type { PaymentMethod, Wallet } from './policy';

/** The locales an account can choose (DOMAIN.md): English or Bahasa Indonesia. */
export type Locale = 'en' | 'id';

/** A name in each locale. */
export type Names = Record<Locale, string>;

/** Order statuses; the English ones are the product's own (DOMAIN.md, the seed portal). */
export const STATUS_NAMES: Record<OrderStatus, Names> = {
  unpaid: { en: 'Unpaid', id: 'Belum dibayar' },
  awaiting_payment: { en: 'Awaiting payment', id: 'Menunggu pembayaran' },
  dealing: { en: 'Dealing', id: 'Sedang diperiksa' },
  paid: { en: 'Paid', id: 'Lunas' },
  payment_failure: { en: 'Payment Failure', id: 'Pembayaran gagal' },
  closed: { en: 'Closed', id: 'Ditutup' },
  deleted: { en: 'Deleted', id: 'Dihapus' },
  paid_late: { en: 'Paid late', id: 'Dibayar terlambat' },
};

/** Wallets (DOMAIN.md "Wallets"). */
export const WALLET_NAMES: Record<Wallet, Names> = {
  credit: { en: 'API credit', id: 'Kredit API' },
  whatsapp: { en: 'WhatsApp conversation balance', id: 'Saldo percakapan WhatsApp' },
  muv: { en: 'Monthly unique visitors', id: 'Pengunjung unik bulanan' },
  deposit: { en: 'Hosting deposit', id: 'Deposit hosting' },
};

/** Payment methods; bank transfer keeps the seed portal's "Transfer Remittance". */
export const PAYMENT_METHOD_NAMES: Record<PaymentMethod, Names> = {
  bank_transfer: { en: 'Bank transfer (Transfer Remittance)', id: 'Transfer bank (Transfer Remittance)' },
  virtual_account: { en: 'Virtual account', id: 'Virtual account' },
  credit_card: { en: 'Credit card', id: 'Kartu kredit' },
  ewallet: { en: 'E-wallet', id: 'Dompet digital (e-wallet)' },
};

/** Roles (DOMAIN.md "People and accounts"); db/accounts/roles.ts holds the codes to this table. */
export const ROLE_NAMES = {
  admin: { en: 'admin', id: 'admin' },
  owner: { en: 'owner', id: 'pemilik' },
  pic: { en: 'PIC', id: 'PIC' },
  finance: { en: 'finance', id: 'keuangan' },
  ops: { en: 'ops', id: 'ops' },
  service: { en: 'service', id: 'layanan' },
} as const satisfies Record<string, Names>;

/** The name of a role (`owner` → "owner" / "pemilik"); an unknown code as it is. */
export function roleName(role: string, locale: Locale): string {
  return (ROLE_NAMES as Record<string, Names | undefined>)[role]?.[locale] ?? role;
}

/** The name of an order status (`payment_failure` → "Payment Failure" / "Pembayaran gagal"). */
export function statusName(status: OrderStatus, locale: Locale): string {
  return STATUS_NAMES[status][locale];
}

/** The name of a wallet (`credit` → "API credit" / "Kredit API"); an unknown code as it is. */
export function walletName(wallet: string, locale: Locale): string {
  return (WALLET_NAMES as Record<string, Names | undefined>)[wallet]?.[locale] ?? wallet;
}

/** The name of a payment method (`bank_transfer` → "Bank transfer (Transfer Remittance)"); an unknown code spelled out. */
export function paymentMethodName(method: string, locale: Locale): string {
  return (PAYMENT_METHOD_NAMES as Record<string, Names | undefined>)[method]?.[locale] ?? method.replace(/_/g, ' ');
}
