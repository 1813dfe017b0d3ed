/**
 * The shapes of the API's answers the console reads (the full list: GET /openapi.json). The order views are
 * the workflows' own types, imported as types only: nothing of the server is bundled into the console.
 */
import type { ExceptionReason, OnlineOrderView, OnlinePaymentMethod, OrderView, PaymentExceptionView, Wallet } from '../../workflows/definitions';

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
  /** Set while the wallet is below its share of its last paid top-up. */
  lowBalance: { reference: number; threshold: number } | null;
}

export interface Balance {
  accountId: string;
  lowBalancePercent: number;
  wallets: WalletBalance[];
}

export type StatementKind = 'topup' | 'usage' | 'invoice_payment' | 'gift' | 'gift_expiry';
export const STATEMENT_KINDS: readonly StatementKind[] = ['topup', 'usage', 'invoice_payment', 'gift', 'gift_expiry'];

export interface StatementLine {
  entryId: string;
  createdAt: string;
  kind: StatementKind;
  change: number;
  balanceAfter: number;
  settled: number;
  orderNumber: string | null;
  invoiceId: string | null;
  service: string | null;
  memo: string | null;
}

export interface Statement {
  accountId: string;
  wallet: Wallet;
  page: number;
  pageSize: number;
  total: number;
  openingBalance: number;
  closingBalance: number;
  lines: StatementLine[];
}

export interface UsageReport {
  accountId: string;
  timeZone: string;
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
  wallets: { wallet: Wallet; amount: number; charges: number; previousAmount: number; previousCharges: number; changePercent: number | null }[];
  days: { date: string; wallet: Wallet; amount: number; charges: number }[];
  services: { wallet: Wallet; service: string | null; amount: number; charges: number }[];
}

export interface Gift {
  giftEntryId: string;
  accountId: string;
  companyName: string;
  wallet: Wallet;
  amount: number;
  remaining: number;
  reason: string;
  grantedBy: string | null;
  grantedAt: string;
  expiresAt: string | null;
  expiredAt: string | null;
  expiredAmount: number;
  status: 'active' | 'spent' | 'expired';
}

export type DocumentType = 'receipt' | 'online_invoice' | 'subscription_invoice';
export const DOCUMENT_TYPES: readonly DocumentType[] = ['receipt', 'online_invoice', 'subscription_invoice'];

export interface DocumentItem {
  type: DocumentType;
  reference: string;
  accountId: string;
  companyName: string;
  fileName: string;
  issuedAt: string;
  amount: number;
  status: string;
  downloadPath: string;
}

export interface OperationLogItem {
  id: string;
  accountId: string | null;
  companyName: string | null;
  actor: { id: string; username: string; role: string } | null;
  action: string;
  orderNumber: string | null;
  details: Record<string, unknown>;
  address: string | null;
  createdAt: string;
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

export type ReviewItem = AnyOrder & { secondsLeft: number | null; companyName: string | null };

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

/** A webhook endpoint (GET /v1/webhook-endpoints). */
export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  status: 'active' | 'failing';
  failingSince: string | null;
  failingReason: string | null;
  secretRotatedAt: string | null;
  previousSecretExpiresAt: string | null;
  pendingEvents: number;
  createdAt: string;
  updatedAt: string;
}

/** One line of an endpoint's delivery log. */
export interface WebhookAttempt {
  id: string;
  eventId: string;
  eventType: string;
  kind: 'automatic' | 'redeliver' | 'test';
  attempt: number;
  attemptedAt: string;
  statusCode: number | null;
  latencyMs: number;
  delivered: boolean;
  error: string | null;
  responseExcerpt: string | null;
}

/** One event of an endpoint's queue. */
export interface WebhookDelivery {
  seq: number;
  eventId: string;
  eventType: string;
  eventCreatedAt: string;
  state: 'pending' | 'delivered';
  attempts: number;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  deliveredAt: string | null;
}

/** A card saved at the gateway. */
export interface SavedCard {
  id: string;
  accountId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  createdAt: string;
}

/** A wallet's automatic top-up rule. */
export interface AutoTopupRule {
  accountId: string;
  wallet: Wallet;
  enabled: boolean;
  threshold: number;
  mode: 'target' | 'fixed';
  amount: number;
  card: { id: string; brand: string; last4: string; expMonth: number; expYear: number };
  dailyCap: number;
  monthlyCap: number;
  status: 'active' | 'paused';
  pausedReason: string | null;
  consecutiveFailures: number;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One automatic top-up attempt. */
export interface AutoTopupAttempt {
  id: string;
  accountId: string;
  wallet: Wallet;
  outcome: 'charging' | 'succeeded' | 'declined' | 'charge_refused' | 'cap_reached' | 'amount_above_limit' | 'not_allowed' | 'rule_paused';
  orderNumber: string | null;
  balance: number;
  pending: number;
  amount: number | null;
  charged: number | null;
  fee: number | null;
  cardLast4: string | null;
  reason: string | null;
  balanceAfter: number | null;
  createdAt: string;
  finishedAt: string | null;
}

/** A subscription (GET /v1/subscriptions). */
export interface Subscription {
  id: string;
  accountId: string;
  product: string;
  price: number;
  cycleMonths: number;
  startDate: string;
  status: 'active' | 'suspended' | 'cancelled' | 'stopped';
  timeZone: string;
  stop: { requestedAt: string; requestedBy: string; endsOn: string } | null;
  stoppedAt: string | null;
}

/** A subscription's renewal invoice (GET /v1/invoices). */
export interface Invoice {
  id: string;
  subscriptionId: string;
  accountId: string;
  periodIndex: number;
  periodStart: string;
  periodEnd: string;
  amount: number;
  issuedAt: string;
  dueAt: string;
  status: 'unpaid' | 'paid' | 'void';
  paidAt: string | null;
  ledgerEntryId: string | null;
}

export type { ExceptionReason, ExceptionStatus, PaymentExceptionView } from '../../workflows/definitions';

/** A payment exception as finance's queue lists it (GET /v1/finance/exceptions). */
export interface ExceptionItem extends PaymentExceptionView {
  openAmount: number;
  ageSeconds: number;
}

/** Each line's outcome in an imported statement. */
export type LineOutcome = 'proposed' | 'confirmed' | 'reconciled' | 'exception' | 'already_imported' | 'not_incoming';

/** An imported bank statement (GET /v1/finance/statements/{statementId}). */
export interface BankStatement {
  statementId: string;
  fileName: string;
  format: 'mt940' | 'csv' | 'camt053';
  account: string;
  from: string | null;
  to: string | null;
  mapping: string | null;
  importedBy: string;
  importedAt: string;
  counts: Record<LineOutcome, number>;
  lines: Array<{
    line: number;
    direction: 'credit' | 'debit';
    amount: number;
    valueDate: string;
    text: string;
    bankReference: string | null;
    payer: string | null;
    outcome: LineOutcome;
    paymentId: string | null;
    orderNumber: string | null;
    exceptionReason: ExceptionReason | null;
    note: string | null;
  }>;
}
