/**
 * The OpenAPI 3.1 document of the whole API, built from one table of operations and the zod schemas the
 * routes parse (test/shared/api-openapi.test.ts checks it validates and names exactly the routes Express serves),
 * and a plain HTML page listing it (no external assets).
 */
import { z } from 'zod';
import { CSRF_HEADER, requiredScope, SESSION_COOKIE, type Role } from '../accounts/auth';
import { ROLES } from '../../db/accounts/roles';
import { ZAccountId } from '../accounts/account-routes';
import { ZKeyId } from '../accounts/api-key-routes';
import { IDENTITY_OPERATIONS } from '../accounts/identity-operations';
import type { Operation } from './openapi-operation';
import { MOVED_SUB_ACCOUNT_ROUTES } from '../accounts/moved-routes';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency';
import { requestSchemas, responseSchemas } from './openapi-schemas';
import { ZListOrdersQuery, ZReviewQueueQuery } from '../orders/schemas';
import { ZBalanceQuery } from '../ledger/balance-routes';
import { ZInvoiceId, ZInvoicesQuery } from '../billing/invoice-routes';
import { ZSubscriptionId, ZSubscriptionsQuery } from '../billing/subscription-routes';
import { ZHeldPaymentsQuery } from '../billing/held-payment-routes';
import { ZOperationLogQuery } from '../accounts/operation-log-routes';
import { ZUserId } from '../accounts/user-schemas';
import { ZOrderNumber } from '../orders/schemas';
import { WEBHOOK_OPERATIONS } from '../webhooks/webhook-operations';
import { ZEndpointId, ZEventId } from '../webhooks/schemas';
import { AUTO_TOPUP_OPERATIONS } from '../auto-topup/auto-topup-operations';
import { ZCardId, ZWalletParam } from '../auto-topup/schemas';
import { ZStatementCsvQuery, ZStatementQuery } from '../ledger/statement-routes';
import { ZUsageReportQuery } from '../ledger/usage-report-routes';
import { ZGiftsQuery } from '../ledger/gift-routes';
import { ZDocumentsQuery } from '../billing/document-routes';
import { RECONCILIATION_OPERATIONS } from '../reconciliation/reconciliation-operations';
import { ZExceptionId } from '../reconciliation/schemas';
import { ZStatementId } from '../reconciliation/statement-routes';

type JsonSchema = Record<string, unknown>;

const CUSTOMERS: readonly Role[] = ['owner', 'pic'];
const READERS: readonly Role[] = ['owner', 'pic', 'finance', 'ops'];
const FINANCE: readonly Role[] = ['finance'];
const EVERYONE: readonly Role[] = ROLES;
const ORDER = '/v1/orders/{orderNumber}';

/** Every route of the app. */
export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/healthz', operationId: 'health', summary: 'The process is up', tag: 'service', ok: { status: 200, description: 'up', schema: 'Health' } },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'readiness',
    summary: 'PostgreSQL and Temporal are reachable',
    tag: 'service',
    ok: { status: 200, description: 'ready (503 with the same body when not)', schema: 'Readiness' },
    errors: [503],
  },
  { method: 'get', path: '/openapi.json', operationId: 'openApiDocument', summary: 'This document', tag: 'service', ok: { status: 200, description: 'the OpenAPI document' } },
  { method: 'get', path: '/docs', operationId: 'docsPage', summary: 'The operations as an HTML page', tag: 'service', ok: { status: 200, description: 'HTML', contentType: 'text/html' } },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics (no token: aggregates only)',
    tag: 'service',
    ok: { status: 200, description: 'Prometheus text exposition format', contentType: 'text/plain' },
  },
  {
    method: 'post',
    path: '/v1/orders',
    operationId: 'createOrder',
    summary: 'Create a top-up order (Unpaid) and start its workflow',
    tag: 'orders',
    roles: CUSTOMERS,
    body: 'CreateOrderRequest',
    idempotency: 'optional',
    ok: { status: 201, description: 'the order', schema: 'Order', location: true },
    errors: [409, 422],
  },
  {
    method: 'get',
    path: '/v1/orders',
    operationId: 'listOrders',
    summary: "The account's orders, newest first (provider staff: every account, or ?accountId=)",
    tag: 'orders',
    roles: READERS,
    query: ZListOrdersQuery,
    ok: { status: 200, description: 'a page of orders with the total', schema: 'OrderPage' },
  },
  { method: 'get', path: ORDER, operationId: 'getOrder', summary: 'The order (bank transfer or online), as last recorded', tag: 'orders', roles: READERS, ok: { status: 200, description: 'the order', schema: 'AnyOrder' }, errors: [404] },
  {
    method: 'get',
    path: `${ORDER}/invoice.pdf`,
    operationId: 'getInvoice',
    summary: 'The proforma invoice PDF of an online order, from "Confirm payment" on',
    tag: 'online',
    roles: READERS,
    ok: { status: 200, description: 'the invoice', contentType: 'application/pdf' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: '/v1/online-orders',
    operationId: 'createOnlineOrder',
    summary: 'Self top-up: one line per wallet; answers the editable summary with what each payment method bills',
    tag: 'online',
    roles: CUSTOMERS,
    body: 'OnlineLinesRequest',
    idempotency: 'optional',
    ok: { status: 201, description: 'the Unpaid order and its payment options', schema: 'OnlineOrderSummary', location: true },
    errors: [422],
  },
  {
    method: 'patch',
    path: '/v1/online-orders/{orderNumber}',
    operationId: 'editOnlineOrder',
    summary: 'Change the wallets and amounts before confirming payment',
    tag: 'online',
    roles: CUSTOMERS,
    body: 'OnlineLinesRequest',
    ok: { status: 200, description: 'the order and its payment options', schema: 'OnlineOrderSummary' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/v1/online-orders/{orderNumber}/payment-options',
    operationId: 'onlinePaymentOptions',
    summary: "What each payment method would bill for the order as it stands (the card fee included), by the policy the order was created under",
    tag: 'online',
    roles: READERS,
    ok: { status: 200, description: 'the payment options', schema: 'PaymentOptions' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/online-orders/{orderNumber}/confirm',
    operationId: 'confirmOnlinePayment',
    summary:
      'Confirm payment: Awaiting payment while the gateway issues the sales invoice (valid until 23:59:59 of the next day). ' +
      'Waits for it CONFIRM_PAYMENT_WAIT_SECONDS (5 s by default), then answers 503 with the order "issuing"; the same confirm sent again joins that issuance, never a second invoice',
    tag: 'online',
    roles: CUSTOMERS,
    body: 'ConfirmPaymentRequest',
    ok: { status: 200, description: 'the order with its invoice (VA number or payment link); a repeat with the same method answers it again', schema: 'OnlineOrder' },
    errors: [404],
    answers: [
      {
        status: 409,
        description:
          'Refused by the order\'s state (`invalid_transition`: not Unpaid, or issuing with another method), or the confirmation ended without an invoice (`invoice_not_issued`: cancelled, refused by the gateway, or the gateway stayed away past the policy\'s invoiceIssueGiveUpAfter); the order as recorded',
        schema: 'OnlineOrderRefusal',
      },
      {
        status: 503,
        description:
          '`invoice_pending`: the gateway has not issued the invoice within the wait. The order is Awaiting payment with `issuing` (attempts, last error, when it gives up) and invoice null, as GET shows it. Send the same confirm again after Retry-After, or cancel the confirmation',
        schema: 'OnlineOrderRefusal',
        retryAfter: 'seconds until the gateway is asked again (1 to 30)',
      },
    ],
  },
  {
    method: 'post',
    path: '/v1/online-orders/{orderNumber}/cancel-confirmation',
    operationId: 'cancelOnlineConfirmation',
    summary:
      'Cancel a confirmation whose invoice the gateway has not issued yet: back to the editable Unpaid draft, the reason on the order; an invoice the gateway issued meanwhile is voided. A draft answers as it is',
    tag: 'online',
    roles: CUSTOMERS,
    ok: { status: 200, description: 'the Unpaid order with `confirmationFailure` (kind cancelled)', schema: 'OnlineOrder' },
    errors: [404, 409],
    answers: [
      {
        status: 503,
        description: '`update_not_confirmed`: the workflow did not acknowledge the cancellation within the bound (its worker is away); the order as recorded. Send it again',
        schema: 'OnlineOrderRefusal',
        retryAfter: 'seconds to wait before sending it again',
      },
    ],
  },
  {
    method: 'post',
    path: '/v1/payments/callback',
    operationId: 'paymentCallback',
    summary: 'The payment gateway reports a paid invoice (HMAC-SHA256 over the raw body, 300 s tolerance; no bearer token)',
    tag: 'online',
    ok: { status: 200, description: 'recorded (new or a duplicate)', schema: 'CallbackReceipt' },
    errors: [401, 429],
  },
  {
    method: 'patch',
    path: ORDER,
    operationId: 'editOrder',
    summary: 'Edit the amount or payment method where the status allows it',
    tag: 'orders',
    roles: CUSTOMERS,
    body: 'EditOrderRequest',
    ok: { status: 200, description: 'the order after the edit', schema: 'Order' },
    errors: [404, 409],
  },
  {
    method: 'delete',
    path: ORDER,
    operationId: 'deleteOrder',
    summary: 'Delete the order (Deleted)',
    tag: 'orders',
    roles: CUSTOMERS,
    ok: { status: 200, description: 'the deleted order', schema: 'Order' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: `${ORDER}/payment-method`,
    operationId: 'choosePaymentMethod',
    summary: "Choose how to pay; a bank transfer answers the provider's bank account and the order number",
    tag: 'orders',
    roles: CUSTOMERS,
    body: 'ChoosePaymentMethodRequest',
    ok: { status: 200, description: 'the order and the transfer instructions', schema: 'PaymentInstructions' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: `${ORDER}/slip`,
    operationId: 'uploadSlip',
    summary:
      'Upload the payment slip (JPEG, PNG or PDF, at most 10 MB): the order goes to Dealing. Images must decode (at most 50 megapixels) and are stored encoded anew, without metadata; PDFs must open and carry no encryption, JavaScript or attached files (415 otherwise)',
    tag: 'orders',
    roles: CUSTOMERS,
    body: 'multipart',
    ok: { status: 201, description: 'the submitted order', schema: 'Order', location: true },
    errors: [404, 409, 413, 415],
  },
  {
    method: 'get',
    path: `${ORDER}/slip`,
    operationId: 'getSlip',
    summary: 'The payment slip as stored (an image encoded anew; its original SHA-256 is in the order\'s slip.original)',
    tag: 'orders',
    roles: READERS,
    ok: { status: 200, description: 'the file, as an attachment', contentType: 'application/octet-stream' },
    errors: [404],
  },
  {
    method: 'get',
    path: `${ORDER}/receipt.pdf`,
    operationId: 'getReceipt',
    summary: 'The PDF receipt of a Paid order',
    tag: 'orders',
    roles: READERS,
    ok: { status: 200, description: 'the receipt', contentType: 'application/pdf' },
    errors: [404],
  },
  {
    method: 'post',
    path: `${ORDER}/approve`,
    operationId: 'approveOrder',
    summary: 'Approve a Dealing order: Paid, the wallet credited',
    tag: 'review',
    roles: FINANCE,
    body: 'ApproveRequest',
    ok: { status: 200, description: 'the paid order', schema: 'Order' },
    errors: [404, 409],
  },
  {
    method: 'post',
    path: `${ORDER}/reject`,
    operationId: 'rejectOrder',
    summary: 'Reject a Dealing order with a reason: Payment Failure',
    tag: 'review',
    roles: FINANCE,
    body: 'RejectRequest',
    ok: { status: 200, description: 'the rejected order', schema: 'Order' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/v1/review/orders',
    operationId: 'reviewQueue',
    summary: 'Dealing orders of every account, oldest submission first, with the time left in the window',
    tag: 'review',
    roles: ['finance', 'ops'],
    query: ZReviewQueueQuery,
    ok: { status: 200, description: 'a page of the queue', schema: 'ReviewQueuePage' },
  },
  {
    method: 'get',
    path: '/v1/balance',
    operationId: 'getBalance',
    summary: "Each wallet's balance: current, recharge, gift, unbilled (provider staff name the account)",
    tag: 'accounts',
    roles: READERS,
    query: ZBalanceQuery,
    ok: { status: 200, description: 'the balances', schema: 'Balance' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/usage',
    operationId: 'recordUsage',
    summary: 'Record a usage charge on a wallet (gift first, then recharge; credit may go negative)',
    tag: 'accounts',
    roles: ['service'],
    body: 'RecordUsageRequest',
    idempotency: 'required',
    ok: { status: 201, description: 'what the charge took', schema: 'UsageResult' },
    errors: [404, 409, 422],
  },
  {
    method: 'post',
    path: '/v1/usage/batch',
    operationId: 'recordUsageBatch',
    summary: 'Record up to 1,000 usage charges, each with its own idempotencyKey and its own answer (the status and body POST /v1/usage would give it); one refused never changes another',
    tag: 'accounts',
    roles: ['service'],
    body: 'UsageBatchRequest',
    ok: { status: 200, description: 'one answer per charge, in order', schema: 'UsageBatchResult' },
  },
  {
    method: 'get',
    path: '/v1/usage/report',
    operationId: 'usageReport',
    summary: 'Usage per wallet and day for a period (default: the last 7 days), the change against the period before, and the breakdown by service',
    tag: 'accounts',
    roles: READERS,
    query: ZUsageReportQuery,
    ok: { status: 200, description: 'the report', schema: 'UsageReport' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/usage/report.csv',
    operationId: 'usageReportCsv',
    summary: '"Download details": every usage charge of the period as CSV, streamed',
    tag: 'accounts',
    roles: READERS,
    query: ZUsageReportQuery,
    ok: { status: 200, description: 'CSV: time, entry_id, wallet, service, memo, amount', contentType: 'text/csv' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/wallets/{wallet}/statement',
    operationId: 'walletStatement',
    summary: "A wallet's statement: every movement, oldest first, with the running balance; by date range and kind, paged",
    tag: 'accounts',
    roles: READERS,
    query: ZStatementQuery,
    ok: { status: 200, description: 'a page of the statement with the opening and closing balances', schema: 'Statement' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/wallets/{wallet}/statement.csv',
    operationId: 'walletStatementCsv',
    summary: 'The same statement as CSV, every line of the range, streamed from a cursor (a million lines in flat memory)',
    tag: 'accounts',
    roles: READERS,
    query: ZStatementCsvQuery,
    ok: { status: 200, description: 'CSV: time, entry_id, kind, change, balance_after, settled, order_number, invoice_id, service, memo', contentType: 'text/csv' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/gifts',
    operationId: 'grantGift',
    summary: 'Grant a gift (credit for free) to a wallet with a reason and an optional expiry; usage spends it before recharge, and what is left at the expiry leaves the balance',
    tag: 'accounts',
    roles: FINANCE,
    body: 'GrantGiftRequest',
    idempotency: 'required',
    ok: { status: 201, description: 'the gift', schema: 'Gift' },
    errors: [404, 409, 422],
  },
  {
    method: 'get',
    path: '/v1/gifts',
    operationId: 'listGifts',
    summary: "Gifts, newest first, with what is left of each and its expiry: a customer its account's; finance and ops every account's (or ?accountId=)",
    tag: 'accounts',
    roles: READERS,
    query: ZGiftsQuery,
    ok: { status: 200, description: 'a page of gifts', schema: 'GiftPage' },
  },
  {
    method: 'get',
    path: '/v1/documents',
    operationId: 'listDocuments',
    summary: "Receipts, online invoices and subscription invoices, newest first, each with its download path: a customer its account's; finance and ops every account's (or ?accountId=)",
    tag: 'billing',
    roles: READERS,
    query: ZDocumentsQuery,
    ok: { status: 200, description: 'a page of documents', schema: 'DocumentPage' },
  },
  { method: 'get', path: '/v1/me', operationId: 'getMe', summary: 'Who the API key or session belongs to, with the customer account', tag: 'accounts', roles: EVERYONE, ok: { status: 200, description: 'the caller', schema: 'Me' } },
  {
    method: 'get',
    path: '/v1/top-up-rules',
    operationId: 'getTopUpRules',
    summary: "The policy's limits per wallet and the card fee, to show beside the amount fields",
    tag: 'accounts',
    roles: EVERYONE,
    ok: { status: 200, description: 'the rules in force', schema: 'TopUpRules' },
  },
  {
    method: 'post',
    path: '/v1/subscriptions',
    operationId: 'createSubscription',
    summary: "Create an account's subscription (ops or the product backend); starts its billing",
    tag: 'billing',
    roles: ['ops', 'service'],
    body: 'CreateSubscriptionRequest',
    ok: { status: 201, description: 'the subscription', schema: 'Subscription', location: true },
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/subscriptions',
    operationId: 'listSubscriptions',
    summary: "The account's subscriptions (provider staff: every account, or ?accountId=)",
    tag: 'billing',
    roles: ['owner', 'pic', 'finance', 'ops', 'service'],
    query: ZSubscriptionsQuery,
    ok: { status: 200, description: 'the subscriptions', schema: 'SubscriptionList' },
  },
  {
    method: 'post',
    path: '/v1/subscriptions/{subscriptionId}/stop',
    operationId: 'stopSubscription',
    summary:
      'The owner stops the service at the end of the period paid: no renewal invoice is issued after this, an unpaid renewal is voided, and the subscription is stopped when the period ends; asking again answers the same stop',
    tag: 'billing',
    roles: ['owner'],
    ok: { status: 200, description: 'the subscription with its stop (endsOn: the day the service ends)', schema: 'Subscription' },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/v1/invoices',
    operationId: 'listInvoices',
    summary: "The account's renewal invoices, oldest first, optionally by status",
    tag: 'billing',
    roles: READERS,
    query: ZInvoicesQuery,
    ok: { status: 200, description: 'the invoices', schema: 'InvoiceList' },
  },
  {
    method: 'get',
    path: '/v1/invoices/{invoiceId}.pdf',
    operationId: 'getInvoicePdf',
    summary: 'A renewal invoice as a PDF',
    tag: 'billing',
    roles: READERS,
    ok: { status: 200, description: 'the invoice', contentType: 'application/pdf' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/invoices/{invoiceId}/pay',
    operationId: 'payInvoice',
    summary:
      'Pay an unpaid invoice with an order of its amount that settles it: by bank transfer (upload the slip to it), or online (confirm it with virtual account, credit card or e-wallet like any online top-up); its money pays the invoice, and what the invoice cannot take stays in the deposit only within its limits, else it is held for finance',
    tag: 'billing',
    roles: CUSTOMERS,
    body: 'PayInvoiceRequest',
    ok: { status: 201, description: 'the order that settles it: a bank-transfer order, or an online order', schema: 'AnyOrder', location: true },
    errors: [404, 409],
  },
  {
    method: 'get',
    path: '/v1/held-payments',
    operationId: 'listHeldPayments',
    summary:
      "Money paid for a subscription invoice that neither the invoice (paid already, or void since its service stopped) nor the deposit (outside its per-top-up limits) could take, held for finance; newest first (a customer: its account's)",
    tag: 'billing',
    roles: READERS,
    query: ZHeldPaymentsQuery,
    ok: { status: 200, description: 'the held payments', schema: 'HeldPaymentList' },
  },
  {
    method: 'get',
    path: '/v1/balance/deposit/refund',
    operationId: 'depositRefundPolicy',
    summary: 'Whether the deposit can be refunded: it cannot (seed 002); there is no refund path',
    tag: 'billing',
    roles: READERS,
    ok: { status: 200, description: 'refundable: false, with the reason', schema: 'DepositRefundPolicy' },
  },
  {
    method: 'get',
    path: '/v1/operation-log',
    operationId: 'operationLog',
    summary: "Who did what, when, from which address, newest first: a customer its account's entries; finance and ops every account's (or ?accountId=); admins everything, identity events of the provider's users too",
    tag: 'accounts',
    roles: [...READERS, 'admin'],
    query: ZOperationLogQuery,
    ok: { status: 200, description: 'a page of the log with the total', schema: 'OperationLogPage' },
  },
  ...IDENTITY_OPERATIONS,
  ...WEBHOOK_OPERATIONS,
  ...AUTO_TOPUP_OPERATIONS,
  ...RECONCILIATION_OPERATIONS,
];

const PATH_PARAMETERS: Record<string, z.ZodType> = {
  wallet: ZWalletParam,
  orderNumber: ZOrderNumber,
  invoiceId: ZInvoiceId,
  subscriptionId: ZSubscriptionId,
  accountId: ZAccountId,
  userId: ZUserId,
  keyId: ZKeyId,
  endpointId: ZEndpointId,
  eventId: ZEventId,
  cardId: ZCardId,
  exceptionId: ZExceptionId,
  statementId: ZStatementId,
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: each field named with the rule it broke',
  401: 'No valid API key or session',
  403: "The role may not do this (ops read, never write), the API key lacks the scope, an API key on a route for signed-in people, or a session's change without its CSRF token",
  404: 'Not found, or not visible to the caller',
  409: 'Refused by the current state: a transition the status does not allow, a taken name, or a request in progress',
  413: 'Upload too large',
  415: 'Not an accepted file type',
  422: 'Idempotency-Key already used with a different request',
  429: 'Too many requests (see Retry-After)',
  503: 'Not ready, or a change to an order the workflow service did not confirm: send it again (see Retry-After)',
};

/** Builds the document. */
export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Top-up payments API',
      version: '1.0.0',
      description:
        'Prepaid wallet top-ups (bank transfer with slip and review, online), balances, usage charges, payment exceptions and bank-statement reconciliation, accounts, users, API keys and the operation log. ' +
        'Every refusal has the shape of the Error schema. Programs send an API key (Authorization: Bearer), acting as its user within its scopes; ' +
        `people sign in (POST /v1/session) and send the session cookie, with the session's CSRF token in ${CSRF_HEADER} on every change. ` +
        'Both reach the same role checks: admin, owner, pic, finance, ops, service. ' +
        `Moved: ${MOVED_SUB_ACCOUNT_ROUTES.map((r) => `${r.was} → ${r.now}`).join('; ')} (the old routes answer 410).`,
    },
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    security: [{ apiKey: [] }, { session: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key (tpk_…), made by an account owner or an admin, shown once and stored only as its SHA-256. It acts as its user within its scopes: read (GET), write (other changes), usage (POST /v1/usage).',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: `A console session from POST /v1/session (HttpOnly, SameSite=Lax, Secure over https), ended by 30 minutes without a request or 12 hours after sign-in. Every change sends the session's csrfToken in ${CSRF_HEADER}.`,
        },
      },
      schemas: { ...componentSchemas(requestSchemas, 'input'), ...componentSchemas(responseSchemas, 'output') },
      responses: Object.fromEntries(
        Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [
          `Error${status}`,
          {
            description,
            ...(status === '429' ? { headers: { 'Retry-After': { description: 'seconds until the window resets', schema: { type: 'integer' } } } } : {}),
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}

function operationObject(op: Operation): JsonSchema {
  const parameters: JsonSchema[] = [...pathParameters(op.path), ...queryParameters(op.query)];
  if (op.idempotency) parameters.push(idempotencyKeyParameter(op.idempotency === 'required'));
  // Only where a person may call it: a service has keys, never a session.
  if (op.method !== 'get' && op.roles?.some((r) => r !== 'service')) parameters.push(csrfHeaderParameter());
  const errors = new Set(op.errors ?? []);
  if (op.roles) [401, 403, 429].forEach((s) => errors.add(s));
  if (op.body || op.query || parameters.length > 0) errors.add(400);
  // A change to an existing order is a workflow update, which a restarting workflow service can drop (order-updates.ts).
  if (op.method !== 'get' && op.path.includes('{orderNumber}')) errors.add(503);
  for (const answer of op.answers ?? []) errors.delete(answer.status);
  const description = op.roles ? `Roles: ${op.roles.join(', ')}.${op.sessionOnly ? ' A signed-in person only (no API key).' : ''}` : 'No credential.';
  return {
    operationId: op.operationId,
    summary: op.summary,
    description,
    tags: [op.tag],
    security: securityOf(op),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body ? { requestBody: requestBody(op.body) } : {}),
    responses: {
      [String(op.ok.status)]: okResponse(op.ok),
      ...Object.fromEntries([...errors].sort((a, b) => a - b).map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }])),
      ...Object.fromEntries((op.answers ?? []).map((a) => [String(a.status), ownAnswer(a)])),
    },
  };
}

/** An API key with the scope the route needs, or a console session; people management takes a session only. */
function securityOf(op: Operation): JsonSchema[] {
  if (!op.roles) return [];
  const session = { session: [] };
  return op.sessionOnly ? [session] : [{ apiKey: [requiredScope(op.method.toUpperCase(), op.path.replace(/^\/v1/, ''))] }, session];
}

function csrfHeaderParameter(): JsonSchema {
  return {
    name: CSRF_HEADER,
    in: 'header',
    required: false,
    description: "With the session cookie: the session's csrfToken (POST /v1/session and GET /v1/session answer it); a change without it is refused with 403. Not sent with an API key.",
    schema: { type: 'string' },
  };
}

function ownAnswer(answer: NonNullable<Operation['answers']>[number]): JsonSchema {
  return {
    description: answer.description,
    ...(answer.retryAfter ? { headers: { 'Retry-After': { description: answer.retryAfter, schema: { type: 'integer' } } } } : {}),
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${answer.schema}` } } },
  };
}

function idempotencyKeyParameter(required: boolean): JsonSchema {
  return {
    name: IDEMPOTENCY_HEADER,
    in: 'header',
    required,
    description: 'A retry with the same key and body answers the first response (for at least 24 hours); the key with another body is refused with 422.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]+$', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH },
  };
}

function okResponse(ok: Operation['ok']): JsonSchema {
  const headers = ok.location ? { headers: { Location: { description: 'the created resource', schema: { type: 'string' } } } } : {};
  if (ok.status === 204) return { description: ok.description };
  const schema = ok.schema ? { $ref: `#/components/schemas/${ok.schema}` } : ok.contentType ? { type: 'string', contentMediaType: ok.contentType } : { type: 'object' };
  return { description: ok.description, ...headers, content: { [ok.contentType ?? 'application/json']: { schema } } };
}

function requestBody(name: string): JsonSchema {
  if (name === 'statement-multipart') {
    return {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['file'],
            properties: {
              file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'the bank statement: MT940, CSV or CAMT.053 XML (judged by its content), at most 10 MB' },
              mapping: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$', description: 'a CSV statement: the name of the saved column mapping to read it with' },
            },
          },
        },
      },
    };
  }
  if (name === 'multipart') {
    return {
      required: true,
      content: {
        'multipart/form-data': {
          schema: {
            type: 'object',
            required: ['slip'],
            properties: {
              slip: { type: 'string', contentMediaType: 'application/octet-stream', description: 'JPEG, PNG or PDF (judged by its bytes), at most 10 MB' },
              amount: { type: 'string', pattern: '^\\d{1,15}$', description: 'a new amount, only when re-uploading after Payment Failure' },
            },
          },
        },
      },
    };
  }
  return { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } };
}

function pathParameters(path: string): JsonSchema[] {
  return [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const schema = PATH_PARAMETERS[name!];
    if (!schema) throw new Error(`no schema for the path parameter ${name}`);
    return { name, in: 'path', required: true, schema: plain(z.toJSONSchema(schema, { io: 'input' })) };
  });
}

function queryParameters(query: z.ZodType | undefined): JsonSchema[] {
  if (!query) return [];
  const schema = z.toJSONSchema(query, { io: 'input' }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: schema.required?.includes(name) ?? false,
    schema: property,
  }));
}

function componentSchemas(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(Object.entries(schemas).map(([id, schema]) => [id, plain(schema)]));
}

/** A schema without the JSON Schema dialect and id zod adds (the document's dialect is OpenAPI's). */
function plain(schema: JsonSchema): JsonSchema {
  const { $schema: _dialect, $id: _id, ...rest } = schema;
  return rest;
}

/** The docs page's only style, inline; the Content-Security-Policy allows it by its hash (security-headers.ts). */
export const DOCS_STYLE =
  'body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}code{font-size:.95em}';

/** The operations of a document as a self-contained HTML page. */
export function docsPage(document: JsonSchema): string {
  const info = document.info as { title: string; version: string; description: string };
  const paths = document.paths as Record<string, Record<string, { summary: string; description: string; tags: string[] }>>;
  const rows = Object.entries(paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(
      ([method, op]) => `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary)}</td><td>${escapeHtml(op.description)}</td></tr>`,
    ),
  );
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(info.title)}</title>
<style>${DOCS_STYLE}</style>
</head>
<body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${escapeHtml(String(document.openapi))}).</p>
<table>
<thead><tr><th>Method</th><th>Path</th><th>Summary</th><th>Who</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
