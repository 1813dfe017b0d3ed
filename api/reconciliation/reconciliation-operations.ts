/**
 * Finance's reconciliation routes in the OpenAPI route table (api/shared/openapi.ts): payment exceptions and bank
 * statements. The authorization matrix test is generated from this table too.
 */
import type { Role } from '../../db/accounts/roles';
import type { Operation } from '../shared/openapi-operation';
import { ZExceptionsQuery } from './schemas';

const FINANCE: readonly Role[] = ['finance'];
const FINANCE_READERS: readonly Role[] = ['finance', 'ops'];
const EXCEPTION = '/v1/finance/exceptions/{exceptionId}';

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
];
