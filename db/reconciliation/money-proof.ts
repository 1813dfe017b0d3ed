/**
 * The proof that no received money is lost or doubled (issue 19): every payment in `received_payments` ends in
 * exactly one place, and the sum of received payments equals credited + refunded + open + dismissed, to the rupiah.
 * Each term is read from where the money really is, not from a counter kept beside it:
 * - credited: the orders that took the payment (an online order's payment, a bank-transfer order's `payments`),
 *   counted once the order is Paid, and bank-statement lines that confirm an order Paid by its slip;
 * - refunded: the refunds the gateway took (`refunds`), for exceptions and for late payments finance refunded;
 * - dismissed: what finance dismissed on exceptions;
 * - open: what is still in front of finance: an exception's open amount, money an open order holds, a late payment
 *   waiting to be credited or refunded, a statement line's proposed match waiting to be confirmed, and what an order
 *   paid toward a subscription invoice that neither the invoice nor the deposit could take (held for finance).
 * Each exception's own allocations are checked against that evidence too. `npm run check:ledger` prints it; the
 * tests and the fault campaign call it. Run it on a quiet system: a payment being applied is briefly nowhere.
 */
import type { Pool, PoolClient } from 'pg';

/** The four places money ends in, and what came in, in IDR. */
export interface MoneyTotals {
  received: number;
  credited: number;
  refunded: number;
  open: number;
  dismissed: number;
}

/** The proof's figures and every violation found (none when the money is accounted for). */
export interface MoneyProof {
  totals: MoneyTotals;
  payments: number;
  exceptions: { open: number; resolved: number };
  violations: string[];
}

type Db = Pool | PoolClient;

interface Place {
  kind: string;
  credited: number;
  refunded: number;
  open: number;
  dismissed: number;
}

const sumOf = (rows: Array<{ amount: number }>) => rows.reduce((s, r) => s + r.amount, 0);

/** Proves where every received payment went; see the module comment. */
export async function proveReceivedMoney(db: Db): Promise<MoneyProof> {
  const violations: string[] = [];
  const [payments, events, online, applied, exceptions, refunds, lines] = await Promise.all([
    db.query<{ id: string; amount: number; source: string }>('SELECT id, amount, source FROM received_payments ORDER BY id'),
    db.query<{ id: string; amount: number }>(`SELECT 'gw_' || id AS id, amount FROM payment_events WHERE type = 'invoice.paid'`),
    db.query<{ paymentId: string; orderNumber: string; status: string; amount: number; total: number | null; refunded: boolean }>(
      `SELECT 'gw_' || (view->'payment'->>'eventId') AS "paymentId", order_number AS "orderNumber", status,
              (view->'payment'->>'amount')::bigint AS amount, (view->'invoice'->>'total')::bigint AS total,
              jsonb_typeof(view->'refund') = 'object' AS refunded
         FROM orders WHERE kind = 'online' AND jsonb_typeof(view->'payment') = 'object'`,
    ),
    db.query<{ paymentId: string; orderNumber: string; status: string; amount: number; exceptionId: string | null }>(
      `SELECT p->>'paymentId' AS "paymentId", o.order_number AS "orderNumber", o.status, (p->>'amount')::bigint AS amount, p->>'exceptionId' AS "exceptionId"
         FROM orders o CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(o.view->'payments') = 'array' THEN o.view->'payments' ELSE '[]'::jsonb END) p
        WHERE o.kind = 'bank_transfer'`,
    ),
    db.query<{ id: string; status: string; amount: number; credited: number; refunded: number; dismissed: number; held: number }>(
      'SELECT id, status, amount, credited, refunded, dismissed, held FROM payment_exceptions',
    ),
    db.query<{ paymentId: string; amount: number; status: string }>('SELECT payment_id AS "paymentId", amount, status FROM refunds'),
    statementLinePlaces(db),
  ]);
  // Money an order paid toward a subscription invoice that neither the invoice nor the deposit could take is held for
  // finance (GET /v1/held-payments): open, not credited.
  const heldRows = await db.query<{ orderNumber: string; held: number }>('SELECT order_number AS "orderNumber", held FROM invoice_payments WHERE held > 0');
  const heldLeft = new Map(heldRows.rows.map((r) => [r.orderNumber, r.held]));
  /** Splits what an order credited from one payment into credited and held (open), the order's held money first. */
  const creditedPlace = (kind: string, orderNumber: string, amount: number): Place => {
    const held = Math.min(heldLeft.get(orderNumber) ?? 0, amount);
    if (held > 0) heldLeft.set(orderNumber, (heldLeft.get(orderNumber) ?? 0) - held);
    return { kind: held > 0 ? `${kind} (${held} held for finance)` : kind, credited: amount - held, refunded: 0, open: held, dismissed: 0 };
  };

  const byPayment = new Map(payments.rows.map((p) => [p.id, p]));
  for (const e of events.rows) {
    const p = byPayment.get(e.id);
    if (!p) violations.push(`gateway payment ${e.id} of ${e.amount} is not a received payment`);
    else if (p.amount !== e.amount) violations.push(`received payment ${e.id} is ${p.amount} but the gateway paid ${e.amount}`);
  }

  const places = new Map<string, Place[]>();
  const place = (paymentId: string, p: Place) => {
    if (!byPayment.has(paymentId)) violations.push(`${p.kind} names payment ${paymentId}, which was never received`);
    places.set(paymentId, [...(places.get(paymentId) ?? []), p]);
  };
  const refundsOf = (paymentId: string) => sumOf(refunds.rows.filter((r) => r.paymentId === paymentId && r.status !== 'requesting'));
  const exceptionIds = new Set(exceptions.rows.map((e) => e.id));

  for (const o of online.rows) {
    const amount = byPayment.get(o.paymentId)?.amount ?? o.amount;
    if (o.status === 'paid') place(o.paymentId, creditedPlace(`online order ${o.orderNumber}`, o.orderNumber, amount));
    else if (o.status === 'paid_late') place(o.paymentId, { kind: `online order ${o.orderNumber} (paid late)`, credited: 0, refunded: 0, open: amount, dismissed: 0 });
    else if (o.refunded) {
      const refunded = refundsOf(o.paymentId);
      if (refunded !== amount) violations.push(`online order ${o.orderNumber} refunded its late payment ${o.paymentId} of ${amount}, but the gateway took refunds of ${refunded}`);
      place(o.paymentId, { kind: `online order ${o.orderNumber} (refunded)`, credited: 0, refunded, open: 0, dismissed: 0 });
    } else violations.push(`online order ${o.orderNumber} (${o.status}) holds payment ${o.paymentId} but is neither Paid nor Paid late nor refunded`);
    if (o.total !== null && o.amount !== o.total) violations.push(`online order ${o.orderNumber} took payment ${o.paymentId} of ${o.amount} for an invoice of ${o.total}`);
  }

  for (const a of applied.rows.filter((r) => r.exceptionId === null)) {
    const payment = byPayment.get(a.paymentId);
    if (a.status !== 'paid') violations.push(`order ${a.orderNumber} (${a.status}) took payment ${a.paymentId} without being paid by it`);
    if (payment && payment.amount !== a.amount) violations.push(`order ${a.orderNumber} took ${a.amount} of payment ${a.paymentId}, which was ${payment.amount}`);
    place(a.paymentId, creditedPlace(`order ${a.orderNumber}`, a.orderNumber, a.amount));
  }

  for (const e of exceptions.rows) {
    const taken = applied.rows.filter((a) => a.exceptionId === e.id);
    const credited = sumOf(taken.filter((a) => a.status === 'paid'));
    const held = sumOf(taken.filter((a) => a.status !== 'paid'));
    const refunded = refundsOf(e.id);
    if (credited !== e.credited) violations.push(`exception ${e.id} counts ${e.credited} credited, but Paid orders took ${credited} of it`);
    if (held !== e.held) violations.push(`exception ${e.id} counts ${e.held} held, but open orders hold ${held} of it`);
    if (refunded !== e.refunded) violations.push(`exception ${e.id} counts ${e.refunded} refunded, but the gateway took refunds of ${refunded}`);
    const open = e.amount - credited - refunded - e.dismissed;
    if (open < 0) violations.push(`exception ${e.id} of ${e.amount} gave out ${credited + refunded + e.dismissed}`);
    if (e.status === 'resolved' && open !== 0) violations.push(`exception ${e.id} is resolved with ${open} not credited, refunded or dismissed`);
    place(e.id, { kind: `exception ${e.id}`, credited, refunded, open, dismissed: e.dismissed });
  }
  for (const a of applied.rows.filter((r) => r.exceptionId !== null && !exceptionIds.has(r.exceptionId))) {
    violations.push(`order ${a.orderNumber} holds ${a.amount} of exception ${a.exceptionId ?? ''}, which does not exist`);
  }
  for (const l of lines) {
    place(l.paymentId, l.place);
    if (l.violation) violations.push(l.violation);
  }

  const totals: MoneyTotals = { received: 0, credited: 0, refunded: 0, open: 0, dismissed: 0 };
  for (const p of payments.rows) {
    totals.received += p.amount;
    const found = places.get(p.id) ?? [];
    if (found.length === 0) {
      violations.push(`payment ${p.id} of ${p.amount} (${p.source}) is nowhere: neither credited to an order nor in front of finance`);
      continue;
    }
    if (found.length > 1) violations.push(`payment ${p.id} of ${p.amount} is in ${found.length} places: ${found.map((f) => f.kind).join(', ')}`);
    const sum = found.reduce((s, f) => s + f.credited + f.refunded + f.open + f.dismissed, 0);
    if (sum !== p.amount) violations.push(`payment ${p.id} of ${p.amount} is accounted for as ${sum} (${found.map((f) => f.kind).join(', ')})`);
    for (const f of found) {
      totals.credited += f.credited;
      totals.refunded += f.refunded;
      totals.open += f.open;
      totals.dismissed += f.dismissed;
    }
  }
  if (totals.received !== totals.credited + totals.refunded + totals.open + totals.dismissed) {
    violations.push(`received ${totals.received} ≠ credited ${totals.credited} + refunded ${totals.refunded} + open ${totals.open} + dismissed ${totals.dismissed}`);
  }
  return {
    totals,
    payments: payments.rows.length,
    exceptions: { open: exceptions.rows.filter((e) => e.status !== 'resolved').length, resolved: exceptions.rows.filter((e) => e.status === 'resolved').length },
    violations,
  };
}

/**
 * Where bank-statement lines put their payments that neither an order's payments nor an exception show: a
 * proposal waiting for finance (open), and a line that confirmed an order its slip had paid (credited; that order
 * must be Paid, for the line's amount, by no received payment, and claimed by this line only).
 */
async function statementLinePlaces(db: Db): Promise<Array<{ paymentId: string; place: Place; violation?: string }>> {
  const res = await db.query<{ paymentId: string; outcome: string; amount: number; orderNumber: string; status: string | null; orderAmount: number | null; takenByOrder: boolean; claimedBy: string | null }>(
    `SELECT l.payment_id AS "paymentId", l.outcome, l.amount, l.order_number AS "orderNumber", o.status, o.amount::bigint AS "orderAmount",
            EXISTS (SELECT 1 FROM orders t CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(t.view->'payments') = 'array' THEN t.view->'payments' ELSE '[]'::jsonb END) p
                     WHERE t.kind = 'bank_transfer' AND p->>'paymentId' = l.payment_id) AS "takenByOrder",
            c.payment_id AS "claimedBy"
       FROM statement_lines l
       LEFT JOIN orders o ON o.order_number = l.order_number
       LEFT JOIN order_claims c ON c.order_number = l.order_number
      WHERE l.first_seen AND l.outcome IN ('proposed', 'reconciled')`,
  );
  return res.rows.flatMap((r) => {
    if (r.outcome === 'proposed') return r.takenByOrder ? [] : [{ paymentId: r.paymentId, place: { kind: `statement proposal for order ${r.orderNumber}`, credited: 0, refunded: 0, open: r.amount, dismissed: 0 } }];
    const sound = r.status === 'paid' && r.orderAmount === r.amount && !r.takenByOrder && r.claimedBy === r.paymentId;
    const place = { kind: `order ${r.orderNumber} (reconciled with its slip)`, credited: sound ? r.amount : 0, refunded: 0, open: sound ? 0 : r.amount, dismissed: 0 };
    if (sound) return [{ paymentId: r.paymentId, place }];
    const violation = `statement payment ${r.paymentId} of ${r.amount} reconciles order ${r.orderNumber}, which is ${r.status ?? 'missing'} for ${r.orderAmount ?? 0}, claimed by ${r.claimedBy ?? 'nobody'}${r.takenByOrder ? ', and an order took the payment too' : ''}`;
    return [{ paymentId: r.paymentId, place, violation }];
  });
}
