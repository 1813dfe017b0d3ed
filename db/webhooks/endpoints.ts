/**
 * Webhook endpoints (issue 20): an account's URLs, the event types each takes, its enabled flag and state, and its
 * signing secrets (sealed, secret-box.ts). Every change is logged in the operation log in the same transaction.
 */
import type { Pool, PoolClient } from 'pg';
import type { WebhookEventType } from '../../workflows/definitions';
import { recordOperation } from '../accounts/operation-log';
import type { Actor } from '../accounts/roles';
import { newId } from '../accounts/secrets';
import { inTransaction } from '../transaction';
import { newSigningSecret, openSecret, sealSecret } from './secret-box';

/** An endpoint as the API shows it (never its secret). */
export interface WebhookEndpoint {
  id: string;
  accountId: string;
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  /** `failing`: an event's retries ran out; its queue waits until the owner resumes it. */
  status: 'active' | 'failing';
  failingSince: Date | null;
  failingReason: string | null;
  /** When the secret was last rotated, and until when the one before it still signs. */
  secretRotatedAt: Date | null;
  previousSecretExpiresAt: Date | null;
  /** Events queued for it and not delivered yet. */
  pendingEvents: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What the owner chooses for an endpoint. */
export interface EndpointSettings {
  url: string;
  description: string;
  eventTypes: WebhookEventType[];
  enabled: boolean;
}

const COLUMNS = `e.id, e.account_id AS "accountId", e.url, e.description, e.event_types AS "eventTypes", e.enabled, e.status,
  e.failing_since AS "failingSince", e.failing_reason AS "failingReason", e.secret_rotated_at AS "secretRotatedAt",
  CASE WHEN e.previous_expires_at > now() THEN e.previous_expires_at END AS "previousSecretExpiresAt",
  (SELECT count(*)::int FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'pending') AS "pendingEvents",
  e.created_at AS "createdAt", e.updated_at AS "updatedAt"`;

async function readEndpoint(db: Pool | PoolClient, id: string): Promise<WebhookEndpoint | null> {
  const res = await db.query<WebhookEndpoint>(`SELECT ${COLUMNS} FROM webhook_endpoints e WHERE e.id = $1 AND e.deleted_at IS NULL`, [id]);
  return res.rows[0] ?? null;
}

/** A live endpoint, or null. */
export function findEndpoint(pool: Pool, id: string): Promise<WebhookEndpoint | null> {
  return readEndpoint(pool, id);
}

/** The live endpoints of an account (every account's when `accountId` is undefined), oldest first. */
export async function listEndpoints(pool: Pool, accountId: string | undefined): Promise<WebhookEndpoint[]> {
  const res = await pool.query<WebhookEndpoint>(
    `SELECT ${COLUMNS} FROM webhook_endpoints e WHERE e.deleted_at IS NULL AND ($1::text IS NULL OR e.account_id = $1) ORDER BY e.created_at, e.id`,
    [accountId ?? null],
  );
  return res.rows;
}

/** Why an endpoint was not made. */
export type CreateEndpointRefusal = 'no-account' | 'limit';

/**
 * Makes an endpoint with a new secret, unless the account has `maxEndpoints` already (counted under the account's
 * row lock, so two at once cannot both pass). Answers the endpoint and its secret, the only time it is shown.
 */
export async function createEndpoint(
  pool: Pool,
  input: { accountId: string; settings: EndpointSettings; secretKey: string; maxEndpoints: number; actor: Actor },
): Promise<{ endpoint: WebhookEndpoint; secret: string } | CreateEndpointRefusal> {
  return inTransaction(pool, async (client) => {
    const account = await client.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [input.accountId]);
    if (account.rowCount === 0) return 'no-account';
    const count = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_endpoints WHERE account_id = $1 AND deleted_at IS NULL', [input.accountId]);
    if (count.rows[0]!.n >= input.maxEndpoints) return 'limit';
    const id = newId('whe');
    const secret = newSigningSecret();
    const { url, description, eventTypes, enabled } = input.settings;
    await client.query(
      `INSERT INTO webhook_endpoints (id, account_id, url, description, event_types, enabled, secret_sealed, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [id, input.accountId, url, description, eventTypes, enabled, sealSecret(secret, input.secretKey), input.actor.userId],
    );
    await logChange(client, input.accountId, input.actor, 'webhook_endpoint.create', { endpointId: id, url, eventTypes, enabled });
    return { endpoint: (await readEndpoint(client, id))!, secret };
  });
}

/** Changes an endpoint's settings; null when it does not exist. */
export async function updateEndpoint(pool: Pool, id: string, changes: Partial<EndpointSettings>, actor: Actor): Promise<WebhookEndpoint | null> {
  return inTransaction(pool, async (client) => {
    const res = await client.query<{ account_id: string }>(
      `UPDATE webhook_endpoints SET url = COALESCE($2, url), description = COALESCE($3, description), event_types = COALESCE($4, event_types),
              enabled = COALESCE($5, enabled), updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING account_id`,
      [id, changes.url ?? null, changes.description ?? null, changes.eventTypes ?? null, changes.enabled ?? null],
    );
    const row = res.rows[0];
    if (!row) return null;
    await logChange(client, row.account_id, actor, 'webhook_endpoint.update', { endpointId: id, ...changes });
    return readEndpoint(client, id);
  });
}

/** Deletes an endpoint: its queue is dropped with it (its log stays). False when it does not exist. */
export async function deleteEndpoint(pool: Pool, id: string, actor: Actor): Promise<boolean> {
  return inTransaction(pool, async (client) => {
    const res = await client.query<{ account_id: string }>('UPDATE webhook_endpoints SET deleted_at = now(), updated_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING account_id', [id]);
    const row = res.rows[0];
    if (!row) return false;
    await logChange(client, row.account_id, actor, 'webhook_endpoint.delete', { endpointId: id });
    return true;
  });
}

/**
 * Gives the endpoint a new secret; the one it replaces still signs for `overlapMs` (each request then carries
 * both signatures), so receivers can switch without losing an event. Answers the new secret, shown once.
 */
export async function rotateEndpointSecret(pool: Pool, id: string, input: { secretKey: string; overlapMs: number; actor: Actor }): Promise<{ endpoint: WebhookEndpoint; secret: string } | null> {
  const secret = newSigningSecret();
  return inTransaction(pool, async (client) => {
    const res = await client.query<{ account_id: string }>(
      `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_expires_at = now() + $3 * interval '1 millisecond',
              secret_sealed = $2, secret_rotated_at = now(), updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL RETURNING account_id`,
      [id, sealSecret(secret, input.secretKey), input.overlapMs],
    );
    const row = res.rows[0];
    if (!row) return null;
    await logChange(client, row.account_id, input.actor, 'webhook_endpoint.rotate_secret', { endpointId: id });
    return { endpoint: (await readEndpoint(client, id))!, secret };
  });
}

/** A failing endpoint's queue goes on: active again. Null when it does not exist. */
export async function resumeEndpoint(pool: Pool, id: string, actor: Actor): Promise<WebhookEndpoint | null> {
  return inTransaction(pool, async (client) => {
    const res = await client.query<{ account_id: string; was: string }>(
      `UPDATE webhook_endpoints e SET status = 'active', failing_since = NULL, failing_reason = NULL, updated_at = now()
         FROM (SELECT id, status AS was FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL FOR UPDATE) old
        WHERE e.id = old.id RETURNING e.account_id, old.was`,
      [id],
    );
    const row = res.rows[0];
    if (!row) return null;
    if (row.was === 'failing') await logChange(client, row.account_id, actor, 'webhook_endpoint.resume', { endpointId: id });
    return readEndpoint(client, id);
  });
}

/** Marks an active endpoint failing with the reason; false when it was failing already (or is gone). */
export async function markEndpointFailing(pool: Pool, id: string, reason: string): Promise<boolean> {
  const res = await pool.query(
    `UPDATE webhook_endpoints SET status = 'failing', failing_since = now(), failing_reason = $2, updated_at = now()
      WHERE id = $1 AND deleted_at IS NULL AND status = 'active'`,
    [id, reason],
  );
  return res.rowCount === 1;
}

/** What an attempt needs: where to send, the secrets that sign now (the current one first), and whether to send. */
export interface EndpointTarget {
  accountId: string;
  url: string;
  secrets: string[];
  enabled: boolean;
  deleted: boolean;
}

/** The target of an endpoint at `at` (whether a rotated secret still signs), its secrets opened with `secretKey`; null when it never existed. */
export async function findEndpointTarget(pool: Pool, id: string, secretKey: string, at: Date): Promise<EndpointTarget | null> {
  const res = await pool.query<{ account_id: string; url: string; enabled: boolean; deleted: boolean; secret_sealed: Buffer; previous: Buffer | null }>(
    `SELECT account_id, url, enabled, deleted_at IS NOT NULL AS deleted, secret_sealed,
            CASE WHEN previous_expires_at > $2 THEN previous_secret_sealed END AS previous
       FROM webhook_endpoints WHERE id = $1`,
    [id, at],
  );
  const row = res.rows[0];
  if (!row) return null;
  const secrets = [openSecret(row.secret_sealed, secretKey), ...(row.previous ? [openSecret(row.previous, secretKey)] : [])];
  return { accountId: row.account_id, url: row.url, secrets, enabled: row.enabled, deleted: row.deleted };
}

/** Logs a change to an endpoint, in its transaction. */
async function logChange(client: PoolClient, accountId: string, actor: Actor, action: string, details: Record<string, unknown>): Promise<void> {
  await recordOperation(client, { accountId, actorId: actor.userId, action, details, address: actor.address });
}
