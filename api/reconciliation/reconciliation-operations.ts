/**
 * Finance's reconciliation routes in the OpenAPI route table (api/shared/openapi.ts): payment exceptions and bank
 * statements. The authorization matrix test is generated from this table too.
 */
import type { Role } from '../../db/accounts/roles';
import type { Operation } from '../shared/openapi-operation';
import { ZExceptionsQuery } from './schemas';
import { ZStatementsQuery } from './statement-routes';

const FINANCE: readonly Role[] = ['finance'];
const FINANCE_READERS: readonly Role[] = ['finance', 'ops'];
const EXCEPTION = '/v1/finance/exceptions/{exceptionId}';
const STATEMENT = '/v1/finance/statements/{statementId}';

/** The reconciliation operations. */
export const RECONCILIATION_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/v1/finance/exceptions',
    operationId: 'listPaymentExceptions',
    summary: 'Payment exceptions, oldest payment first: reason, amount, age and the suggested order (unresolved ones unless ?status=)',
    tag: 'reconciliation',
    roles: FINANCE_READERS,
    query: ZExceptionsQuery,
    ok: { status: 200, description: 'a page of exceptions with the total', schema: 'PaymentExceptionPage' },
  },
  {
    method: 'get',
    path: EXCEPTION,
    operationId: 'getPaymentException',
    summary: 'One payment exception with its history and the decisions logged on it',
    tag: 'reconciliation',
    roles: FINANCE_READERS,
    ok: { status: 200, description: 'the exception', schema: 'PaymentExceptionDetail' },
    errors: [404],
  },
  {
    method: 'post',
    path: `${EXCEPTION}/credit`,
    operationId: 'creditPaymentException',
    summary: "Credit the payment to an account's wallet as a top-up: a Paid order with its receipt and paid email (a repeat answers the first)",
    tag: 'reconciliation',
    roles: FINANCE,
    body: 'CreditExceptionRequest',
    ok: { status: 200, description: 'the exception, resolved', schema: 'PaymentException' },
    errors: [404, 409, 503],
  },
  {
    method: 'post',
    path: `${EXCEPTION}/attach`,
    operationId: 'attachPaymentException',
    summary:
      'Attach the payment to an open bank-transfer order: an underpayment is held by the order (which shows what is still due); an overpayment pays it, the rest credited or refunded (`rest`)',
    tag: 'reconciliation',
    roles: FINANCE,
    body: 'AttachExceptionRequest',
    ok: { status: 200, description: 'the exception: attached (held), or resolved', schema: 'PaymentException' },
    errors: [404, 409, 503],
  },
  {
    method: 'post',
    path: `${EXCEPTION}/refund`,
    operationId: 'refundPaymentException',
    summary: "Refund the payment through the gateway; resolved when the gateway's signed refund callback confirms it",
    tag: 'reconciliation',
    roles: FINANCE,
    body: 'ExceptionNoteRequest',
    ok: { status: 200, description: 'the exception, refund asked (in progress) or confirmed (resolved)', schema: 'PaymentException' },
    errors: [404, 409, 503],
  },
  {
    method: 'post',
    path: `${EXCEPTION}/dismiss`,
    operationId: 'dismissPaymentException',
    summary: 'Dismiss the payment with a reason (not ours, a test transfer …)',
    tag: 'reconciliation',
    roles: FINANCE,
    body: 'ExceptionNoteRequest',
    ok: { status: 200, description: 'the exception, resolved', schema: 'PaymentException' },
    errors: [404, 409, 503],
  },
  {
    method: 'post',
    path: '/v1/finance/statements',
    operationId: 'importStatement',
    summary:
      "Import the bank's statement (MT940, CSV with a saved mapping, CAMT.053): each incoming line matched by the order number in its text and its amount (proposed, reconciled or an exception); the same file again, or lines another import had, add nothing",
    tag: 'reconciliation',
    roles: FINANCE,
    body: 'statement-multipart',
    ok: { status: 201, description: 'the statement with each line\'s outcome (200 with the same when the file was imported before)', schema: 'Statement', location: true },
    errors: [404, 413],
  },
  {
    method: 'get',
    path: '/v1/finance/statements',
    operationId: 'listStatements',
    summary: 'The imported statements, newest first, with the count of each outcome',
    tag: 'reconciliation',
    roles: FINANCE_READERS,
    query: ZStatementsQuery,
    ok: { status: 200, description: 'a page of statements', schema: 'StatementPage' },
  },
  {
    method: 'get',
    path: STATEMENT,
    operationId: 'getStatement',
    summary: "A statement and each line's outcome",
    tag: 'reconciliation',
    roles: FINANCE_READERS,
    ok: { status: 200, description: 'the statement', schema: 'Statement' },
    errors: [404],
  },
  {
    method: 'post',
    path: `${STATEMENT}/confirm`,
    operationId: 'confirmStatementLines',
    summary:
      'Confirm proposed matches in bulk: each is the order\'s approve update with the payment and the check result "bank statement <file> line <n>"; a line its order no longer takes becomes what it is now (reconciled, an exception)',
    tag: 'reconciliation',
    roles: FINANCE,
    body: 'ConfirmStatementLinesRequest',
    ok: { status: 200, description: 'each line\'s result and the statement', schema: 'StatementConfirmation' },
    errors: [404],
  },
  {
    method: 'get',
    path: '/v1/finance/csv-mappings',
    operationId: 'listCsvMappings',
    summary: 'The saved CSV column mappings, by name',
    tag: 'reconciliation',
    roles: FINANCE_READERS,
    ok: { status: 200, description: 'the mappings', schema: 'CsvMappingList' },
  },
  {
    method: 'post',
    path: '/v1/finance/csv-mappings',
    operationId: 'saveCsvMapping',
    summary: "Save (or replace) a bank's CSV column mapping under a name",
    tag: 'reconciliation',
    roles: FINANCE,
    body: 'SaveCsvMappingRequest',
    ok: { status: 200, description: 'the mapping as saved, defaults filled in', schema: 'CsvMapping' },
  },
];
