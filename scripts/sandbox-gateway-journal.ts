/**
 * The sandbox gateway's durable state: an append-only file of JSON lines, one per change (an invoice issued,
 * paid, voided; a refund taken, settled; a callback delivered), written synchronously before the gateway answers. A gateway killed with
 * SIGKILL and started again on the same file has every invoice and payment it acknowledged, and delivers the
 * callbacks it had not delivered yet, as a real gateway would after an outage.
 */
import fs from 'node:fs';

/** A refund as the journal keeps it. */
export interface JournalRefund {
  refundId: string;
  reference: string;
  providerRef: string | null;
  merchantRef: string;
  amount: number;
  reason: string;
  destination: { name: string; account: string } | null;
  createdAt: string;
}

/** One change, as written. */
export type JournalRecord<Invoice, Event> =
  | { type: 'invoice'; invoice: Invoice }
  | { type: 'paid'; providerRef: string; paidAt: string; paidAmount: number; event: Event; key?: string }
  | { type: 'voided'; reference: string; at: string }
  | { type: 'refund'; refund: JournalRefund }
  | { type: 'refunded'; refundId: string; at: string; event: Event }
  | { type: 'delivered'; eventId: string }
  /** A change of the card desk (sandbox-gateway-cards.ts), which reads it back itself. */
  | { type: 'cards'; record: unknown };

/** Appends records to `file` (nothing when `file` is undefined: an in-memory gateway). */
export interface Journal<Invoice, Event> {
  append(record: JournalRecord<Invoice, Event>): void;
  /** Every record written so far, oldest first; a line cut short by a kill is skipped. */
  read(): JournalRecord<Invoice, Event>[];
}

/** The journal in `file`. */
export function openJournal<Invoice, Event>(file: string | undefined): Journal<Invoice, Event> {
  return {
    append(record) {
      if (file) fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
    },
    read() {
      if (!file || !fs.existsSync(file)) return [];
      return fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line) => {
          if (!line.trim()) return [];
          try {
            return [JSON.parse(line) as JournalRecord<Invoice, Event>];
          } catch {
            return [];
          }
        });
    },
  };
}
