/** One operation of the OpenAPI document's route table (openapi.ts), which the authorization matrix is generated from. */
import type { z } from 'zod';
import type { Role } from '../../db/accounts/roles';

export type Method = 'get' | 'post' | 'patch' | 'delete';
/** One operation: enough to document it, and to check it against the routes. */
export interface Operation {
  method: Method;
  /** OpenAPI path template, e.g. `/v1/orders/{orderNumber}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Roles allowed; absent for the routes that need no credential. */
  roles?: readonly Role[];
  /** Managing people and credentials: a signed-in person only, never an API key. */
  sessionOnly?: true;
  query?: z.ZodType;
  /** A request body component name (JSON), or `multipart` for the slip upload. */
  body?: string;
  idempotency?: 'required' | 'optional';
  ok: { status: number; description: string; schema?: string; contentType?: string; location?: boolean };
  /** Refusals beyond the ones every operation of its kind has (400, 401, 403, 429). */
  errors?: number[];
  /** Answers of this operation with their own body, documented instead of the common error response. */
  answers?: { status: number; description: string; schema: string; retryAfter?: string }[];
}

