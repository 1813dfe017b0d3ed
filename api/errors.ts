/**
 * One error shape for every refusal: `{ "error": { "code", "message", "fields": [{ "path", "rule" }] } }`,
 * and the one place business error types map to HTTP statuses.
 */
import type { ErrorRequestHandler } from 'express';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';

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

/** Workflow failure types and the HTTP status each answers with. */
const FAILURE_STATUS: Record<string, number> = {
  InvalidTransition: 409,
  InvalidInput: 400,
};

/** 400 with one entry per zod issue, naming the field and the rule. */
export function fromZodError(err: ZodError): HttpError {
  const fields = err.issues.map((i) => ({ path: i.path.join('.') || '(body)', rule: i.message }));
  return new HttpError(400, 'invalid_input', fields.map((f) => `${f.path}: ${f.rule}`).join('; '), fields);
}

function fromUpdateFailure(err: WorkflowUpdateFailedError): HttpError {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type && FAILURE_STATUS[cause.type]) {
    return new HttpError(FAILURE_STATUS[cause.type]!, cause.type === 'InvalidTransition' ? 'invalid_transition' : 'invalid_input', cause.message);
  }
  return new HttpError(500, 'internal', 'the order could not be updated');
}

/** Express error handler: maps known errors, hides the rest behind a 500. */
export const errorHandler: ErrorRequestHandler = (err: unknown, req, res, _next) => {
  let http: HttpError;
  if (err instanceof HttpError) http = err;
  else if (err instanceof ZodError) http = fromZodError(err);
  else if (err instanceof WorkflowUpdateFailedError) http = fromUpdateFailure(err);
  else if (err instanceof SyntaxError && 'body' in err) http = new HttpError(400, 'invalid_json', 'the request body is not valid JSON');
  else {
    req.log?.error({ err }, 'unhandled error');
    http = new HttpError(500, 'internal', 'internal error');
  }
  res.status(http.status).json({ error: { code: http.code, message: http.message, fields: http.fields } });
};
