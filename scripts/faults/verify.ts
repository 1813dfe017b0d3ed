/**
 * The campaign's verdict after recovery: every order that got a 2xx exists with exactly one workflow and the
 * status and amount its messages imply, the invariants of db/ledger/invariants.ts hold, every email the
 * orders imply is in the outbox once, sent and received by the mail server (Message-IDs of the sink's files).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { checkInvariants } from '../../db/ledger/invariants';
import { orderWorkflowId } from '../../workflows/definitions';
import type { TrackedOrder } from './orders';

/** What was found. */
export interface Verdict {
  violations: string[];
  /** Orders in the read model that no client got a 2xx for (a creation whose answer was lost). */
  untracked: { orderNumber: string; status: string }[];
  emailsSent: number;
  /**
   * Emails the mail server received more than once, always with the same Message-ID: the mailer's documented
   * at-least-once window (a kill after the SMTP server accepted, before `sent_at` committed). Reported, not failed.
   */
  redelivered: string[];
}

interface StoredOrder {
  orderNumber: string;
  status: string;
  amount: number;
}

/** The sent emails of each order (`topup:<orderNumber>:…` keys), and how many outbox rows are unsent. */
async function emailCounts(pool: Pool): Promise<{ sentPerOrder: Map<string, number>; unsent: number }> {
  const res = await pool.query<{ key: string; sent: boolean }>('SELECT idempotency_key AS key, sent_at IS NOT NULL AS sent FROM email_outbox');
  const sentPerOrder = new Map<string, number>();
  let unsent = 0;
  for (const m of res.rows) {
    if (!m.sent) unsent += 1;
    const n = /^topup:(\d{13}):/.exec(m.key)?.[1];
    if (n && m.sent) sentPerOrder.set(n, (sentPerOrder.get(n) ?? 0) + 1);
  }
  return { sentPerOrder, unsent };
}

/**
 * Waits (up to `timeoutMs`) until the read model shows what the orders imply, each order's emails are sent
 * (a row appears only once its activity runs, so "no unsent row" alone is not enough) and none is unsent.
 */
export async function waitForQuiet(pool: Pool, orders: TrackedOrder[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await pool.query<StoredOrder>('SELECT order_number AS "orderNumber", status, amount FROM orders WHERE order_number = ANY($1)', [orders.map((o) => o.orderNumber)]);
    const byNumber = new Map(res.rows.map((r) => [r.orderNumber, r]));
    const { sentPerOrder, unsent } = await emailCounts(pool);
    const settled = orders.every((o) => byNumber.get(o.orderNumber)?.status === o.expectedStatus && (o.anomalies.length > 0 || (sentPerOrder.get(o.orderNumber) ?? 0) === o.expectedEmails));
    if (settled && unsent === 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/** Message-IDs of the files the SMTP sink wrote, with how many times each arrived. */
function receivedMessageIds(mailDir: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const file of fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : []) {
    if (!file.endsWith('.eml')) continue;
    const head = fs.readFileSync(path.join(mailDir, file), 'utf8').split(/\r?\n\r?\n/)[0] ?? '';
    const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? file;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Checks everything; a quiet system is assumed (waitForQuiet first). */
export async function verify(pool: Pool, temporal: Client, orders: TrackedOrder[], mailDir: string): Promise<Verdict> {
  const violations: string[] = [];
  for (const o of orders) for (const a of o.anomalies) violations.push(`order ${o.orderNumber} (${o.plan}): ${a} (${o.trail.join(', ')})`);

  const res = await pool.query<StoredOrder>('SELECT order_number AS "orderNumber", status, amount FROM orders');
  const stored = new Map(res.rows.map((r) => [r.orderNumber, r]));
  const runs = new Map<string, number>();
  for await (const wf of temporal.workflow.list({ query: "WorkflowType = 'topupOrder'" })) runs.set(wf.workflowId, (runs.get(wf.workflowId) ?? 0) + 1);
  for (const o of orders) {
    const row = stored.get(o.orderNumber);
    const name = `order ${o.orderNumber} (${o.plan})`;
    if (!row) violations.push(`${name} got a 2xx but is not in the read model`);
    else if (row.status !== o.expectedStatus || row.amount !== o.expectedAmount) {
      violations.push(`${name} is ${row.status} ${row.amount} but its messages imply ${o.expectedStatus} ${o.expectedAmount} (${o.trail.join(', ')})`);
    }
    const n = runs.get(orderWorkflowId(o.orderNumber)) ?? 0;
    if (n !== 1) violations.push(`${name} has ${n} workflow runs, not 1`);
  }
  const tracked = new Set(orders.map((o) => o.orderNumber));
  const untracked = res.rows.filter((r) => !tracked.has(r.orderNumber)).map(({ orderNumber, status }) => ({ orderNumber, status }));
  for (const u of untracked) if (!['unpaid', 'closed', 'deleted'].includes(u.status)) violations.push(`order ${u.orderNumber} nobody got an answer for is ${u.status}`);

  violations.push(...(await checkInvariants(pool)));

  const outbox = await pool.query<{ key: string; messageId: string; sent: boolean }>('SELECT idempotency_key AS key, message_id AS "messageId", sent_at IS NOT NULL AS sent FROM email_outbox');
  const received = receivedMessageIds(mailDir);
  const redelivered = [...received].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  for (const m of outbox.rows) {
    if (!m.sent) violations.push(`email ${m.key} is still unsent`);
    else if (!received.has(m.messageId) && !received.has(`<${m.messageId}>`)) violations.push(`email ${m.key} is recorded as sent but never reached the mail server`);
  }
  const perOrder = new Map<string, number>();
  for (const m of outbox.rows) {
    const n = /^topup:(\d{13}):/.exec(m.key)?.[1];
    if (n) perOrder.set(n, (perOrder.get(n) ?? 0) + 1);
  }
  for (const o of orders) {
    const n = perOrder.get(o.orderNumber) ?? 0;
    if (o.anomalies.length === 0 && n !== o.expectedEmails) violations.push(`order ${o.orderNumber} (${o.plan}) has ${n} emails; its messages imply ${o.expectedEmails}`);
  }
  return { violations, untracked, emailsSent: received.size, redelivered };
}
