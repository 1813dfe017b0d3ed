/**
 * The Idempotency-Key claims of the API (db/migrations/005): one row per (scope, caller, key), claimed before the
 * request runs (no status while it is in flight) and completed with the response a retry is answered with.
 */
import type { Pool } from 'pg';

/** Whose key, for which route. */
export interface ClaimId {
  scope: string;
  userId: string;
  key: string;
}

/** A claim as stored: the request it was made for, and its response once there is one. */
export interface StoredClaim {
  requestHash: string;
  response: { status: number; headers: Record<string, string>; body: unknown } | null;
}

/** Claims the key for a request with this hash; false when it is claimed already. */
export async function insertClaim(pool: Pool, id: ClaimId, requestHash: string): Promise<boolean> {
  const res = await pool.query('INSERT INTO idempotency_keys (scope, user_id, key, request_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [id.scope, id.userId, id.key, requestHash]);
  return res.rowCount === 1;
}

/** Reads a claim, or null (a released one). */
export async function findClaim(pool: Pool, id: ClaimId): Promise<StoredClaim | null> {
  const res = await pool.query<{ request_hash: string; status: number | null; response_headers: Record<string, string> | null; response_body: unknown }>(
    'SELECT request_hash, status, response_headers, response_body FROM idempotency_keys WHERE scope = $1 AND user_id = $2 AND key = $3',
    [id.scope, id.userId, id.key],
  );
  const row = res.rows[0];
  if (!row) return null;
  return { requestHash: row.request_hash, response: row.status === null ? null : { status: row.status, headers: row.response_headers ?? {}, body: row.response_body } };
}

/** Takes over a claim whose request never answered within `seconds` (atomically: one retry wins). */
export async function takeOverAbandonedClaim(pool: Pool, id: ClaimId, seconds: number): Promise<boolean> {
  const res = await pool.query(
    `UPDATE idempotency_keys SET claimed_at = now()
      WHERE scope = $1 AND user_id = $2 AND key = $3 AND status IS NULL AND claimed_at < now() - make_interval(secs => $4)`,
    [id.scope, id.userId, id.key, seconds],
  );
  return res.rowCount === 1;
}

/** Completes the claim with the response retries are answered with. */
export async function completeClaim(pool: Pool, id: ClaimId, response: { status: number; headers: Record<string, string>; body: unknown }): Promise<void> {
  await pool.query(
    `UPDATE idempotency_keys SET status = $4, response_headers = $5, response_body = $6, completed_at = now()
      WHERE scope = $1 AND user_id = $2 AND key = $3 AND status IS NULL`,
    [id.scope, id.userId, id.key, response.status, JSON.stringify(response.headers), JSON.stringify(response.body ?? null)],
  );
}

/** Releases an unanswered claim (a 5xx, a non-JSON answer), so the key can be used again. */
export async function releaseClaim(pool: Pool, id: ClaimId): Promise<void> {
  await pool.query('DELETE FROM idempotency_keys WHERE scope = $1 AND user_id = $2 AND key = $3 AND status IS NULL', [id.scope, id.userId, id.key]);
}
