/**
 * The system's money invariants, checked by code against everything stored: the ledger's own
 * (`checkLedger`) and those that tie it to the order read model, the receipts and the email outbox:
 * 1. every Paid order has exactly one top-up credit per wallet it paid, of the amount it paid;
 * 2. no top-up credit exists without a Paid order (Paid late and refunded orders are never credited);
 * 3. every Paid bank-transfer order has its receipt and exactly one sent "paid" email in `email_outbox`;
 *    every Paid online order exactly one sent "paid" email;
 * 4. the postings of the whole journal sum to zero;
 * 5. every received payment ends in exactly one place, and received = credited + refunded + open + dismissed
 *    (db/reconciliation/money-proof.ts).
 * `npm run check:ledger` prints them; the tests and the fault campaign (scripts/faults/) call it.
 * Run it on a quiet system: an order being approved right now is briefly credited before it reads Paid.
 */
import type { Pool, PoolClient } from 'pg';
import { proveReceivedMoney } from '../reconciliation/money-proof';
import { checkLedger } from './ledger-checker';

/** Every violation in human-readable form; [] when the ledger and the read model agree. */
export async function checkInvariants(pool: Pool | PoolClient): Promise<string[]> {
  return [
    ...(await checkLedger(pool)),
    ...(await checkCredits(pool)),
    ...(await checkPaidArtifacts(pool)),
    ...(await checkJournalTotal(pool)),
    ...(await proveReceivedMoney(pool)).violations,
  ];
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
    `WITH expected AS (
       SELECT order_number, wallet, amount::bigint AS amount FROM orders WHERE status = 'paid' AND kind = 'bank_transfer'
       UNION ALL
       SELECT o.order_number, l->>'wallet', (l->>'credit')::bigint
         FROM orders o CROSS JOIN LATERAL jsonb_array_elements(o.view->'lines') l
        WHERE o.status = 'paid' AND o.kind = 'online'),
     actual AS (
       SELECT order_number, wallet, count(*)::int AS credits, sum(amount)::bigint AS credited
         FROM journal_entries WHERE kind = 'topup' GROUP BY order_number, wallet)
     SELECT coalesce(e.order_number, a.order_number) AS "orderNumber", o.status, coalesce(e.wallet, a.wallet) AS wallet,
            e.amount AS expected, coalesce(a.credits, 0) AS credits, a.credited
       FROM expected e FULL JOIN actual a ON a.order_number = e.order_number AND a.wallet = e.wallet
       LEFT JOIN orders o ON o.order_number = coalesce(e.order_number, a.order_number)
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
