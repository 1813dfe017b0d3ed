/** The shapes of the API's answers the console reads (the full list: GET /openapi.json). */

export type Wallet = 'credit' | 'whatsapp' | 'muv' | 'deposit';
export const WALLETS: readonly Wallet[] = ['credit', 'whatsapp', 'muv', 'deposit'];
export type PaymentMethod = 'bank_transfer' | 'virtual_account' | 'credit_card' | 'ewallet';
export type OnlinePaymentMethod = Exclude<PaymentMethod, 'bank_transfer'>;
export type OrderStatus = 'Unpaid' | 'Awaiting payment' | 'Dealing' | 'Paid' | 'Payment Failure' | 'Closed' | 'Deleted' | 'Paid late';
export type Role = 'owner' | 'pic' | 'finance' | 'ops' | 'service';

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
export interface Order {
  kind?: undefined;
  orderNumber: string;
  accountId: string;
  createdBy: string;
  wallet: Wallet;
  amount: number;
  currency: 'IDR';
  status: OrderStatus;
  paymentMethod: PaymentMethod | null;
  slip: { fileId: string; sha256: string; size: number; contentType: string } | null;
  createdAt: string;
  submittedAt: string | null;
  deadline: string | null;
  checkResult: string | null;
  failure: { kind: 'rejected'; reason: string; by: string } | { kind: 'review-window-expired'; windowHours: number } | null;
  paid: { settled: number; added: number; balanceAfter: number; paidAt: string; approvedBy: string } | null;
  final: boolean;
  submissions: number;
  revision: number;
}

export interface OnlineLine {
  wallet: Wallet;
  requested: number;
  credit: number;
  price: number;
  adjustment: string | null;
}

export interface OnlineInvoice {
  paymentMethod: OnlinePaymentMethod;
  subtotal: number;
  fee: number;
  cardFeeBasisPoints: number;
  total: number;
  issuedAt: string;
  expiresAt: string;
  providerRef: string;
  vaNumber: string | null;
  bankCode: string | null;
  paymentUrl: string | null;
}

/** An online self top-up. */
export interface OnlineOrder {
  kind: 'online';
  orderNumber: string;
  accountId: string;
  createdBy: string;
  currency: 'IDR';
  status: OrderStatus;
  lines: OnlineLine[];
  subtotal: number;
  invoice: OnlineInvoice | null;
  payment: { eventId: string; providerRef: string; amount: number; paidAt: string; late: boolean } | null;
  settlement: { wallet: Wallet; settled: number; added: number; balanceAfter: number }[] | null;
  refund: { reason: string; by: string } | null;
  checkResult: string | null;
  createdAt: string;
  deadline: string | null;
  revision: number;
}

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
