/**
 * The security headers of every answer, through helmet: one Content-Security-Policy for the web console and
 * /docs (and harmless on JSON), `X-Content-Type-Options: nosniff`, no framing, no referrer, HSTS; and
 * `Cache-Control: no-store` for the API under /v1, whose answers are account data or staff views of it.
 * Routes that serve files set their own, stricter policy (a slip gets `sandbox`).
 */
import { createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { DOCS_STYLE } from './openapi';

/** The CSP source that allows one inline style by its SHA-256. */
function styleHash(style: string): string {
  return `'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`;
}

/**
 * Only this origin's scripts and styles (the console's are files Vite builds; /docs has one inline style, allowed
 * by its hash); slips and receipts are shown from the blob: URLs the console makes from what it fetched with the
 * token. No inline script anywhere, nothing loaded from another origin, no framing by anyone.
 */
export const CONTENT_SECURITY_POLICY_DIRECTIVES = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", styleHash(DOCS_STYLE)],
  'img-src': ["'self'", 'blob:', 'data:'],
  'object-src': ["'self'", 'blob:'],
  'frame-src': ["'self'", 'blob:'],
  'font-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** helmet as configured here: its headers are the same on every answer (no nonces). */
function helmetMiddleware() {
  return helmet({
    // Every directive is listed above. helmet's defaults would add `style-src 'unsafe-inline'`, which the pages
    // do not need, and `upgrade-insecure-requests`, with which Chromium fetches the console's scripts over https
    // from any plain-HTTP host but localhost (a compose stack opened by its address) and fails. TLS, where it is
    // used, is the proxy's in front of the API; HSTS (helmet's default) keeps browsers on it.
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY_DIRECTIVES },
    xFrameOptions: { action: 'deny' },
  });
}

/**
 * The headers helmet sets, worked out once by running it against a response that records them: they never vary,
 * so each request only copies them (helmet's dozen middlewares cost a few percent of a small request).
 */
export function securityHeaderList(): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, String(value));
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let done = false;
  helmetMiddleware()({} as never, recorder as never, () => {
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be worked out once');
  return [...headers];
}

/** helmet's headers (securityHeaderList) for the whole app. */
export function securityHeaders(headers: ReadonlyArray<readonly [string, string]> = securityHeaderList()): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** `Cache-Control: no-store`: account data stays out of browser and proxy caches. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
