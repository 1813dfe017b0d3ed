/**
 * The campaign's verdict after recovery: every order that got a 2xx exists with exactly one workflow and the
 * status and amount its messages imply, the invariants of db/ledger/invariants.ts hold (each paid order credited
 * exactly once per wallet line, the ledger equals the orders), every email the orders imply is in the outbox
 * once, sent and received by the mail server (Message-IDs of the sink's files), and at the gateway each online
 * order has at most one payable invoice, paid exactly when the order is paid, by the payment the order recorded
 * (any other payment the gateway took for it is a payment exception); every exception finance decided is resolved
 * with the money where the decision sent it, and the orders its credits and attachments paid are Paid; the
 * invariants include the money proof: every received payment in exactly one place, received = credited +
 * refunded + open + dismissed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { checkInvariants } from '../../db/ledger/invariants';
import { orderWorkflowId, type OnlineOrderView } from '../../workflows/definitions';
import type { GatewayAccess } from './online-orders';
import type { TrackedException } from './reconciliation';
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

/** The order an email belongs to, from its idempotency key (`topup:<orderNumber>:…`, `online:<orderNumber>:…`). */
function orderOfEmail(key: string): string | undefined {
  return /^(?:topup|online):(\d{13}):/.exec(key)?.[1];
}

/** The sent emails of each order, and how many outbox rows are unsent. */
async function emailCounts(pool: Pool): Promise<{ sentPerOrder: Map<string, number>; unsent: number }> {
  const res = await pool.query<{ key: string; sent: boolean }>('SELECT idempotency_key AS key, sent_at IS NOT NULL AS sent FROM email_outbox');
  const sentPerOrder = new Map<string, number>();
  let unsent = 0;
  for (const m of res.rows) {
    if (!m.sent) unsent += 1;
    const n = orderOfEmail(m.key);
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

interface GatewayInvoice {
  providerRef: string;
  reference: string;
  amount: number;
  status: 'pending' | 'paid' | 'voided';
  paidAmount: number | null;
}

/**
 * The gateway side of each online order: at most one invoice it could still take money for (every abandoned
 * issuance voided), and a paid invoice exactly when the order is Paid, the one the order shows, for its total.
 */
async function checkGatewayInvoices(pool: Pool, orders: TrackedOrder[], gateway: GatewayAccess): Promise<string[]> {
  const online = orders.filter((o) => o.kind === 'online');
  const res = await pool.query<{ orderNumber: string; status: string; view: OnlineOrderView }>('SELECT order_number AS "orderNumber", status, view FROM orders WHERE order_number = ANY($1)', [
    online.map((o) => o.orderNumber),
  ]);
  const excepted = await pool.query<{ providerRef: string }>(
    `SELECT r.payment->>'providerRef' AS "providerRef" FROM received_payments r JOIN payment_exceptions e ON e.id = r.id WHERE r.source = 'gateway'`,
  );
  const exceptionRefs = new Set(excepted.rows.map((r) => r.providerRef));
  const listed = await gateway.client.send({ method: 'GET', path: '/v1/invoices', token: gateway.apiKey });
  if (listed.status !== 200) return [`the gateway did not list its invoices (HTTP ${listed.status})`];
  const byOrder = new Map<string, GatewayInvoice[]>();
  for (const i of listed.body.items as (GatewayInvoice & { merchantRef: string })[]) byOrder.set(i.merchantRef, [...(byOrder.get(i.merchantRef) ?? []), i]);
  const violations: string[] = [];
  for (const { orderNumber, status, view } of res.rows) {
    const invoices = byOrder.get(orderNumber) ?? [];
    const payable = invoices.filter((i) => i.status !== 'voided');
    const paid = invoices.filter((i) => i.status === 'paid');
    const name = `online order ${orderNumber} (${status})`;
    if (payable.length > 1) violations.push(`${name} has ${payable.length} payable invoices at the gateway: ${payable.map((i) => `${i.reference} ${i.status}`).join(', ')}`);
    if (view.invoice && !payable.some((i) => i.providerRef === view.invoice!.providerRef)) violations.push(`${name} shows invoice ${view.invoice.providerRef}, which the gateway does not hold as payable`);
    if (status === 'paid') {
      const taken = paid[0];
      if (paid.length !== 1 || !taken || taken.providerRef !== view.payment?.providerRef || taken.paidAmount !== view.invoice?.total) {
        violations.push(`${name} was paid by ${view.payment?.providerRef ?? 'nothing'} for ${view.invoice?.total ?? '-'}, but the gateway holds ${paid.length} paid invoice(s): ${paid.map((i) => `${i.providerRef} ${i.paidAmount}`).join(', ')}`);
      }
    } else if (paid.length > 0 && status !== 'paid_late' && status !== 'closed' && !paid.every((i) => exceptionRefs.has(i.providerRef))) {
      violations.push(`${name} is not Paid but the gateway took money for it: ${paid.map((i) => i.providerRef).join(', ')}`);
    }
  }
  return violations;
}

/** Waits (up to `timeoutMs`) until every exception the campaign decided is no longer in progress (a refund waits for its callback). */
export async function waitForExceptions(pool: Pool, exceptions: TrackedException[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const ids = exceptions.map((e) => e.paymentId);
  while (Date.now() < deadline) {
    const res = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM payment_exceptions WHERE id = ANY($1) AND status = 'in_progress'`, [ids]);
    if (res.rows[0]!.n === 0) return true;
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/**
 * Each exception finance decided: resolved, with its money where the decision sent it; and the orders its
 * credits and attachments made Paid (answers them, so they count as accounted for).
 */
async function checkExceptions(pool: Pool, exceptions: TrackedException[]): Promise<{ violations: string[]; paidOrders: Set<string> }> {
  const violations: string[] = [];
  const paidOrders = new Set<string>();
  const res = await pool.query<{ id: string; status: string; credited: number; refunded: number; dismissed: number; held: number; creditOrders: string[] | null }>(
    `SELECT id, status, credited, refunded, dismissed, held, view->'resolution'->'creditOrders' AS "creditOrders" FROM payment_exceptions`,
  );
  const rows = new Map(res.rows.map((r) => [r.id, r]));
  const decided = new Set(exceptions.map((e) => e.paymentId));
  for (const e of exceptions) {
    const name = `exception ${e.paymentId} (${e.cause}, ${e.decision ?? 'undecided'})`;
    for (const a of e.anomalies) violations.push(`${name}: ${a} (${e.trail.join(', ')})`);
    if (e.anomalies.length > 0) continue;
    const row = rows.get(e.paymentId);
    if (!row) {
      violations.push(`${name} was decided but is not in the read model`);
      continue;
    }
    const got = { status: row.status, credited: row.credited, refunded: row.refunded, dismissed: row.dismissed, held: row.held };
    const want = { status: 'resolved', ...e.expected, held: 0 };
    if (JSON.stringify(got) !== JSON.stringify(want)) violations.push(`${name} is ${JSON.stringify(got)}; the decision implies ${JSON.stringify(want)} (${e.trail.join(', ')})`);
    for (const n of row.creditOrders ?? []) paidOrders.add(n);
    if (e.attachedOrder) paidOrders.add(e.attachedOrder);
  }
  // Every exception the system opened is one the campaign caused and decided: nothing is left aside.
  for (const r of res.rows) if (!decided.has(r.id)) violations.push(`exception ${r.id} (${r.status}) was opened but the campaign caused none for that payment`);
  const orders = await pool.query<{ orderNumber: string; status: string }>('SELECT order_number AS "orderNumber", status FROM orders WHERE order_number = ANY($1)', [[...paidOrders]]);
  for (const o of orders.rows) if (o.status !== 'paid') violations.push(`order ${o.orderNumber}, which an exception's decision paid, is ${o.status}`);
  if (orders.rows.length !== paidOrders.size) violations.push(`${paidOrders.size - orders.rows.length} order(s) an exception's decision paid are not in the read model`);
  return { violations, paidOrders };
}

/** Checks everything; a quiet system is assumed (waitForQuiet first). */
export async function verify(pool: Pool, temporal: Client, orders: TrackedOrder[], mailDir: string, gateway: GatewayAccess, exceptions: TrackedException[] = []): Promise<Verdict> {
  const violations: string[] = [];
  for (const o of orders) for (const a of o.anomalies) violations.push(`order ${o.orderNumber} (${o.plan}): ${a} (${o.trail.join(', ')})`);

  const res = await pool.query<StoredOrder>('SELECT order_number AS "orderNumber", status, amount FROM orders');
  const stored = new Map(res.rows.map((r) => [r.orderNumber, r]));
  const runs = new Map<string, number>();
  for (const type of ['topupOrder', 'onlineTopupOrder']) {
    for await (const wf of temporal.workflow.list({ query: `WorkflowType = '${type}'` })) runs.set(wf.workflowId, (runs.get(wf.workflowId) ?? 0) + 1);
  }
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
  const decided = await checkExceptions(pool, exceptions);
  violations.push(...decided.violations);
  const tracked = new Set([...orders.map((o) => o.orderNumber), ...decided.paidOrders]);
  const untracked = res.rows.filter((r) => !tracked.has(r.orderNumber)).map(({ orderNumber, status }) => ({ orderNumber, status }));
  for (const u of untracked) if (!['unpaid', 'closed', 'deleted'].includes(u.status)) violations.push(`order ${u.orderNumber} nobody got an answer for is ${u.status}`);

  violations.push(...(await checkInvariants(pool)));
  violations.push(...(await checkGatewayInvoices(pool, orders, gateway)));

  const outbox = await pool.query<{ key: string; messageId: string; sent: boolean }>('SELECT idempotency_key AS key, message_id AS "messageId", sent_at IS NOT NULL AS sent FROM email_outbox');
  const received = receivedMessageIds(mailDir);
  const redelivered = [...received].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  for (const m of outbox.rows) {
    if (!m.sent) violations.push(`email ${m.key} is still unsent`);
    else if (!received.has(m.messageId) && !received.has(`<${m.messageId}>`)) violations.push(`email ${m.key} is recorded as sent but never reached the mail server`);
  }
  const perOrder = new Map<string, number>();
  for (const m of outbox.rows) {
    const n = orderOfEmail(m.key);
    if (n) perOrder.set(n, (perOrder.get(n) ?? 0) + 1);
  }
  for (const o of orders) {
    const n = perOrder.get(o.orderNumber) ?? 0;
    if (o.anomalies.length === 0 && n !== o.expectedEmails) violations.push(`order ${o.orderNumber} (${o.plan}) has ${n} emails; its messages imply ${o.expectedEmails}`);
  }
  return { violations, untracked, emailsSent: received.size, redelivered };
}
