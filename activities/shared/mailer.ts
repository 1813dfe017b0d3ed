/**
 * Sending email: a thin wrapper around a nodemailer SMTP transport, and the `sendEmail` activity, which is
 * idempotent by construction through the `email_outbox` table (db/migrations/003_email_outbox.sql).
 */
import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import type { Pool, PoolClient } from 'pg';
import { claimOutboxRow, lockOutboxRow, markOutboxFailed, markOutboxSent, type OutboxRow } from '../../db/shared/email-outbox';
import { inTransaction } from '../../db/transaction';

/** A file attached to an email; the content travels base64-encoded, as activity payloads are JSON. */
export interface EmailAttachment {
  filename: string;
  contentBase64: string;
  contentType: string;
}

/** One message as the mailer sends it. */
export interface OutgoingEmail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments: EmailAttachment[];
}

/** Sends messages over SMTP from one sender address. */
export interface Mailer {
  /** The `From` address; its domain names the Message-IDs. */
  readonly from: string;
  /** Resolves once the SMTP server accepted the message; returns its final reply line. */
  send(message: OutgoingEmail): Promise<{ response: string }>;
  close(): void;
}

/** Input of `sendEmail`; `idempotencyKey` names the step (e.g. `${orderNumber}-paid-email`). */
export interface SendEmailInput {
  idempotencyKey: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
}

/** `sent`: this call sent it; `already-sent`: an earlier call with the same key did, and nothing was sent now. */
export interface SendEmailResult {
  status: 'sent' | 'already-sent';
  messageId: string;
}

// Bounded so that a stuck server fails the attempt (and Temporal retries it) instead of holding the row lock.
const SMTP_TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };

/** A mailer on `smtpUrl` (e.g. `smtp://127.0.0.1:2525`, `smtps://user:pass@host:465`) sending as `from`. */
export function createMailer(opts: { smtpUrl: string; from: string }): Mailer {
  const transport = nodemailer.createTransport({ url: opts.smtpUrl, ...SMTP_TIMEOUTS });
  return {
    from: opts.from,
    async send(m) {
      const info = await transport.sendMail({
        from: opts.from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: m.messageId,
        attachments: m.attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.contentBase64, 'base64'), contentType: a.contentType })),
      });
      return { response: info.response };
    },
    close: () => transport.close(),
  };
}

/** The Message-ID of the email with this key, under the sender's domain: the same key, the same id. */
export function messageIdForKey(idempotencyKey: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  const digest = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
  return `<${digest}@${domain}>`;
}

/** The email activities. */
export function createEmailActivities(deps: { pool: Pool; mailer: Mailer }) {
  const { pool, mailer } = deps;
  return {
    /**
     * Sends an email at most once per idempotency key, as far as this service can know:
     * 1. the outbox row is inserted (`ON CONFLICT DO NOTHING`), so the intent is recorded before any send;
     * 2. the row is locked (`FOR UPDATE`) for the send, so a concurrent call with the same key waits and then
     *    sees it sent; a row already sent returns `already-sent` without contacting the server;
     * 3. the message goes out with a Message-ID derived from the key, and `sent_at` is set in the same
     *    transaction once the server accepted it.
     * The one window left: the server accepts the message and the process dies (or the database is lost)
     * before that transaction commits. The retry then sends it again, with the same Message-ID, which mail
     * clients and providers use to recognise the duplicate. Delivery is at-least-once; the Message-ID makes
     * the rare second copy the same message.
     */
    async sendEmail(input: SendEmailInput): Promise<SendEmailResult> {
      await claimOutboxRow(pool, { key: input.idempotencyKey, messageId: messageIdForKey(input.idempotencyKey, mailer.from), recipient: input.to, subject: input.subject });
      const outcome = await inTransaction(pool, async (client): Promise<SendEmailResult | { status: 'failed'; error: unknown }> => {
        const { messageId, sentAt } = await lockedRow(client, input);
        if (sentAt !== null) return { status: 'already-sent', messageId };
        let response: string;
        try {
          ({ response } = await mailer.send({ ...input, messageId, attachments: input.attachments ?? [] }));
        } catch (error) {
          // Kept for ops (attempts, last_error); the error itself goes to Temporal, which retries.
          await markOutboxFailed(client, input.idempotencyKey, (error instanceof Error ? error.message : String(error)).slice(0, 2000));
          return { status: 'failed', error };
        }
        await markOutboxSent(client, input.idempotencyKey, response);
        return { status: 'sent', messageId };
      });
      if (outcome.status === 'failed') throw outcome.error;
      return outcome;
    },
  };
}

/** Locks the key's row; a key reused for a different recipient or subject is a bug, never retried. */
async function lockedRow(client: PoolClient, input: SendEmailInput): Promise<OutboxRow> {
  const row = await lockOutboxRow(client, input.idempotencyKey);
  if (!row) throw new Error(`email_outbox row ${input.idempotencyKey} vanished after insert`);
  if (row.recipient !== input.to || row.subject !== input.subject) {
    throw ApplicationFailure.create({
      type: 'IdempotencyKeyConflict',
      nonRetryable: true,
      message: `email key ${input.idempotencyKey} was first used for "${row.subject}" to ${row.recipient}, now for "${input.subject}" to ${input.to}`,
    });
  }
  return row;
}
