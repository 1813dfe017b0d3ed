/**
 * The shapes of the API's answers the console reads (the full list: GET /openapi.json). The order views are
 * the workflows' own types, imported as types only: nothing of the server is bundled into the console.
 */
import type { OnlineOrderView, OnlinePaymentMethod, OrderView, Wallet } from '../../workflows/definitions';

export type { OnlineInvoice, OnlineLine, OnlinePaymentMethod, OrderStatus, PaymentMethod, Wallet } from '../../workflows/definitions';
export type Role = 'admin' | 'owner' | 'pic' | 'finance' | 'ops' | 'service';

export const WALLETS: readonly Wallet[] = ['credit', 'whatsapp', 'muv', 'deposit'];

/** A customer account's settings (GET /v1/accounts/{accountId}). */
export interface Account {
  id: string;
  companyName: string;
  locale: 'en' | 'id';
  timeZone: string;
  currency: 'IDR';
  billingEmail: string | null;
  address: string | null;
  status: 'active' | 'suspended';
  suspendedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Me {
  userId: string;
  username: string;
  email: string;
  role: Role;
  account: Account | null;
  credential: 'session' | 'api_key';
}

/** The signed-in session (POST and GET /v1/session). */
export interface SessionView {
  user: Me;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  idleTimeoutSeconds: number;
}

/** A user as GET /v1/users lists it. */
export interface User {
  id: string;
  username: string;
  email: string;
  role: Role;
  accountId: string | null;
  status: 'invited' | 'active' | 'disabled' | 'removed';
  createdAt: string;
  lastSignInAt: string | null;
}

export type Scope = 'read' | 'write' | 'usage';

/** An API key as GET /v1/api-keys lists it (never the key itself). */
export interface ApiKey {
  id: string;
  prefix: string | null;
  name: string;
  user: { id: string; username: string; role: string };
  accountId: string | null;
  scopes: Scope[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
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

/** A page of orders: by number or by cursor (page null), the neighbours' cursors, an estimated total past 10,000. */
export interface OrderPage<T> extends Omit<Page<T>, 'page'> {
  page: number | null;
  totalEstimated: boolean;
  nextCursor: string | null;
  prevCursor: string | null;
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
