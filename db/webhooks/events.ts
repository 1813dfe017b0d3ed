/**
 * Webhook events and each endpoint's queue of them (issue 20). An event is published once per source (its
 * `sourceKey` under a unique constraint: a retried publish finds it), and only when some live, enabled endpoint of
 * the account takes its type; each such endpoint gets a delivery numbered from its own counter, taken under its row
 * lock, so an endpoint's queue follows the order its events were committed in. Publishing answers the endpoints
 * whose delivery workflows must be woken, also on a retry (its first answer may have been lost).
 */
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { NextWebhookDelivery, WebhookEventType } from '../../workflows/definitions';
import { inTransaction } from '../transaction';

/** An event to publish. `sourceKey` names what it reports, e.g. `order:1260501000001:r3`. */
export interface WebhookEventInput {
  sourceKey: string;
  accountId: string;
  type: WebhookEventType;
  data: Record<string, unknown>;
}

/** A published event: its id and the endpoints whose queues hold it undelivered (to wake). */
export interface PublishedEvent {
  eventId: string;
  endpointIds: string[];
}

/** A new event id: `evt_` and 24 hex digits. */
function newEventId(): string {
  return `evt_${randomBytes(12).toString('hex')}`;
}

/** The endpoints of the account that take `type`, locked in id order (so two publishers never deadlock). */
async function lockTargets(client: PoolClient, accountId: string, type: string): Promise<string[]> {
  const res = await client.query<{ id: string }>(
    `SELECT id FROM webhook_endpoints WHERE account_id = $1 AND deleted_at IS NULL AND enabled AND $2 = ANY(event_types) ORDER BY id FOR UPDATE`,
    [accountId, type],
  );
  return res.rows.map((r) => r.id);
}

/** The undelivered deliveries of the event published under `sourceKey`, if it was. */
async function publishedBefore(db: Pool | PoolClient, sourceKey: string): Promise<PublishedEvent | null> {
  const res = await db.query<{ id: string; endpoint_id: string | null }>(
    `SELECT e.id, d.endpoint_id FROM webhook_events e LEFT JOIN webhook_deliveries d ON d.event_id = e.id AND d.state = 'pending' WHERE e.source_key = $1`,
    [sourceKey],
  );
  if (res.rows.length === 0) return null;
  return { eventId: res.rows[0]!.id, endpointIds: res.rows.flatMap((r) => (r.endpoint_id ? [r.endpoint_id] : [])) };
}

/**
 * Publishes an event inside the caller's transaction (`client`), or finds it published already. Null when no
 * endpoint takes it (nothing is stored then).
 */
export async function publishWebhookEventIn(client: PoolClient, event: WebhookEventInput): Promise<PublishedEvent | null> {
  const before = await publishedBefore(client, event.sourceKey);
  if (before) return before;
  const targets = await lockTargets(client, event.accountId, event.type);
  if (targets.length === 0) return null;
  const eventId = newEventId();
  const inserted = await client.query(
    `INSERT INTO webhook_events (id, source_key, account_id, type, created_at, data) VALUES ($1, $2, $3, $4, clock_timestamp(), $5)
     ON CONFLICT (source_key) DO NOTHING`,
    [eventId, event.sourceKey, event.accountId, event.type, JSON.stringify(event.data)],
  );
  // A concurrent publisher of the same source committed first (we waited on its endpoint locks): its event stands.
  if (inserted.rowCount === 0) return publishedBefore(client, event.sourceKey);
  await client.query(
    `WITH numbered AS (UPDATE webhook_endpoints SET next_seq = next_seq + 1 WHERE id = ANY($1) RETURNING id, next_seq)
     INSERT INTO webhook_deliveries (endpoint_id, seq, event_id) SELECT id, next_seq, $2 FROM numbered`,
    [targets, eventId],
  );
  return { eventId, endpointIds: targets };
}

/** Publishes an event in its own transaction (see {@link publishWebhookEventIn}). */
export async function publishWebhookEvent(pool: Pool, event: WebhookEventInput): Promise<PublishedEvent | null> {
  // Most accounts have no endpoint: a plain read answers them without a transaction.
  const any = await pool.query(`SELECT 1 FROM webhook_endpoints WHERE account_id = $1 AND deleted_at IS NULL AND enabled AND $2 = ANY(event_types) LIMIT 1`, [
    event.accountId,
    event.type,
  ]);
  if (any.rowCount === 0) return publishedBefore(pool, event.sourceKey);
  return inTransaction(pool, (client) => publishWebhookEventIn(client, event));
}

/** What is in front of the endpoint's queue, or why nothing is to be sent now. */
export async function nextPendingDelivery(pool: Pool, endpointId: string): Promise<NextWebhookDelivery> {
  const res = await pool.query<{ deleted: boolean; enabled: boolean; status: string; seq: number | null; event_id: string | null }>(
    `SELECT e.deleted_at IS NOT NULL AS deleted, e.enabled, e.status, d.seq, d.event_id
       FROM webhook_endpoints e
       LEFT JOIN LATERAL (SELECT seq, event_id FROM webhook_deliveries WHERE endpoint_id = e.id AND state = 'pending' ORDER BY seq LIMIT 1) d ON true
      WHERE e.id = $1`,
    [endpointId],
  );
  const row = res.rows[0];
  if (!row || row.deleted) return { state: 'deleted' };
  if (!row.enabled) return { state: 'disabled' };
  if (row.status === 'failing') return { state: 'failing' };
  if (row.seq === null || row.event_id === null) return { state: 'idle' };
  return { state: 'pending', seq: row.seq, eventId: row.event_id };
}

/** An event as stored, with the body every attempt sends. */
export interface StoredWebhookEvent {
  id: string;
  accountId: string;
  type: string;
  createdAt: Date;
  data: Record<string, unknown>;
}

/** Reads an event, or null. */
export async function findWebhookEvent(pool: Pool, id: string): Promise<StoredWebhookEvent | null> {
  const res = await pool.query<StoredWebhookEvent>('SELECT id, account_id AS "accountId", type, created_at AS "createdAt", data FROM webhook_events WHERE id = $1', [id]);
  return res.rows[0] ?? null;
}

/** The JSON body of an event, the same bytes on every attempt. */
export function webhookEventBody(event: StoredWebhookEvent): string {
  return JSON.stringify({ id: event.id, type: event.type, created: event.createdAt.toISOString(), accountId: event.accountId, data: event.data });
}

/** Makes the `webhook.test` event "send test event" sends to one endpoint (queued nowhere). */
export async function createTestEvent(pool: Pool, input: { accountId: string; endpointId: string; by: string }): Promise<string> {
  const eventId = newEventId();
  await pool.query(`INSERT INTO webhook_events (id, source_key, account_id, type, created_at, data) VALUES ($1, $2, $3, 'webhook.test', clock_timestamp(), $4)`, [
    eventId,
    `test:${eventId}`,
    input.accountId,
    JSON.stringify({ endpointId: input.endpointId, requestedBy: input.by, message: 'This is a test event: your endpoint received it and can verify its signature.' }),
  ]);
  return eventId;
}

/** Whether the endpoint's queue has (or had) the event: only those may be redelivered to it. */
export async function endpointHasEvent(pool: Pool, endpointId: string, eventId: string): Promise<boolean> {
  const res = await pool.query('SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2', [endpointId, eventId]);
  return res.rowCount === 1;
}
