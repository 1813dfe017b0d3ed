/**
 * The HTTP request id travels with every Temporal message as the `request-id` header (set by the API's client
 * interceptor), so one id ties the API log line to the workflow's and the activity's log lines. Deterministic:
 * a header is part of the history, and reading it is replay-safe. Shared by the workflow interceptors and the
 * worker's activity interceptors.
 */
import { defaultPayloadConverter, type Headers } from '@temporalio/common';

/** The header name on the wire. */
export const REQUEST_ID_HEADER = 'request-id';

/** The request id a message carries, if any. */
export function readRequestId(headers: Headers | undefined): string | undefined {
  const payload = headers?.[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' ? value : undefined;
}

/** `headers` with the request id added (unchanged when there is none). */
export function withRequestId(headers: Headers, requestId: string | undefined): Headers {
  return requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;
}
