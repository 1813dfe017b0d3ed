/**
 * The `Idempotency-Key` header: a retried request answers the first response instead of acting twice.
 *
 * The key is claimed before the route runs (`INSERT … ON CONFLICT DO NOTHING`, never check-then-insert), per
 * (scope, caller, key), with a hash of the request body. The route's JSON response is stored before it is sent;
 * a retry with the same body gets it back (status, body and Location), the same key with another body is
 * refused with 422, and a retry while the first is still running gets 409. A 5xx is not stored: the claim is
 * released so a retry runs again (the ledger's own keys keep a repeated charge a no-op).
 */
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import { completeClaim, findClaim, insertClaim, releaseClaim, takeOverAbandonedClaim, type ClaimId } from '../../db/shared/idempotency-keys';
import { HttpError } from './errors';

/** The header's name. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** The longest key accepted. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 200;

/** What a key may be made of. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/;

/**
 * A claim still in flight after this long is taken as abandoned (its process died); a retry takes it over.
 * The server cuts every request at 60 s (api/shared/server-timeouts.ts), so after 90 s the first attempt is over:
 * answered and stored, or dead. Longer would leave clients refused for minutes after an API crash.
 */
const ABANDONED_AFTER_SECONDS = 90;

/** Response headers stored and replayed with the body. */
const REPLAYED_HEADERS = ['location'] as const;

/** How a route takes the header. */
export interface IdempotencyOptions {
  /** Whether a request without the header is refused (400) or simply runs without idempotency. */
  required: boolean;
  /** A shorter limit than 200 for a route that prefixes the key (the ledger's keys are at most 200). */
  maxLength?: number;
}

interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Middleware for one route (`scope`); mount it after authentication. */
export function idempotent(pool: Pool, scope: string, opts: IdempotencyOptions): RequestHandler {
  const maxLength = opts.maxLength ?? IDEMPOTENCY_KEY_MAX_LENGTH;
  return async (req, res, next) => {
    const key = req.header(IDEMPOTENCY_HEADER);
    if (key === undefined) {
      if (opts.required) {
        throw new HttpError(400, 'invalid_input', `the ${IDEMPOTENCY_HEADER} header is required`, [{ path: IDEMPOTENCY_HEADER, rule: 'required' }]);
      }
      return next();
    }
    if (!IDEMPOTENCY_KEY_PATTERN.test(key) || key.length > maxLength) {
      const rule = `must be 1 to ${maxLength} characters of A-Z, a-z, 0-9, _ . : -`;
      throw new HttpError(400, 'invalid_input', `${IDEMPOTENCY_HEADER}: ${rule}`, [{ path: IDEMPOTENCY_HEADER, rule }]);
    }
    const id: ClaimId = { scope, userId: req.principal!.userId, key };
    const stored = await claim(pool, id, requestHash(req.body), res);
    if (stored) {
      res.status(stored.status).set(stored.headers).set('Idempotent-Replayed', 'true').json(stored.body);
      return;
    }
    storeResponseWhenSent(pool, id, req, res);
    next();
  };
}

/** Claims the key for this request (undefined), or answers the response stored under it. */
async function claim(pool: Pool, id: ClaimId, hash: string, res: Response): Promise<StoredResponse | undefined> {
  // A row deleted between the insert and the read (a released 5xx) is claimed again on the next turn.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await insertClaim(pool, id, hash)) return undefined;
    const row = await findClaim(pool, id);
    if (!row) continue;
    if (row.requestHash !== hash) {
      throw new HttpError(422, 'idempotency_key_reused', `${IDEMPOTENCY_HEADER} "${id.key}" was already used with a different request body`, [
        { path: IDEMPOTENCY_HEADER, rule: 'was already used with a different request body' },
      ]);
    }
    if (row.response) return row.response;
    if (await takeOverAbandonedClaim(pool, id, ABANDONED_AFTER_SECONDS)) return undefined;
    res.set('Retry-After', '1');
    throw new HttpError(409, 'request_in_progress', `a request with ${IDEMPOTENCY_HEADER} "${id.key}" is still in progress; retry later`, [
      { path: IDEMPOTENCY_HEADER, rule: 'a request with this key is in progress' },
    ]);
  }
  throw new Error(`idempotency key ${id.scope}/${id.key} could not be claimed`);
}

/** Stores the route's JSON response before it is sent (or releases the claim on a 5xx or a non-JSON answer). */
function storeResponseWhenSent(pool: Pool, id: ClaimId, req: Request, res: Response): void {
  const send = res.json.bind(res);
  let settled = false;
  res.json = (body?: unknown) => {
    settled = true;
    res.json = send;
    void settle(pool, id, res, body)
      .catch((err: unknown) => req.log?.error({ err, idempotencyKey: id.key }, 'the response could not be stored under its idempotency key'))
      .then(() => send(body));
    return res;
  };
  res.on('finish', () => {
    if (!settled) void release(pool, id).catch((err: unknown) => req.log?.error({ err, idempotencyKey: id.key }, 'the idempotency key could not be released'));
  });
}

async function settle(pool: Pool, id: ClaimId, res: Response, body: unknown): Promise<void> {
  if (res.statusCode >= 500) return release(pool, id);
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.get(name);
    if (value !== undefined) headers[name] = value;
  }
  await completeClaim(pool, id, { status: res.statusCode, headers, body });
}

function release(pool: Pool, id: ClaimId): Promise<void> {
  return releaseClaim(pool, id);
}

/** SHA-256 of the body as canonical JSON (keys sorted), so key order does not make a different request. */
function requestHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body ?? null)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
