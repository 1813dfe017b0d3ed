/**
 * The named business failures of the order workflows' validators, which the API maps to HTTP statuses
 * (api/shared/errors.ts): a message the status does not allow (409), input that breaks a rule (400, naming it), and
 * an online order's confirmation that ended without an invoice (422, with the reason).
 */
import { ApplicationFailure } from '@temporalio/workflow';

/** Business failure types of the order workflow, mapped to HTTP statuses by the API. */
export const FAILURE_TYPES = {
  invalidTransition: 'InvalidTransition',
  invalidInput: 'InvalidInput',
  /** A confirmation of an online order ended without an invoice (cancelled, gateway refused, gave up). */
  invoiceNotIssued: 'InvoiceNotIssued',
  /** A deposit top-up the account may not make now (no active service, or an unpaid invoice; seed 002). */
  depositNotAllowed: 'DepositNotAllowed',
} as const;

/** Refuses a message the order's status does not allow, with the reason. */
export function refuse(message: string): never {
  throw ApplicationFailure.create({ type: FAILURE_TYPES.invalidTransition, message, nonRetryable: true });
}

/** Refuses a deposit line the account may not top up now, with the rule (seed 002). */
export function refuseDeposit(rule: string): never {
  throw ApplicationFailure.create({ type: FAILURE_TYPES.depositNotAllowed, message: rule, details: [{ field: 'wallet', rule }], nonRetryable: true });
}

/** Refuses input that breaks a rule, naming the field and the rule. */
export function invalid(field: string, rule: string): never {
  throw ApplicationFailure.create({ type: FAILURE_TYPES.invalidInput, message: `${field}: ${rule}`, details: [{ field, rule }], nonRetryable: true });
}
