/**
 * Time limits of the API's HTTP server, so a slow or stalled client (a slip trickled a byte a second, headers
 * never finished) cannot hold a connection, and the memory of its partial body, for ever. Node answers 408 and
 * closes the connection; it checks every `connectionsCheckingInterval` (30 s by default), so a request is cut
 * between `requestTimeoutMs` and that much later.
 */
import type { Server } from 'node:http';

/** The limits, in milliseconds. */
export interface ServerTimeouts {
  /** The whole request, body included: a 10 MB slip over a slow mobile link fits well inside a minute. */
  requestTimeoutMs: number;
  /** The request line and headers. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection. */
  keepAliveTimeoutMs: number;
}

/** The defaults of `api/main.ts`. */
export const DEFAULT_SERVER_TIMEOUTS: ServerTimeouts = { requestTimeoutMs: 60_000, headersTimeoutMs: 15_000, keepAliveTimeoutMs: 5_000 };

/** Applies `timeouts` to `server`. */
export function applyServerTimeouts(server: Server, timeouts: ServerTimeouts = DEFAULT_SERVER_TIMEOUTS): Server {
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  return server;
}
