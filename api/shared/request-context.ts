/**
 * The request id of the HTTP request being served, kept in AsyncLocalStorage so the Temporal client
 * interceptor can put it on every workflow start, update, signal and query it makes for that request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { RequestHandler } from 'express';
import { withRequestId } from '../../workflows/definitions';

const storage = new AsyncLocalStorage<string>();
const INCOMING_ID = /^[\w.:-]{1,100}$/;

/** The request id: the caller's `X-Request-Id` when it is sane, else a new UUID. */
export function requestIdFrom(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}

/** The request id (requestIdFrom), echoed in the response. */
export function requestIdOf(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdFrom(req);
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Runs the rest of the request inside its request id's context. */
export const requestContext: RequestHandler = (req, _res, next) => {
  storage.run(String(req.id), next);
};

/** Adds the current request id as a header to everything the Temporal client sends. */
export function requestIdClientInterceptor(): WorkflowClientInterceptor {
  const current = () => storage.getStore();
  return {
    start: (input, next) => next({ ...input, headers: withRequestId(input.headers, current()) }),
    startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers, current()) }),
    startUpdate: (input, next) => next({ ...input, headers: withRequestId(input.headers, current()) }),
    signal: (input, next) => next({ ...input, headers: withRequestId(input.headers, current()) }),
    signalWithStart: (input, next) => next({ ...input, headers: withRequestId(input.headers, current()) }),
    query: (input, next) => next({ ...input, headers: withRequestId(input.headers, current()) }),
  };
}
