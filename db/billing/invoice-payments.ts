/**
 * Money paid for a subscription invoice (issue 21): by the deposit when it covers the invoice, or by an order that
 * settles it (a bank transfer finance approved, an online payment the gateway called back). Each runs in one
 * transaction that locks the invoice row first, so the two never both pay one invoice, and an order's money is never
 * left in the deposit beyond its rules:
 * - the part that pays the invoice goes through the deposit and out again in the same transaction;
 * - what is left (the invoice was paid already or voided) stays in the deposit only as a top-up the deposit's rules
 *   allow (35,000–250,000 by default); otherwise it is held for finance (`invoice_payments.held`), logged, and
 *   shown on the order: never pushed into the deposit silently.
 */
import type { Pool, PoolClient } from 'pg';
import type { InvoiceOrderCredit, InvoiceOrderPayment, InvoicePaymentOutcome } from '../../workflows/definitions';
import { recordOperation } from '../accounts/operation-log';
import { creditTopup, recordUsage } from '../ledger/ledger';
import { InsufficientBalanceError } from '../ledger/ledger-errors';
import { inTransaction } from '../transaction';

const CHARGE_KEY = (invoiceId: string) => `invoice:${invoiceId}:deposit`;

/** Locks the invoice row (every payment of it queues here); its status and amount. */
async function lockInvoice(client: PoolClient, id: string): Promise<{ status: 'unpaid' | 'paid' | 'void'; amount: number; accountId: string }> {
  const res = await client.query<{ status: 'unpaid' | 'paid' | 'void'; amount: number; account_id: string }>('SELECT status, amount, account_id FROM invoices WHERE id = $1 FOR UPDATE', [id]);
  const row = res.rows[0];
  if (!row) throw new Error(`invoice ${id} does not exist`);
  return { status: row.status, amount: row.amount, accountId: row.account_id };
}

/** Charges the deposit for the invoice (key `invoice:<id>:deposit`) and marks it paid by that charge. */
async function chargeInvoice(client: PoolClient, id: string, accountId: string, amount: number): Promise<string> {
  const { entryId } = await recordUsage(client, { accountId, wallet: 'deposit', amount, idempotencyKey: CHARGE_KEY(id), allowNegative: false, memo: `invoice ${id}` });
  await client.query(`UPDATE invoices SET status = 'paid', paid_at = now(), ledger_entry_id = $2 WHERE id = $1 AND status = 'unpaid'`, [id, entryId]);
  return entryId;
}

/** The deposit pays the invoice when it covers it; `insufficient` (nothing changed) when it does not. */
export async function payInvoiceFromDeposit(pool: Pool, id: string): Promise<'paid' | 'already-paid' | 'insufficient'> {
  try {
    return await inTransaction(pool, async (client) => {
      const invoice = await lockInvoice(client, id);
      if (invoice.status === 'paid') return 'already-paid';
      if (invoice.status === 'void') throw new Error(`invoice ${id} is void: its service was stopped`);
      await chargeInvoice(client, id, invoice.accountId, invoice.amount);
      return 'paid';
    });
  } catch (err) {
    if (err instanceof InsufficientBalanceError) return 'insufficient';
    throw err;
  }
}

interface InvoicePaymentRow {
  invoice_id: string;
  paid_invoice: number;
  deposited: number;
  held: number;
  held_reason: string | null;
}

const outcomeOf = (r: InvoicePaymentRow): InvoicePaymentOutcome => ({ invoiceId: r.invoice_id, paidInvoice: r.paid_invoice, deposited: r.deposited, held: r.held, heldReason: r.held_reason });

/** Why `rest` of the order's money cannot stay in the deposit, or null when it may (a top-up the deposit's rules allow). */
function holdReason(p: InvoiceOrderPayment, invoice: { status: string }, rest: number): string | null {
  if (rest === 0 || (rest >= p.depositMin && rest <= p.depositMax)) return null;
  const why = invoice.status === 'unpaid' ? `it is ${rest} more than invoice ${p.invoiceId}` : `invoice ${p.invoiceId} is ${invoice.status === 'void' ? 'void (its service was stopped)' : 'paid already'}`;
  return `${why}, and a deposit top-up must be between ${p.depositMin} and ${p.depositMax}: held for finance`;
}

/**
 * Applies an order's payment toward its invoice, once: pays the invoice when it is still unpaid and the money covers
 * it, keeps the rest in the deposit when the deposit's rules allow that top-up, and holds it for finance otherwise.
 * A retry (the activity ran again after a crash) answers what the first did.
 */
export async function payInvoiceWithOrder(pool: Pool, p: InvoiceOrderPayment): Promise<InvoiceOrderCredit> {
  return inTransaction(pool, async (client) => {
    const done = await client.query<InvoicePaymentRow & { topup_entry_id: string | null; invoice_entry_id: string | null }>('SELECT * FROM invoice_payments WHERE order_number = $1', [p.orderNumber]);
    const earlier = done.rows[0];
    if (earlier) return { outcome: outcomeOf(earlier), ...(await creditOf(client, p, earlier.topup_entry_id, earlier.invoice_entry_id)) };
    const invoice = await lockInvoice(client, p.invoiceId);
    if (invoice.accountId !== p.accountId) throw new Error(`invoice ${p.invoiceId} is not an invoice of account ${p.accountId}`);
    const paidInvoice = invoice.status === 'unpaid' && p.amount >= invoice.amount ? invoice.amount : 0;
    const rest = p.amount - paidInvoice;
    const heldReason = holdReason(p, invoice, rest);
    const held = heldReason ? rest : 0;
    const deposited = rest - held;
    let topupEntryId: string | null = null;
    let invoiceEntryId: string | null = null;
    if (paidInvoice + deposited > 0) {
      const topup = await creditTopup(client, { orderNumber: p.orderNumber, accountId: p.accountId, wallet: 'deposit', amount: paidInvoice + deposited, perWalletKey: p.perWalletKey });
      topupEntryId = topup.entryId;
      if (paidInvoice > 0) invoiceEntryId = await chargeInvoice(client, p.invoiceId, p.accountId, invoice.amount);
    }
    await client.query(
      `INSERT INTO invoice_payments (order_number, invoice_id, account_id, amount, paid_invoice, deposited, held, held_reason, topup_entry_id, invoice_entry_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [p.orderNumber, p.invoiceId, p.accountId, p.amount, paidInvoice, deposited, held, heldReason, topupEntryId, invoiceEntryId],
    );
    if (held > 0) {
      await recordOperation(client, {
        accountId: p.accountId,
        actorId: null,
        action: 'order.payment_held',
        orderNumber: p.orderNumber,
        details: { invoiceId: p.invoiceId, held, reason: heldReason },
        onceKey: `payment-held:${p.orderNumber}`,
      });
    }
    return { outcome: { invoiceId: p.invoiceId, paidInvoice, deposited, held, heldReason }, ...(await creditOf(client, p, topupEntryId, invoiceEntryId)) };
  });
}

/** What the deposit's top-up settled and added (0 without one), and the deposit's balance once the payment was applied. */
async function creditOf(client: PoolClient, p: InvoiceOrderPayment, topupEntryId: string | null, invoiceEntryId: string | null): Promise<Omit<InvoiceOrderCredit, 'outcome'>> {
  const parts = await client.query<{ settled: number; added: number }>(
    `SELECT coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:unbilled'), 0)::bigint AS settled,
            coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:recharge'), 0)::bigint AS added
       FROM postings WHERE entry_id = $1`,
    [topupEntryId],
  );
  const last = invoiceEntryId ?? topupEntryId;
  const balance = last
    ? await client.query<{ balance: number }>('SELECT recharge_after + gift_after - unbilled_after AS balance FROM journal_entries WHERE id = $1', [last])
    : await client.query<{ balance: number }>(`SELECT recharge + gift - unbilled AS balance FROM wallets WHERE account_id = $1 AND wallet = 'deposit'`, [p.accountId]);
  return { settled: Number(parts.rows[0]?.settled ?? 0), added: Number(parts.rows[0]?.added ?? 0), balanceAfter: Number(balance.rows[0]?.balance ?? 0) };
}

/** Payments held for finance (what neither an invoice nor the deposit could take), newest first. */
export interface HeldPayment {
  orderNumber: string;
  accountId: string;
  companyName: string;
  invoiceId: string;
  amount: number;
  held: number;
  reason: string;
  createdAt: Date;
}

/** The held payments of one account, or every account's. */
export async function listHeldPayments(pool: Pool, accountId: string | undefined): Promise<HeldPayment[]> {
  const res = await pool.query<HeldPayment>(
    `SELECT p.order_number AS "orderNumber", p.account_id AS "accountId", a.company_name AS "companyName", p.invoice_id AS "invoiceId", p.amount, p.held,
            p.held_reason AS reason, p.created_at AS "createdAt"
       FROM invoice_payments p JOIN accounts a ON a.id = p.account_id
      WHERE p.held > 0 AND ($1::text IS NULL OR p.account_id = $1) ORDER BY p.created_at DESC, p.order_number`,
    [accountId ?? null],
  );
  return res.rows;
}

