/**
 * The named schemas of the OpenAPI document, as zod: request bodies are the very schemas the routes parse;
 * responses are written here and checked against the TypeScript types the routes send, so they cannot drift.
 */
import { z } from 'zod';
import type { HeldPayment } from '../../db/billing/invoice-payments';
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
import { USAGE_BATCH_MAX, ZRecordUsageRequest, ZUsageBatchCharge, type UsageBatchAnswer } from '../ledger/usage-routes';
import { ZGrantGiftRequest } from '../ledger/gift-routes';
import type { UsageReport } from '../ledger/usage-report-routes';
import type { LowBalanceFlag } from '../ledger/balance-routes';
import { STATEMENT_KINDS, type StatementLine } from '../../db/ledger/statement';
import type { GiftView } from '../../db/ledger/gifts';
import { DOCUMENT_TYPES, type DocumentItem } from '../../db/billing/documents';
import { ZConfirmPaymentRequest, ZOnlineLinesRequest } from '../online/schemas';
import { addWebhookSchemas } from '../webhooks/openapi-schemas';
import { addAutoTopupSchemas } from '../auto-topup/openapi-schemas';
import { ZAttachExceptionRequest, ZCreditExceptionRequest, ZNoteRequest } from '../reconciliation/schemas';
import type { ExceptionItem } from '../reconciliation/exception-routes';
import { ZConfirmLinesRequest, ZSaveCsvMappingRequest, type ConfirmedLine } from '../reconciliation/statement-routes';
import type { StatementView } from '../../db/reconciliation/statements';
import { EXCEPTION_ACTIONS, EXCEPTION_REASONS, EXCEPTION_STATUSES } from '../../workflows/definitions';

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
// The batch route parses the list first and each charge on its own (each answered on its own): this is what each must be.
requestSchemas.add(z.strictObject({ charges: z.array(ZUsageBatchCharge).min(1).max(USAGE_BATCH_MAX) }), { id: 'UsageBatchRequest' });
requestSchemas.add(ZGrantGiftRequest, { id: 'GrantGiftRequest' });
requestSchemas.add(ZCreditExceptionRequest, { id: 'CreditExceptionRequest' });
requestSchemas.add(ZAttachExceptionRequest, { id: 'AttachExceptionRequest' });
requestSchemas.add(ZNoteRequest, { id: 'ExceptionNoteRequest' });
requestSchemas.add(ZConfirmLinesRequest, { id: 'ConfirmStatementLinesRequest' });
requestSchemas.add(ZSaveCsvMappingRequest, { id: 'SaveCsvMappingRequest' });

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

const ZAppliedPayment = z.object({
  paymentId: z.string(),
  amount: z.int().describe('IDR the order took of the payment'),
  exceptionId: z.string().nullable().describe('the payment exception the money came from, if any'),
  by: z.string(),
  at: z.string(),
});

/** An order as the API shows it (the workflow's live view). */
/** What an order that settles a subscription invoice did with its money. */
const ZInvoicePayment = z
  .object({
    invoiceId: z.string(),
    paidInvoice: z.int().describe('paid the invoice (its amount), or 0 when it was paid already or void'),
    deposited: z.int().describe('stayed in the deposit as a top-up its rules allow'),
    held: z.int().describe('held for finance: neither the invoice nor the deposit could take it'),
    heldReason: z.string().nullable(),
  })
  .nullable()
  .describe('set on an order that settles a subscription invoice, once paid');

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
  paid: z.object({ settled: z.int(), added: z.int(), balanceAfter: z.int(), paidAt: z.string(), approvedBy: z.string(), invoicePayment: ZInvoicePayment }).nullable(),
  final: z.boolean(),
  submissions: z.int(),
  payments: z
    .array(ZAppliedPayment)
    .optional()
    .describe('received payments the order took (a confirmed bank-statement line, payment exceptions finance attached); until Paid, the amount still due is the amount less these'),
  releasedPayments: z.array(ZAppliedPayment).optional().describe('payments the order held and gave back to finance when it ended unpaid'),
  revision: z.int(),
});

const ZOnlineMethod = z.enum(['virtual_account', 'credit_card', 'ewallet']);
const ZPaymentOptions = z.record(ZOnlineMethod, z.object({ fee: z.int(), total: z.int() })).describe("what each method would bill, by the order's own policy");

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
      requested: z.int().describe('as asked: IDR, or packs for muv'),
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
  payment: z
    .object({ eventId: z.string(), providerRef: z.string(), amount: z.int(), paidAt: z.string(), merchantRef: z.string().optional(), method: z.string().optional(), late: z.boolean() })
    .nullable(),
  settlement: z.array(z.object({ wallet: z.enum(WALLETS), settled: z.int(), added: z.int(), balanceAfter: z.int() })).nullable(),
  settles: z.object({ invoiceId: z.string(), subscriptionId: z.string() }).nullable().describe('the subscription invoice the order pays, if any (its one deposit line is not editable)'),
  invoicePayment: ZInvoicePayment,
  refund: z.object({ reason: z.string(), by: z.string(), reference: z.string().optional().describe('the gateway refund (confirmed by its signed callback)') }).nullable(),
  checkResult: z.string().nullable(),
  billingEmail: z.string().nullable().describe('where the billing info went: the email on the confirmation step (null until confirmed)'),
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
  ZOnlineOrder.extend({ paymentOptions: ZPaymentOptions }),
  { id: 'OnlineOrderSummary' },
);
responseSchemas.add(z.object({ orderNumber: z.string(), paymentOptions: ZPaymentOptions }), { id: 'PaymentOptions' });
responseSchemas.add(orderPage(ZAnyOrder), { id: 'OrderPage' });
responseSchemas.add(
  orderPage(
    z.union([ZOrder, ZOnlineOrder]).and(
      z.object({ companyName: z.string().nullable().describe("the customer account's company name"), secondsLeft: z.int().nullable().describe('seconds left in the review window (Dealing)') }),
    ),
  ),
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
  status: z.enum(['active', 'suspended', 'cancelled', 'stopped']),
  timeZone: z.string(),
  stop: z
    .object({ requestedAt: z.string(), requestedBy: z.string(), endsOn: z.string().describe('the end of the last period paid, local YYYY-MM-DD') })
    .nullable()
    .describe('the owner asked to stop the service: it runs until endsOn, and no renewal is issued'),
  stoppedAt: z.string().nullable(),
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
  status: z.enum(['unpaid', 'paid', 'void']),
  paidAt: z.string().nullable(),
  ledgerEntryId: z.string().nullable(),
});
responseSchemas.add(ZSubscription, { id: 'Subscription' });
responseSchemas.add(z.object({ wallet: z.literal('deposit'), refundable: z.literal(false), reason: z.string() }), { id: 'DepositRefundPolicy' });
responseSchemas.add(z.object({ items: z.array(ZSubscription) }), { id: 'SubscriptionList' });
responseSchemas.add(z.object({ items: z.array(ZInvoice) }), { id: 'InvoiceList' });
const ZHeldPayment = z.object({
  orderNumber: z.string(),
  accountId: z.string(),
  companyName: z.string(),
  invoiceId: z.string(),
  amount: z.int().describe('what the order paid'),
  held: z.int().describe('the part held for finance'),
  reason: z.string(),
  createdAt: z.string(),
});
responseSchemas.add(z.object({ items: z.array(ZHeldPayment) }), { id: 'HeldPaymentList' });
const ZLowBalanceFlag = z
  .object({ reference: z.int().describe('the last paid top-up'), threshold: z.int().describe('lowBalancePercent of the reference') })
  .nullable()
  .describe('set while the wallet is below its share of its last paid top-up (the console shows a banner)');
responseSchemas.add(
  z.object({
    accountId: z.string(),
    lowBalancePercent: z.int(),
    wallets: z.array(ZWalletBalance.omit({ accountId: true }).extend({ lowBalance: ZLowBalanceFlag })),
  }),
  { id: 'Balance' },
);
const ZFieldError = ZError.shape.error;
const ZUsageBatchAnswer = z.union([
  z.object({ index: z.int(), idempotencyKey: z.string().nullable(), status: z.literal(201), result: ZUsageResult }),
  z.object({ index: z.int(), idempotencyKey: z.string().nullable(), status: z.int().describe('what POST /v1/usage would answer: 400, 404, 409, 422, 500'), error: ZFieldError }),
]);
responseSchemas.add(
  z.object({ charged: z.int(), refused: z.int(), answers: z.array(ZUsageBatchAnswer).describe('one per charge, in the order sent') }),
  { id: 'UsageBatchResult' },
);
const ZStatementLine = z.object({
  entryId: z.string(),
  createdAt: ZInstant,
  kind: z.enum(STATEMENT_KINDS),
  change: z.int().describe('the change to the current balance: + top-ups and gifts, − usage, invoice payments and gift expiries'),
  balanceAfter: z.int().describe('the running balance: the wallet right after this movement'),
  settled: z.int().describe('the part of a top-up that settled unbilled usage first'),
  orderNumber: z.string().nullable(),
  invoiceId: z.string().nullable(),
  service: z.string().nullable(),
  memo: z.string().nullable(),
});
responseSchemas.add(
  z.object({
    accountId: z.string(),
    wallet: z.enum(WALLETS),
    from: z.string().nullable(),
    to: z.string().nullable(),
    page: z.int(),
    pageSize: z.int(),
    total: z.int(),
    openingBalance: z.int().describe('the balance before the range'),
    closingBalance: z.int().describe('the balance at the end of the range'),
    lines: z.array(ZStatementLine).describe('oldest first'),
  }),
  { id: 'Statement' },
);
const ZUsageReport = z.object({
  accountId: z.string(),
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  previousFrom: z.string(),
  previousTo: z.string(),
  wallets: z.array(
    z.object({
      wallet: z.enum(WALLETS),
      amount: z.int(),
      charges: z.int(),
      previousAmount: z.int(),
      previousCharges: z.int(),
      changePercent: z.number().nullable().describe('against the previous period of the same length; null when it had no usage'),
    }),
  ),
  days: z.array(z.object({ date: z.string(), wallet: z.enum(WALLETS), amount: z.int(), charges: z.int() })),
  services: z.array(z.object({ wallet: z.enum(WALLETS), service: z.string().nullable().describe('the service, else the memo, of the charges'), amount: z.int(), charges: z.int() })),
});
responseSchemas.add(ZUsageReport, { id: 'UsageReport' });
const ZGift = z.object({
  giftEntryId: z.string(),
  accountId: z.string(),
  companyName: z.string(),
  wallet: z.enum(WALLETS),
  amount: z.int(),
  remaining: z.int(),
  reason: z.string(),
  grantedBy: z.string().nullable(),
  grantedAt: ZInstant,
  expiresAt: ZInstant.nullable(),
  expiredAt: ZInstant.nullable(),
  expiredAmount: z.int().describe('what the expiry took out of the balance'),
  status: z.enum(['active', 'spent', 'expired']),
});
responseSchemas.add(ZGift, { id: 'Gift' });
responseSchemas.add(page(ZGift), { id: 'GiftPage' });
const ZDocument = z.object({
  type: z.enum(DOCUMENT_TYPES),
  reference: z.string().describe('the order number, or the subscription invoice id'),
  accountId: z.string(),
  companyName: z.string(),
  fileName: z.string(),
  issuedAt: ZInstant,
  amount: z.int(),
  status: z.string(),
  downloadPath: z.string().describe('GET it (with the same credential) for the PDF'),
});
responseSchemas.add(page(ZDocument), { id: 'DocumentPage' });
responseSchemas.add(ZUsageResult, { id: 'UsageResult' });
const ZOperationLogItem = z.object({
  id: z.string(),
  accountId: z.string().nullable().describe("null for the provider's own users' identity events"),
  companyName: z.string().nullable(),
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
addWebhookSchemas(requestSchemas, responseSchemas);
addAutoTopupSchemas(requestSchemas, responseSchemas);
responseSchemas.add(
  z.object({ status: z.enum(['ready', 'not ready']), checks: z.object({ postgres: z.string(), temporal: z.string() }) }),
  { id: 'Readiness' },
);

const ZIncomingPayment = z.object({
  paymentId: z.string().describe('gw_<gateway event id>, or bank_<hash of the statement line>'),
  source: z.enum(['gateway', 'bank_statement']),
  amount: z.int().describe('IDR'),
  currency: z.literal('IDR'),
  receivedAt: z.string(),
  reference: z.string().describe('what the payer wrote, or the reference the gateway named'),
  orderNumber: z.string().nullable().describe('the order number the payment names, if any'),
  providerRef: z.string().nullable(),
  method: z.string().nullable(),
  statement: z.object({ statementId: z.string(), fileName: z.string(), line: z.int() }).nullable(),
  payer: z.string().nullable(),
});

/** A payment exception as the API shows it. */
export const ZPaymentException = z.object({
  exceptionId: z.string().describe('the received payment id'),
  payment: ZIncomingPayment,
  reason: z.enum(EXCEPTION_REASONS),
  difference: z.int().nullable().describe('amount_mismatch: received minus due (negative: paid too little)'),
  suggestion: z.object({ orderNumber: z.string().nullable(), accountId: z.string().nullable(), wallet: z.enum(WALLETS).nullable() }),
  status: z.enum(EXCEPTION_STATUSES).describe('open (in front of finance), in_progress, attached (held by an order waiting for the rest), resolved'),
  resolution: z
    .object({
      action: z.enum(EXCEPTION_ACTIONS),
      by: z.string(),
      note: z.string(),
      accountId: z.string().nullable(),
      wallet: z.enum(WALLETS).nullable(),
      orderNumber: z.string().nullable(),
      rest: z.enum(['credit', 'refund']).nullable(),
      creditOrders: z.array(z.string()),
      refundReference: z.string().nullable(),
    })
    .nullable(),
  allocations: z.object({ credited: z.int(), refunded: z.int(), dismissed: z.int(), held: z.int() }),
  history: z.array(
    z.object({
      action: z.enum([...EXCEPTION_ACTIONS, 'opened', 'held_payment_credited', 'held_payment_released', 'refund_settled']),
      by: z.string().nullable(),
      at: z.string(),
      note: z.string().nullable(),
      orderNumber: z.string().optional(),
      amount: z.int().optional(),
    }),
  ),
  openedAt: z.string(),
  remindersSent: z.int(),
  revision: z.int(),
  openAmount: z.int().describe('what is still to decide on: neither credited, refunded, dismissed nor held'),
  ageSeconds: z.int().describe('since the payment was received'),
});
responseSchemas.add(ZPaymentException, { id: 'PaymentException' });
responseSchemas.add(z.object({ items: z.array(ZPaymentException), total: z.int(), page: z.int(), pageSize: z.int() }), { id: 'PaymentExceptionPage' });
responseSchemas.add(
  ZPaymentException.extend({ log: z.array(z.object({ action: z.string(), actor: z.string().nullable(), details: z.record(z.string(), z.unknown()), createdAt: z.string() })) }),
  { id: 'PaymentExceptionDetail' },
);

const LINE_OUTCOMES = ['proposed', 'confirmed', 'reconciled', 'exception', 'already_imported', 'not_incoming'] as const;

/** A bank statement with each line's outcome. */
export const ZStatement = z.object({
  statementId: z.string(),
  fileName: z.string(),
  format: z.enum(['mt940', 'csv', 'camt053']),
  account: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  mapping: z.string().nullable(),
  importedBy: z.string(),
  importedAt: z.string(),
  counts: z.object(Object.fromEntries(LINE_OUTCOMES.map((o) => [o, z.int()])) as Record<(typeof LINE_OUTCOMES)[number], z.ZodInt>),
  lines: z.array(
    z.object({
      line: z.int(),
      direction: z.enum(['credit', 'debit']),
      amount: z.int(),
      valueDate: z.string(),
      text: z.string(),
      bankReference: z.string().nullable(),
      payer: z.string().nullable(),
      outcome: z
        .enum(LINE_OUTCOMES)
        .describe('proposed (an exact match waiting for finance), confirmed, reconciled (an order its slip had paid), exception, already_imported (another import had the line), not_incoming'),
      paymentId: z.string().nullable(),
      orderNumber: z.string().nullable(),
      exceptionReason: z.enum(EXCEPTION_REASONS).nullable(),
      note: z.string().nullable(),
    }),
  ),
});
responseSchemas.add(ZStatement, { id: 'Statement' });
responseSchemas.add(z.object({ items: z.array(ZStatement.omit({ lines: true })), total: z.int(), page: z.int(), pageSize: z.int() }), { id: 'StatementPage' });
const ZConfirmedLine = z.object({
  line: z.int(),
  orderNumber: z.string(),
  outcome: z.enum(['confirmed', 'reconciled', 'exception', 'retry']).describe('retry: the workflow service did not confirm; confirm again'),
  reason: z.enum(EXCEPTION_REASONS).nullable(),
  message: z.string().nullable(),
});
responseSchemas.add(z.object({ results: z.array(ZConfirmedLine), statement: ZStatement }), { id: 'StatementConfirmation' });
responseSchemas.add(ZSaveCsvMappingRequest, { id: 'CsvMapping' });
responseSchemas.add(z.object({ items: z.array(z.object({ name: z.string(), mapping: z.unknown(), savedBy: z.string(), savedAt: z.string() })) }), { id: 'CsvMappingList' });

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
  Assert<Same<z.infer<typeof ZHeldPayment>, Json<HeldPayment>>>,
  Assert<Same<z.infer<typeof ZWalletBalance>, WalletBalance>>,
  Assert<Same<z.infer<typeof ZUsageResult>, UsageResult>>,
  Assert<Same<z.infer<typeof ZMe>, Json<Me>>>,
  Assert<Same<z.infer<typeof ZAccount>, Json<Account>>>,
  Assert<Same<z.infer<typeof ZUser>, Json<User>>>,
  Assert<Same<z.infer<typeof ZApiKey>, Json<ApiKey>>>,
  Assert<Same<z.infer<typeof ZSession>, Json<SessionView>>>,
  Assert<Same<z.infer<typeof ZOperationLogItem>, Json<OperationLogItem>>>,
  Assert<Same<z.infer<typeof ZTopUpRules>, TopUpRules>>,
  Assert<Same<z.infer<typeof ZStatementLine>, Json<StatementLine>>>,
  Assert<Same<z.infer<typeof ZUsageReport>, UsageReport>>,
  Assert<Same<z.infer<typeof ZGift>, Json<GiftView>>>,
  Assert<Same<z.infer<typeof ZDocument>, Json<DocumentItem>>>,
  Assert<Same<NonNullable<z.infer<typeof ZLowBalanceFlag>>, LowBalanceFlag>>,
  Assert<Same<z.infer<typeof ZUsageBatchAnswer>, UsageBatchAnswer>>,
  Assert<Same<z.infer<typeof ZPaymentException>, ExceptionItem>>,
  Assert<Same<z.infer<typeof ZStatement>, StatementView>>,
  Assert<Same<z.infer<typeof ZConfirmedLine>, ConfirmedLine>>,
];
