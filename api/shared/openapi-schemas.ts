/**
 * The named schemas of the OpenAPI document, as zod: request bodies are the very schemas the routes parse;
 * responses are written here and checked against the TypeScript types the routes send, so they cannot drift.
 */
import { z } from 'zod';
import type { InvoiceRecord } from '../../db/billing/invoices';
import type { SubscriptionRecord } from '../../db/billing/subscriptions';
import type { UsageResult, WalletBalance } from '../../db/ledger/ledger';
import { CURRENCIES, ORDER_STATUSES, PAYMENT_METHODS, WALLETS, type OnlineOrderView, type OrderView } from '../../workflows/definitions';
import { ZChoosePaymentMethodRequest, ZCreateOrderRequest, ZEditOrderRequest } from '../bank-transfer/schemas';
import { ZApproveRequest, ZRejectRequest } from '../orders/schemas';
import { ZPayInvoiceRequest } from '../billing/invoice-routes';
import { ZCreateAccountRequest, ZUpdateAccountRequest } from '../accounts/account-routes';
import { ZCreateApiKeyRequest } from '../accounts/api-key-routes';
import { ZChangePasswordRequest } from '../accounts/me-routes';
import { ZPasswordLinkLookupRequest, ZPasswordLinkRedeemRequest, ZPasswordResetRequest } from '../accounts/password-link-routes';
import { ZSignInRequest, type SessionView } from '../accounts/session-routes';
import { ZChangeRoleRequest, ZInviteUserRequest } from '../accounts/user-routes';
import type { Account } from '../../db/accounts/accounts';
import type { ApiKey } from '../../db/accounts/api-keys';
import type { OperationLogItem } from '../../db/accounts/operation-log';
import { ROLES, SCOPES } from '../../db/accounts/roles';
import type { User } from '../../db/accounts/users';
import { ZCreateSubscriptionRequest } from '../billing/subscription-routes';
import type { Me } from '../accounts/me-routes';
import type { TopUpRules } from '../orders/top-up-rules-routes';
import { ZRecordUsageRequest } from '../ledger/usage-routes';
import { ZConfirmPaymentRequest, ZOnlineLinesRequest } from '../online/schemas';

/** Request bodies, by component name (converted with the input side of each schema). */
export const requestSchemas = z.registry<{ id: string }>();
requestSchemas.add(ZCreateOrderRequest, { id: 'CreateOrderRequest' });
requestSchemas.add(ZEditOrderRequest, { id: 'EditOrderRequest' });
requestSchemas.add(ZChoosePaymentMethodRequest, { id: 'ChoosePaymentMethodRequest' });
requestSchemas.add(ZApproveRequest, { id: 'ApproveRequest' });
requestSchemas.add(ZRejectRequest, { id: 'RejectRequest' });
requestSchemas.add(ZRecordUsageRequest, { id: 'RecordUsageRequest' });
requestSchemas.add(ZOnlineLinesRequest, { id: 'OnlineLinesRequest' });
requestSchemas.add(ZCreateSubscriptionRequest, { id: 'CreateSubscriptionRequest' });
requestSchemas.add(ZPayInvoiceRequest, { id: 'PayInvoiceRequest' });
requestSchemas.add(ZConfirmPaymentRequest, { id: 'ConfirmPaymentRequest' });
requestSchemas.add(ZSignInRequest, { id: 'SignInRequest' });
requestSchemas.add(ZChangePasswordRequest, { id: 'ChangePasswordRequest' });
requestSchemas.add(ZPasswordLinkLookupRequest, { id: 'PasswordLinkLookupRequest' });
requestSchemas.add(ZPasswordLinkRedeemRequest, { id: 'PasswordLinkRedeemRequest' });
requestSchemas.add(ZPasswordResetRequest, { id: 'PasswordResetRequest' });
requestSchemas.add(ZCreateAccountRequest, { id: 'CreateAccountRequest' });
requestSchemas.add(ZUpdateAccountRequest, { id: 'UpdateAccountRequest' });
requestSchemas.add(ZInviteUserRequest, { id: 'InviteUserRequest' });
requestSchemas.add(ZChangeRoleRequest, { id: 'ChangeRoleRequest' });
requestSchemas.add(ZCreateApiKeyRequest, { id: 'CreateApiKeyRequest' });

const ZInstant = z.iso.datetime({ offset: true });
const ZWalletBalance = z.object({
  accountId: z.string(),
  wallet: z.enum(WALLETS),
  recharge: z.int(),
  gift: z.int(),
  unbilled: z.int(),
  current: z.int().describe('recharge + gift − unbilled'),
});

/** The common error shape of every refusal. */
export const ZError = z.object({
  error: z.object({
    code: z.string().describe('machine-readable, e.g. invalid_input, not_found, invalid_transition'),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), rule: z.string() })),
  }),
});

/** An order as the API shows it (the workflow's live view). */
export const ZOrder = z.object({
  orderNumber: z.string().regex(/^\d{13}$/),
  accountId: z.string(),
  createdBy: z.string(),
  wallet: z.enum(WALLETS),
  amount: z.int().describe('minor units (rupiah; packs for muv)'),
  currency: z.literal('IDR'),
  status: z.enum(ORDER_STATUSES),
  paymentMethod: z.enum(PAYMENT_METHODS).nullable(),
  slip: z
    .object({
      fileId: z.string(),
      sha256: z.string().describe('SHA-256 of the stored file (what GET …/slip answers)'),
      size: z.int(),
      contentType: z.string(),
      original: z
        .object({ sha256: z.string(), size: z.int() })
        .optional()
        .describe('the file as uploaded: images are stored decoded and encoded anew, without metadata or trailing bytes'),
    })
    .nullable(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  deadline: z.string().nullable().describe('when finance must decide by (Dealing), or when the order closes or becomes final'),
  checkResult: z.string().nullable(),
  failure: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('rejected'), reason: z.string(), by: z.string() }),
      z.object({ kind: z.literal('review-window-expired'), windowHours: z.number() }),
    ])
    .nullable(),
  paid: z.object({ settled: z.int(), added: z.int(), balanceAfter: z.int(), paidAt: z.string(), approvedBy: z.string() }).nullable(),
  final: z.boolean(),
  submissions: z.int(),
  revision: z.int(),
});

const ZOnlineMethod = z.enum(['virtual_account', 'credit_card', 'ewallet']);

/** An online self top-up as the API shows it (the workflow's live view). */
export const ZOnlineOrder = z.object({
  kind: z.literal('online'),
  orderNumber: z.string().regex(/^\d{13}$/),
  accountId: z.string(),
  createdBy: z.string(),
  currency: z.literal('IDR'),
  status: z.enum(ORDER_STATUSES),
  lines: z.array(
    z.object({
      wallet: z.enum(WALLETS),
      requested: z.int().describe('as asked: IDR, or visitors for muv'),
      credit: z.int().describe('what the wallet receives, in its unit'),
      price: z.int().describe('what the line bills, IDR'),
      adjustment: z.string().nullable().describe('set when a rule changed the request, e.g. raised to the WhatsApp minimum'),
    }),
  ),
  subtotal: z.int(),
  invoice: z
    .object({
      paymentMethod: ZOnlineMethod,
      subtotal: z.int(),
      fee: z.int().describe('the credit-card fee, 0 for other methods'),
      cardFeeBasisPoints: z.int(),
      total: z.int(),
      issuedAt: z.string(),
      expiresAt: z.string().describe('23:59:59 of the next day in the account time zone'),
      providerRef: z.string(),
      vaNumber: z.string().nullable(),
      bankCode: z.string().nullable(),
      paymentUrl: z.string().nullable(),
    })
    .nullable(),
  issuing: z
    .object({
      paymentMethod: ZOnlineMethod,
      since: z.string().describe('when payment was confirmed'),
      attempts: z.int().describe('gateway calls that failed so far'),
      lastError: z.string().nullable().describe('why the last call failed'),
      nextAttemptAt: z.string().nullable().describe('when the gateway is asked again'),
      giveUpAt: z.string().describe('when the order returns to Unpaid unless the invoice is issued first'),
    })
    .nullable()
    .describe('set while the payment gateway is issuing the invoice of a confirmed order (Awaiting payment, invoice null)'),
  confirmationFailure: z
    .object({
      kind: z.enum(['cancelled', 'gateway-refused', 'gateway-timeout']),
      reason: z.string(),
      paymentMethod: ZOnlineMethod,
      at: z.string(),
    })
    .nullable()
    .describe('why the last confirmation ended without an invoice; the order is Unpaid again'),
  payment: z.object({ eventId: z.string(), providerRef: z.string(), amount: z.int(), paidAt: z.string(), late: z.boolean() }).nullable(),
  settlement: z.array(z.object({ wallet: z.enum(WALLETS), settled: z.int(), added: z.int(), balanceAfter: z.int() })).nullable(),
  refund: z.object({ reason: z.string(), by: z.string() }).nullable(),
  checkResult: z.string().nullable(),
  createdAt: z.string(),
  deadline: z.string().nullable(),
  revision: z.int(),
});

/** Either kind of order. */
const ZAnyOrder = z.union([ZOrder, ZOnlineOrder]);

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), page: z.int(), pageSize: z.int(), total: z.int() });

/** A page of orders (db/orders/order-list.ts): by number or by cursor, with the neighbours' cursors and an estimated total past 10,000. */
const orderPage = <T extends z.ZodType>(item: T) =>
  page(item).extend({
    page: z.int().nullable().describe('null for a page asked for by cursor'),
    total: z.int().describe('exact up to 10,000 matches; past that an estimate (totalEstimated)'),
    totalEstimated: z.boolean().describe('true when more than 10,000 orders match and total is PostgreSQL\'s estimate'),
    nextCursor: z.string().nullable().describe('newest first: the cursor of the next (older) page, null on the last'),
    prevCursor: z.string().nullable().describe('newest first: the cursor of the previous (newer) page, null on the first'),
  });

const ZUsageResult = z.object({ entryId: z.string(), fromGift: z.int(), fromRecharge: z.int(), toUnbilled: z.int(), balanceAfter: ZWalletBalance });

/** Response bodies, by component name (converted with the output side of each schema). */
export const responseSchemas = z.registry<{ id: string }>();
responseSchemas.add(ZError, { id: 'Error' });
responseSchemas.add(ZOrder, { id: 'Order' });
responseSchemas.add(ZOnlineOrder, { id: 'OnlineOrder' });
responseSchemas.add(ZError.extend({ order: ZOnlineOrder.optional().describe('with invoice_pending, invoice_not_issued and update_not_confirmed: the order as recorded (GET shows the same)') }), {
  id: 'OnlineOrderRefusal',
});
responseSchemas.add(ZAnyOrder, { id: 'AnyOrder' });
responseSchemas.add(
  ZOnlineOrder.extend({ paymentOptions: z.record(ZOnlineMethod, z.object({ fee: z.int(), total: z.int() })).describe('what each method would bill') }),
  { id: 'OnlineOrderSummary' },
);
responseSchemas.add(orderPage(ZAnyOrder), { id: 'OrderPage' });
responseSchemas.add(
  orderPage(z.union([ZOrder, ZOnlineOrder]).and(z.object({ secondsLeft: z.int().nullable().describe('seconds left in the review window (Dealing)') }))),
  { id: 'ReviewQueuePage' },
);
responseSchemas.add(
  z.object({ received: z.literal(true), status: z.enum(['new', 'duplicate']), disposition: z.enum(['signalled', 'unmatched']).optional() }),
  { id: 'CallbackReceipt' },
);
responseSchemas.add(
  z.object({
    order: ZOrder,
    bankTransfer: z.object({
      bankName: z.string(),
      accountName: z.string(),
      accountNumber: z.string(),
      orderNumber: z.string(),
      amount: z.int(),
      currency: z.literal('IDR'),
      transferNote: z.string(),
      instruction: z.string(),
    }),
  }),
  { id: 'PaymentInstructions' },
);
responseSchemas.add(ZWalletBalance, { id: 'WalletBalance' });
const ZSubscription = z.object({
  id: z.string(),
  accountId: z.string(),
  product: z.string(),
  price: z.int(),
  cycleMonths: z.int(),
  startDate: z.string(),
  status: z.enum(['active', 'suspended', 'cancelled']),
  timeZone: z.string(),
});
const ZInvoice = z.object({
  id: z.string(),
  subscriptionId: z.string(),
  accountId: z.string(),
  periodIndex: z.int(),
  periodStart: z.string(),
  periodEnd: z.string(),
  amount: z.int(),
  issuedAt: z.string(),
  dueAt: z.string(),
  status: z.enum(['unpaid', 'paid']),
  paidAt: z.string().nullable(),
  ledgerEntryId: z.string().nullable(),
});
responseSchemas.add(ZSubscription, { id: 'Subscription' });
responseSchemas.add(z.object({ wallet: z.literal('deposit'), refundable: z.literal(false), reason: z.string() }), { id: 'DepositRefundPolicy' });
responseSchemas.add(z.object({ items: z.array(ZSubscription) }), { id: 'SubscriptionList' });
responseSchemas.add(z.object({ items: z.array(ZInvoice) }), { id: 'InvoiceList' });
responseSchemas.add(
  z.object({ accountId: z.string(), wallets: z.array(ZWalletBalance.omit({ accountId: true })) }),
  { id: 'Balance' },
);
responseSchemas.add(ZUsageResult, { id: 'UsageResult' });
const ZOperationLogItem = z.object({
  id: z.string(),
  accountId: z.string().nullable().describe("null for the provider's own users' identity events"),
  actor: z.object({ id: z.string(), username: z.string(), role: z.string() }).nullable().describe('null for a failed sign-in with an unknown username, or the admin command'),
  action: z.string().describe('e.g. order.create, order.approve, usage.record, session.sign_in, session.sign_in_failed, user.invite, user.disable, user.role_change, api_key.create, api_key.revoke, account.update'),
  orderNumber: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  address: z.string().nullable().describe("the client's address, for identity events"),
  createdAt: ZInstant,
});
responseSchemas.add(page(ZOperationLogItem), { id: 'OperationLogPage' });
const ZAccount = z.object({
  id: z.string(),
  companyName: z.string(),
  locale: z.enum(['en', 'id']),
  timeZone: z.string(),
  currency: z.enum(CURRENCIES).describe("every order of the account is in it; IDR is the only one for now"),
  billingEmail: z.string().nullable().describe("where renewal invoices go (the owner's email when null)"),
  address: z.string().nullable(),
  status: z.enum(['active', 'suspended']).describe("a suspended account's users cannot sign in and its keys do not work"),
  suspendedAt: ZInstant.nullable(),
  createdAt: ZInstant,
  updatedAt: ZInstant,
});
const ZUser = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  accountId: z.string().nullable().describe("the customer account of an owner or PIC; null for the provider's users"),
  status: z.enum(['invited', 'active', 'disabled', 'removed']).describe('invited: no password set yet'),
  createdAt: ZInstant,
  lastSignInAt: ZInstant.nullable(),
});
const ZInvitedUser = ZUser.extend({ invitationExpiresAt: ZInstant.nullable().describe('when the emailed link stops working; null for a service, which gets API keys') });
const ZApiKey = z.object({
  id: z.string(),
  prefix: z.string().nullable().describe("the key's first 12 characters; null for a bearer token issued before API keys"),
  name: z.string(),
  user: z.object({ id: z.string(), username: z.string(), role: z.string() }).describe('who the key acts as'),
  accountId: z.string().nullable(),
  scopes: z.array(z.enum(SCOPES)),
  createdAt: ZInstant,
  expiresAt: ZInstant.nullable(),
  lastUsedAt: ZInstant.nullable().describe('recorded at most once a minute'),
  revokedAt: ZInstant.nullable(),
});
responseSchemas.add(ZAccount, { id: 'Account' });
responseSchemas.add(page(ZAccount), { id: 'AccountPage' });
responseSchemas.add(ZAccount.extend({ owner: ZInvitedUser }), { id: 'CreatedAccount' });
responseSchemas.add(ZUser, { id: 'User' });
responseSchemas.add(ZInvitedUser, { id: 'InvitedUser' });
responseSchemas.add(z.object({ items: z.array(ZUser) }), { id: 'UserList' });
responseSchemas.add(ZApiKey, { id: 'ApiKey' });
responseSchemas.add(ZApiKey.extend({ secret: z.string().describe('the key: shown this once, never again (only its SHA-256 is kept)') }), { id: 'CreatedApiKey' });
responseSchemas.add(z.object({ items: z.array(ZApiKey) }), { id: 'ApiKeyList' });
const ZMe = z.object({
  userId: z.string(),
  username: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  account: ZAccount.nullable().describe("the customer account; null for the provider's users"),
  credential: z.enum(['session', 'api_key']).describe('how the caller authenticated'),
});
responseSchemas.add(ZMe, { id: 'Me' });
const ZSession = z.object({
  user: ZMe,
  csrfToken: z.string().describe('send it in X-CSRF-Token with every request that changes something'),
  createdAt: ZInstant,
  expiresAt: ZInstant.describe('12 hours after sign-in; 30 minutes without a request end it sooner'),
  idleTimeoutSeconds: z.int(),
});
responseSchemas.add(ZSession, { id: 'Session' });
responseSchemas.add(z.object({ username: z.string(), purpose: z.enum(['setup', 'invitation', 'reset']), expiresAt: ZInstant }), { id: 'PasswordLink' });
responseSchemas.add(z.object({ username: z.string(), purpose: z.enum(['setup', 'invitation', 'reset']) }), { id: 'PasswordLinkUsed' });
responseSchemas.add(z.object({ message: z.string() }), { id: 'ResetRequested' });
responseSchemas.add(z.object({ otherSessionsEnded: z.int() }), { id: 'PasswordChanged' });
const ZTopUpRules = z.object({
  currency: z.literal('IDR'),
  bankTransferWallets: z.array(z.enum(WALLETS)).readonly(),
  onlinePaymentMethods: z.array(z.enum(PAYMENT_METHODS)).readonly(),
  creditMinAmount: z.int(),
  whatsappMinAmount: z.int().describe('a smaller online request is raised to it'),
  muvPackVisitors: z.int(),
  muvPackPrice: z.int(),
  depositMinAmount: z.int(),
  depositMaxAmount: z.int(),
  creditCardFeeBasisPoints: z.int(),
  reviewWindow: z.string(),
  unsubmittedCloseAfter: z.string(),
});
responseSchemas.add(ZTopUpRules, { id: 'TopUpRules' });
responseSchemas.add(z.object({ status: z.literal('ok') }), { id: 'Health' });
responseSchemas.add(
  z.object({ status: z.enum(['ready', 'not ready']), checks: z.object({ postgres: z.string(), temporal: z.string() }) }),
  { id: 'Readiness' },
);

// Compile-time proof that the documented shapes are the ones the routes send: tsc fails when they drift.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
/** A type as JSON sends it: dates become their ISO strings. */
type Json<T> = T extends Date ? string : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
type DocumentedShapesMatch = [
  Assert<Same<z.infer<typeof ZOrder>, OrderView>>,
  Assert<Same<z.infer<typeof ZOnlineOrder>, OnlineOrderView>>,
  Assert<Same<z.infer<typeof ZSubscription>, SubscriptionRecord>>,
  Assert<Same<z.infer<typeof ZInvoice>, InvoiceRecord>>,
  Assert<Same<z.infer<typeof ZWalletBalance>, WalletBalance>>,
  Assert<Same<z.infer<typeof ZUsageResult>, UsageResult>>,
  Assert<Same<z.infer<typeof ZMe>, Json<Me>>>,
  Assert<Same<z.infer<typeof ZAccount>, Json<Account>>>,
  Assert<Same<z.infer<typeof ZUser>, Json<User>>>,
  Assert<Same<z.infer<typeof ZApiKey>, Json<ApiKey>>>,
  Assert<Same<z.infer<typeof ZSession>, Json<SessionView>>>,
  Assert<Same<z.infer<typeof ZOperationLogItem>, Json<OperationLogItem>>>,
  Assert<Same<z.infer<typeof ZTopUpRules>, TopUpRules>>,
];
