/**
 * The system's money invariants, checked by code against everything stored: the ledger's own
 * (`checkLedger`) and those that tie it to the order read model, the receipts and the email outbox:
 * 1. every Paid order has exactly one top-up credit per wallet it paid, of the amount it paid, and every automatic
 *    top-up that succeeded exactly one, of the amount it bought;
 * 2. no top-up credit exists without a Paid order or a succeeded automatic top-up (Paid late and refunded orders,
 *    declined or stopped automatic top-ups are never credited);
 * 3. every Paid bank-transfer order has its receipt and exactly one sent "paid" email in `email_outbox`;
 *    every Paid online order exactly one sent "paid" email;
 * 4. the postings of the whole journal sum to zero;
 * 5. the statement of every wallet sums to its balance (statement.ts: the lines the statement route serves);
 * 6. every wallet's gift part is explained by its gifts' lots (gift-lots-checker.ts);
 * 7. every order that paid a subscription invoice put all its money somewhere: the invoice, the deposit or held for
 *    finance, each part with its ledger entry (invoice-payments.ts), and an invoice is paid by exactly one charge;
 * 8. every received payment ends in exactly one place, and received = credited + refunded + open + dismissed
 *    (db/reconciliation/money-proof.ts).
 * `npm run check:ledger` prints them; the tests and the fault campaign (scripts/faults/) call it.
 * Run it on a quiet system: an order being approved right now is briefly credited before it reads Paid.
 */
import type { Pool, PoolClient } from 'pg';
import { checkGiftLots } from './gift-lots-checker';
import { proveReceivedMoney } from '../reconciliation/money-proof';
import { checkLedger } from './ledger-checker';
import { checkStatements } from './statement';

/** Every violation in human-readable form; [] when the ledger and the read model agree. */
export async function checkInvariants(pool: Pool | PoolClient): Promise<string[]> {
  return [
    ...(await checkLedger(pool)),
    ...(await checkCredits(pool)),
    ...(await checkPaidArtifacts(pool)),
    ...(await checkJournalTotal(pool)),
    ...(await checkStatements(pool)),
    ...(await checkGiftLots(pool)),
    ...(await checkInvoicePayments(pool)),
    ...(await proveReceivedMoney(pool)).violations,
  ];
}

interface InvoicePaymentRow {
  orderNumber: string;
  invoiceId: string;
  problem: string;
}

/** Invariant 7: each order's payment toward an invoice adds up, and each paid invoice has its one charge. */
async function checkInvoicePayments(pool: Pool | PoolClient): Promise<string[]> {
  const res = await pool.query<InvoicePaymentRow>(
    `SELECT p.order_number AS "orderNumber", p.invoice_id AS "invoiceId",
            CASE WHEN t.amount IS DISTINCT FROM (CASE WHEN p.paid_invoice + p.deposited > 0 THEN p.paid_invoice + p.deposited END)
                   THEN 'its deposit top-up is ' || coalesce(t.amount::text, 'missing') || ', not the ' || (p.paid_invoice + p.deposited) || ' paid to the invoice and kept'
                 WHEN p.paid_invoice > 0 AND (c.amount IS DISTINCT FROM p.paid_invoice OR i.ledger_entry_id IS DISTINCT FROM c.id)
                   THEN 'its invoice charge is ' || coalesce(c.amount::text, 'missing') || ', not ' || p.paid_invoice || ', or the invoice does not name it' END AS problem
       FROM invoice_payments p JOIN invoices i ON i.id = p.invoice_id
       LEFT JOIN journal_entries t ON t.id = p.topup_entry_id AND t.kind = 'topup' AND t.order_number = p.order_number
       LEFT JOIN journal_entries c ON c.id = p.invoice_entry_id AND c.idempotency_key = 'invoice:' || p.invoice_id || ':deposit'
     UNION ALL
     SELECT NULL, i.id, 'is ' || i.status || ' with ' || count(e.id) || ' deposit charge(s)'
       FROM invoices i LEFT JOIN journal_entries e ON e.idempotency_key = 'invoice:' || i.id || ':deposit'
      GROUP BY i.id, i.status HAVING (i.status = 'paid') <> (count(e.id) = 1)
     ORDER BY 2, 1`,
  );
  return res.rows
    .filter((r) => r.problem !== null)
    .map((r) => (r.orderNumber ? `order ${r.orderNumber}'s payment of invoice ${r.invoiceId}: ${r.problem}` : `invoice ${r.invoiceId} ${r.problem}`));
}

interface CreditRow {
  orderNumber: string;
  status: string | null;
  wallet: string;
  expected: number | null;
  credits: number;
  credited: number | null;
}

/** Invariants 1 and 2: the credits each order should have (its wallets, when Paid) against those it has. */
async function checkCredits(pool: Pool | PoolClient): Promise<string[]> {
  const res = await pool.query<CreditRow>(
    `WITH paid AS (
       SELECT o.order_number, o.wallet, o.amount::bigint AS amount FROM orders o WHERE o.status = 'paid' AND o.kind = 'bank_transfer'
       UNION ALL
       SELECT o.order_number, l->>'wallet', (l->>'credit')::bigint
         FROM orders o CROSS JOIN LATERAL jsonb_array_elements(o.view->'lines') l
        WHERE o.status = 'paid' AND o.kind = 'online'
       UNION ALL
       SELECT order_number, wallet, amount FROM auto_topup_attempts WHERE outcome = 'succeeded'),
     -- An order that paid an invoice credits its deposit with what was not held for finance; nothing when all was.
     expected AS (
       SELECT p.order_number, p.wallet, p.amount - coalesce(i.held, 0) AS amount
         FROM paid p LEFT JOIN invoice_payments i ON i.order_number = p.order_number AND p.wallet = 'deposit'
        WHERE p.amount - coalesce(i.held, 0) > 0),
     actual AS (
       SELECT order_number, wallet, count(*)::int AS credits, sum(amount)::bigint AS credited
         FROM journal_entries WHERE kind = 'topup' GROUP BY order_number, wallet)
     SELECT coalesce(e.order_number, a.order_number) AS "orderNumber", coalesce(o.status, 'automatic top-up ' || t.outcome) AS status, coalesce(e.wallet, a.wallet) AS wallet,
            e.amount AS expected, coalesce(a.credits, 0) AS credits, a.credited
       FROM expected e FULL JOIN actual a ON a.order_number = e.order_number AND a.wallet = e.wallet
       LEFT JOIN orders o ON o.order_number = coalesce(e.order_number, a.order_number)
       LEFT JOIN auto_topup_attempts t ON t.order_number = coalesce(e.order_number, a.order_number)
      WHERE e.amount IS NULL OR a.credits IS DISTINCT FROM 1 OR a.credited IS DISTINCT FROM e.amount
      ORDER BY 1, 3`,
  );
  return res.rows.map((r) => {
    const order = `order ${r.orderNumber} (${r.status ?? 'not in the read model'})`;
    if (r.expected === null) return `${order} has ${r.credits} top-up credit(s) of ${r.credited} to ${r.wallet} but is not Paid`;
    if (r.credits !== 1) return `${order} has ${r.credits} top-up credits to ${r.wallet}; a Paid order has exactly one per wallet`;
    return `${order} was credited ${r.credited} to ${r.wallet} but paid ${r.expected}`;
  });
}

interface ArtifactRow {
  orderNumber: string;
  kind: 'bank_transfer' | 'online';
  hasReceipt: boolean;
  emails: number;
  sent: number;
}

/** Invariant 3: the receipt and the one "paid" email (recorded as sent) of each Paid order. */
async function checkPaidArtifacts(pool: Pool | PoolClient): Promise<string[]> {
  const res = await pool.query<ArtifactRow>(
    `SELECT o.order_number AS "orderNumber", o.kind,
            EXISTS (SELECT 1 FROM receipts r WHERE r.order_number = o.order_number) AS "hasReceipt",
            count(m.idempotency_key)::int AS emails, count(m.sent_at)::int AS sent
       FROM orders o
       LEFT JOIN email_outbox m
         ON m.idempotency_key = CASE o.kind WHEN 'online' THEN 'online:' ELSE 'topup:' END || o.order_number || ':paid'
      WHERE o.status = 'paid'
      GROUP BY o.order_number, o.kind
      ORDER BY o.order_number`,
  );
  return res.rows.flatMap((r) => {
    const problems: string[] = [];
    if (r.kind === 'bank_transfer' && !r.hasReceipt) problems.push(`order ${r.orderNumber} is Paid but has no receipt`);
    if (r.emails !== 1 || r.sent !== 1) problems.push(`order ${r.orderNumber} is Paid but its "paid" email is ${r.emails === 0 ? 'missing' : 'not recorded as sent'}`);
    return problems;
  });
}

/** Invariant 4: the whole journal balances (each entry does too: checkLedger). */
async function checkJournalTotal(pool: Pool | PoolClient): Promise<string[]> {
  const res = await pool.query<{ total: string }>('SELECT coalesce(sum(amount), 0)::text AS total FROM postings');
  const total = res.rows[0]?.total ?? '0';
  return total === '0' ? [] : [`the postings of the journal sum to ${total}, not 0`];
}
