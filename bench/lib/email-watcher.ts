/**
 * Waits for emails to leave the outbox: one poller for every waiting order (a query every 100 ms for all the
 * keys at once, so watching 100 orders costs PostgreSQL the same as watching one). The time an email went is
 * its `sent_at`, written in the transaction that sent it, so the poll's period does not blur the figure.
 */
import type { Pool } from 'pg';

interface Waiter {
  resolve(sentAt: Date): void;
  reject(err: Error): void;
  deadline: number;
}

/** Watches `email_outbox` for sent keys. */
export class EmailWatcher {
  private readonly waiting = new Map<string, Waiter>();
  private polling = false;

  constructor(
    private readonly pool: Pool,
    private readonly timeoutMs = 120_000,
  ) {}

  /** Resolves with the `sent_at` of the email `idempotencyKey` once it is sent. */
  sent(idempotencyKey: string): Promise<Date> {
    return new Promise((resolve, reject) => {
      this.waiting.set(idempotencyKey, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      if (!this.polling) void this.poll();
    });
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      while (this.waiting.size) {
        const res = await this.pool.query<{ key: string; sent_at: Date }>(
          'SELECT idempotency_key AS key, sent_at FROM email_outbox WHERE idempotency_key = ANY($1) AND sent_at IS NOT NULL',
          [[...this.waiting.keys()]],
        );
        for (const row of res.rows) {
          this.waiting.get(row.key)?.resolve(row.sent_at);
          this.waiting.delete(row.key);
        }
        for (const [key, w] of this.waiting) {
          if (Date.now() > w.deadline) {
            w.reject(new Error(`email ${key} was not sent within ${this.timeoutMs} ms`));
            this.waiting.delete(key);
          }
        }
        if (this.waiting.size) await new Promise((r) => setTimeout(r, 100));
      }
    } catch (err) {
      for (const w of this.waiting.values()) w.reject(err instanceof Error ? err : new Error(String(err)));
      this.waiting.clear();
    } finally {
      this.polling = false;
    }
  }
}
