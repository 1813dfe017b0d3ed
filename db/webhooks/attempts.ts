/**
 * The delivery log of webhook endpoints (issue 20): every HTTP attempt with its status code, latency and the start
 * of the answer. An automatic attempt also moves its delivery in the endpoint's queue: counted, and delivered on 2xx,
 * in the same transaction.
 */
import type { Pool } from 'pg';
import { inTransaction } from '../transaction';

/** One attempt to log. */
export interface WebhookAttemptRecord {
  endpointId: string;
  eventId: string;
  /** The queue position of an automatic attempt; null for a manual send. */
  seq: number | null;
  kind: 'automatic' | 'redeliver' | 'test';
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  delivered: boolean;
  error: string | null;
  responseExcerpt: string | null;
}

/** Logs an attempt; an automatic one also updates its delivery (delivered on 2xx; a delivered one stays so). */
export async function recordWebhookAttempt(pool: Pool, a: WebhookAttemptRecord): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO webhook_attempts (endpoint_id, event_id, kind, attempt, attempted_at, status_code, latency_ms, delivered, error, response_excerpt)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [a.endpointId, a.eventId, a.kind, a.attempt, a.attemptedAt, a.statusCode, a.latencyMs, a.delivered, a.error, a.responseExcerpt],
    );
    if (a.seq === null) return;
    await client.query(
      `UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_at = $3, last_status_code = $4,
              state = CASE WHEN $5 THEN 'delivered' ELSE state END, delivered_at = CASE WHEN $5 AND delivered_at IS NULL THEN $3 ELSE delivered_at END
        WHERE endpoint_id = $1 AND seq = $2`,
      [a.endpointId, a.seq, a.attemptedAt, a.statusCode, a.delivered],
    );
  });
}

/** One line of an endpoint's delivery log. */
export interface WebhookAttemptItem {
  id: string;
  eventId: string;
  eventType: string;
  kind: 'automatic' | 'redeliver' | 'test';
  attempt: number;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  delivered: boolean;
  error: string | null;
  responseExcerpt: string | null;
}

/** A page of an endpoint's log, newest first, optionally of one event. */
export async function listWebhookAttempts(
  pool: Pool,
  endpointId: string,
  filter: { eventId?: string | undefined; page: number; pageSize: number },
): Promise<{ items: WebhookAttemptItem[]; total: number }> {
  const where = 'a.endpoint_id = $1 AND ($2::text IS NULL OR a.event_id = $2)';
  const [page, total] = await Promise.all([
    pool.query<WebhookAttemptItem>(
      `SELECT a.id::text, a.event_id AS "eventId", e.type AS "eventType", a.kind, a.attempt, a.attempted_at AS "attemptedAt", a.status_code AS "statusCode",
              a.latency_ms AS "latencyMs", a.delivered, a.error, a.response_excerpt AS "responseExcerpt"
         FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id
        WHERE ${where} ORDER BY a.id DESC LIMIT $3 OFFSET $4`,
      [endpointId, filter.eventId ?? null, filter.pageSize, (filter.page - 1) * filter.pageSize],
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_attempts a WHERE ${where}`, [endpointId, filter.eventId ?? null]),
  ]);
  return { items: page.rows, total: total.rows[0]!.n };
}

/** One event of an endpoint's queue: where it stands. */
export interface WebhookDeliveryItem {
  seq: number;
  eventId: string;
  eventType: string;
  eventCreatedAt: Date;
  state: 'pending' | 'delivered';
  attempts: number;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  deliveredAt: Date | null;
}

/** A page of the endpoint's queue, newest first, optionally in one state. */
export async function listWebhookDeliveries(
  pool: Pool,
  endpointId: string,
  filter: { state?: 'pending' | 'delivered' | undefined; page: number; pageSize: number },
): Promise<{ items: WebhookDeliveryItem[]; total: number }> {
  const where = 'd.endpoint_id = $1 AND ($2::text IS NULL OR d.state = $2)';
  const [page, total] = await Promise.all([
    pool.query<WebhookDeliveryItem>(
      `SELECT d.seq, d.event_id AS "eventId", e.type AS "eventType", e.created_at AS "eventCreatedAt", d.state, d.attempts,
              d.last_attempt_at AS "lastAttemptAt", d.last_status_code AS "lastStatusCode", d.delivered_at AS "deliveredAt"
         FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        WHERE ${where} ORDER BY d.seq DESC LIMIT $3 OFFSET $4`,
      [endpointId, filter.state ?? null, filter.pageSize, (filter.page - 1) * filter.pageSize],
    ),
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhook_deliveries d WHERE ${where}`, [endpointId, filter.state ?? null]),
  ]);
  return { items: page.rows, total: total.rows[0]!.n };
}
