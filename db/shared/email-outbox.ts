/**
 * The email outbox (db/migrations/003_email_outbox.sql): one row per idempotency key, claimed before the send,
 * locked while it goes out, marked sent in the same transaction once the SMTP server accepted it.
 */
import type { Pool, PoolClient } from 'pg';

/** A claimed email: the key, the Message-ID derived from it, and whom and what it was first claimed for. */
export interface OutboxClaim {
  key: string;
  messageId: string;
  recipient: string;
  subject: string;
}

/** A locked outbox row. */
export interface OutboxRow {
  messageId: string;
  recipient: string;
  subject: string;
  sentAt: Date | null;
}

/** Records the intent to send, once per key (a claimed key keeps its first row). */
export async function claimOutboxRow(pool: Pool, claim: OutboxClaim): Promise<void> {
  await pool.query(
    `INSERT INTO email_outbox (idempotency_key, message_id, recipient, subject) VALUES ($1, $2, $3, $4)
     ON CONFLICT (idempotency_key) DO NOTHING`,
    [claim.key, claim.messageId, claim.recipient, claim.subject],
  );
}

/** Locks the key's row for this transaction (a concurrent send of the same key waits), or null when there is none. */
export async function lockOutboxRow(client: PoolClient, key: string): Promise<OutboxRow | null> {
  const res = await client.query<OutboxRow>(
    'SELECT message_id AS "messageId", recipient, subject, sent_at AS "sentAt" FROM email_outbox WHERE idempotency_key = $1 FOR UPDATE',
    [key],
  );
  return res.rows[0] ?? null;
}

/** Counts a failed attempt and keeps its error for ops. */
export async function markOutboxFailed(client: PoolClient, key: string, error: string): Promise<void> {
  await client.query('UPDATE email_outbox SET attempts = attempts + 1, last_error = $2 WHERE idempotency_key = $1', [key, error]);
}

/** Marks the email sent with the server's reply. */
export async function markOutboxSent(client: PoolClient, key: string, smtpResponse: string): Promise<void> {
  await client.query(
    `UPDATE email_outbox SET sent_at = now(), attempts = attempts + 1, smtp_response = $2, last_error = NULL
     WHERE idempotency_key = $1`,
    [key, smtpResponse],
  );
}
