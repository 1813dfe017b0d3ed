/**
 * The names of statuses, wallets, payment methods and roles in the console's language, from the one table the emails and
 * the PDFs use too (workflows/shared/names.ts): the API speaks codes, people read these.
 */
import { paymentMethodName, roleName, statusName, walletName } from '../../workflows/shared/names';
import { currentLang } from './i18n';
import type { OrderStatus } from './types';

/** An order status as people read it ("Payment Failure", "Pembayaran gagal"). */
export function statusLabel(status: OrderStatus): string {
  return statusName(status, currentLang());
}

/** A wallet as people read it ("API credit", "Kredit API"). */
export function walletLabel(wallet: string): string {
  return walletName(wallet, currentLang());
}

/** A payment method as people read it ("Bank transfer (Transfer Remittance)"). */
export function paymentMethodLabel(method: string): string {
  return paymentMethodName(method, currentLang());
}

/** A role as people read it ("owner", "pemilik"). */
export function roleLabel(role: string): string {
  return roleName(role, currentLang());
}
