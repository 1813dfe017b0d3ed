/**
 * The shapes of the API's answers the console reads (the full list: GET /openapi.json). The order views are
 * the workflows' own types, imported as types only: nothing of the server is bundled into the console.
 */
import type { OnlineOrderView, OnlinePaymentMethod, OrderView, Wallet } from '../../workflows/definitions';

export type { OnlineInvoice, OnlineLine, OnlinePaymentMethod, OrderStatus, PaymentMethod, Wallet } from '../../workflows/definitions';
export type Role = 'owner' | 'pic' | 'finance' | 'ops' | 'service';

export const WALLETS: readonly Wallet[] = ['credit', 'whatsapp', 'muv', 'deposit'];

export interface Me {
  userId: string;
  username: string;
  email: string;
  role: Role;
  account: { id: string; companyName: string; locale: 'en' | 'id'; timeZone: string } | null;
}

export interface TopUpRules {
  currency: 'IDR';
  bankTransferWallets: Wallet[];
  onlinePaymentMethods: OnlinePaymentMethod[];
  creditMinAmount: number;
  whatsappMinAmount: number;
  muvPackVisitors: number;
  muvPackPrice: number;
  depositMinAmount: number;
  depositMaxAmount: number;
  creditCardFeeBasisPoints: number;
  reviewWindow: string;
  unsubmittedCloseAfter: string;
}

export interface WalletBalance {
  wallet: Wallet;
  current: number;
  recharge: number;
  gift: number;
  unbilled: number;
}

export interface Balance {
  accountId: string;
  wallets: WalletBalance[];
}

/** A bank-transfer order. */
export type Order = OrderView & { kind?: undefined };

/** An online self top-up. */
export type OnlineOrder = OnlineOrderView;

export type AnyOrder = Order | OnlineOrder;

/** The editable summary of an online order: what each method would bill. */
export type OnlineOrderSummary = OnlineOrder & { paymentOptions: Partial<Record<OnlinePaymentMethod, { fee: number; total: number }>> };

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export type ReviewItem = AnyOrder & { secondsLeft: number | null };

export interface BankTransfer {
  bankName: string;
  accountName: string;
  accountNumber: string;
  orderNumber: string;
  amount: number;
  currency: 'IDR';
  transferNote: string;
  instruction: string;
}

/** True for an online order. */
export function isOnline(order: AnyOrder): order is OnlineOrder {
  return order.kind === 'online';
}
