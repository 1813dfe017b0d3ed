/**
 * One error shape for every refusal: `{ "error": { "code", "message", "fields": [{ "path", "rule" }] } }`,
 * and the one place business error types map to HTTP statuses: a workflow validator's refusal, or the ledger's,
 * reaches the error handler as it is thrown and is answered from {@link REFUSALS}.
 */
import type { ErrorRequestHandler } from 'express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { MulterError } from 'multer';
import { ZodError } from 'zod';
import { errorLanguage, localizeError, type ErrorLanguage } from './error-language';

/** A field that broke a rule. */
export interface FieldProblem {
  path: string;
  rule: string;
}

/** An error that answers with a status and the common JSON shape. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** The header a caller's idempotency key travels in. */
const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** Each named business refusal (an ApplicationFailure's type) as the HTTP answer it gets. */
const REFUSALS: Record<string, (failure: ApplicationFailure) => HttpError> = {
  /** A message the order's status does not allow. */
  InvalidTransition: (f) => new HttpError(409, 'invalid_transition', f.message),
  /** A deposit line the account may not top up now (no active service, an unpaid invoice): as the API's own check says it. */
  DepositNotAllowed: (f) => new HttpError(409, 'deposit_not_allowed', f.message, failureFields(f)),
  /** An online order's confirmation that ended without an invoice (cancelled, refused by the gateway, given up). */
  InvoiceNotIssued: (f) => new HttpError(409, 'invoice_not_issued', `the invoice was not issued: ${f.message}`),
  /** Input that breaks a rule, naming the field; an account the ledger does not know is not found. */
  InvalidInput: (f) => {
    const fields = failureFields(f);
    return fields[0]?.path === 'accountId' ? new HttpError(404, 'not_found', f.message, fields) : new HttpError(400, 'invalid_input', f.message, fields);
  },
  /** A usage charge the wallet cannot cover and may not leave unbilled. */
  InsufficientBalanceError: (f) => new HttpError(409, 'insufficient_balance', f.message),
  /** A ledger key that already recorded a different movement. */
  IdempotencyConflictError: (f) => new HttpError(422, 'idempotency_key_reused', f.message, [{ path: IDEMPOTENCY_HEADER, rule: 'was already used for another charge' }]),
};

/** The HTTP answer of a named business refusal, thrown by a workflow's validator or by the ledger; null for anything else. */
export function refusalOf(err: unknown): HttpError | null {
  const failure = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (!(failure instanceof ApplicationFailure) || !failure.type) return null;
  return REFUSALS[failure.type]?.(failure) ?? null;
}

/** 400 with one entry per zod issue, naming the field and the rule. */
export function fromZodError(err: ZodError): HttpError {
  const fields = err.issues.flatMap((i) =>
    // An unknown field is named itself, not as its parent object.
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ path: [...i.path, key].join('.'), rule: 'is not a known field' }))
      : [{ path: i.path.join('.') || '(body)', rule: i.message }],
  );
  return new HttpError(400, 'invalid_input', fields.map((f) => `${f.path}: ${f.rule}`).join('; '), fields);
}

/** The `{ field, rule }` a workflow's InvalidInput failure carries in its details. */
function failureFields(failure: ApplicationFailure): FieldProblem[] {
  const detail: unknown = failure.details?.[0];
  if (typeof detail !== 'object' || detail === null) return [];
  const { field, rule } = detail as { field?: unknown; rule?: unknown };
  return typeof field === 'string' && typeof rule === 'string' ? [{ path: field, rule }] : [];
}

/** Upload limits: a file over the size limit is 413; any other broken limit names its field with 400. */
function fromMulterError(err: MulterError): HttpError {
  const path = err.field ?? '(body)';
  if (err.code === 'LIMIT_FILE_SIZE') {
    return new HttpError(413, 'payload_too_large', `${path}: the file is larger than allowed`, [{ path, rule: 'must be at most 10 MB' }]);
  }
  const rule = err.code === 'LIMIT_UNEXPECTED_FILE' || err.code === 'LIMIT_FILE_COUNT' ? 'is not an accepted file field (send one file in "slip")' : err.message;
  return new HttpError(400, 'invalid_input', `${path}: ${rule}`, [{ path, rule }]);
}

/** A JSON body over the parser's limit (body-parser marks it with this type). */
function isBodyTooLarge(err: unknown): boolean {
  return err instanceof Error && (err as { type?: unknown }).type === 'entity.too.large';
}

/** The HTTP answer of any error: known ones mapped, the rest a 500 that reveals nothing (logged with `log` when given). */
export function httpErrorOf(err: unknown, log?: { error(obj: object, msg: string): void }): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof ZodError) return fromZodError(err);
  const refusal = refusalOf(err);
  if (refusal) return refusal;
  if (err instanceof WorkflowUpdateFailedError) return new HttpError(500, 'internal', 'the order could not be updated');
  if (err instanceof MulterError) return fromMulterError(err);
  if (isBodyTooLarge(err)) return new HttpError(413, 'payload_too_large', 'the request body is larger than allowed');
  if (err instanceof SyntaxError && 'body' in err) return new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
  log?.error({ err }, 'unhandled error');
  return new HttpError(500, 'internal', 'internal error');
}

/** The JSON body of a refusal, in the caller's language (en or id: errorLanguage of the request). */
export function errorBody(http: HttpError, language: ErrorLanguage = 'en'): { error: { code: string; message: string; fields: FieldProblem[] } } {
  const { message, fields } = localizeError({ message: http.message, fields: http.fields }, language);
  return { error: { code: http.code, message, fields } };
}

/** Express error handler: maps known errors, hides the rest behind a 500; the text in the caller's language. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  const http = httpErrorOf(err, req.log);
  // A 503 is a moment's outage (a restarting dependency): tell clients when to try again.
  if (http.status === 503) res.set('Retry-After', '1');
  res.vary('Accept-Language');
  res.status(http.status).json(errorBody(http, errorLanguage(req)));
};
