/**
 * Bank statements (db/migrations/031): an import records the file, each of its lines, a received payment for each
 * incoming line it sees first, the match of that line (statement-matching.ts) with the order it claims, and the
 * exceptions of the lines that match nothing, all in one transaction. The same file again, or a line another
 * statement had already, adds nothing: the file is keyed by its SHA-256, a line by its bank reference, or by account,
 * date, amount, text and the balance after it.
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '../transaction';
import { recordReceivedPayment } from './received-payments';
import { writeExceptionRow } from './exceptions';
import {
  matchStatementLine,
  newExceptionView,
  orderNumbersIn,
  type AnyOrderView,
  type ExceptionReason,
  type IncomingPayment,
  type LineMatch,
  type PaymentExceptionInput,
  type PaymentExceptionView,
  type TopupPolicy,
} from '../../workflows/definitions';

/** A statement line as the parser gave it (api/reconciliation/statements/parsed-statement.ts). */
export interface StatementLineInput {
  line: number;
  direction: 'credit' | 'debit';
  amount: number;
  valueDate: string;
  text: string;
  bankReference: string | null;
  payer: string | null;
  balanceAfter: number | null;
}

/** What an import records. */
export interface StatementImport {
  fileName: string;
  content: Buffer;
  format: 'mt940' | 'csv' | 'camt053';
  account: string;
  from: string | null;
  to: string | null;
  mapping: string | null;
  lines: StatementLineInput[];
  importedBy: string;
  policy: TopupPolicy;
}

/** Each line's outcome. */
export type LineOutcome = 'proposed' | 'confirmed' | 'reconciled' | 'exception' | 'already_imported' | 'not_incoming';

/** A statement line as finance reads it. */
export interface StatementLineView {
  line: number;
  direction: 'credit' | 'debit';
  amount: number;
  valueDate: string;
  text: string;
  bankReference: string | null;
  payer: string | null;
  outcome: LineOutcome;
  paymentId: string | null;
  orderNumber: string | null;
  exceptionReason: ExceptionReason | null;
  note: string | null;
}

/** A statement with its lines' outcomes. */
export interface StatementView {
  statementId: string;
  fileName: string;
  format: 'mt940' | 'csv' | 'camt053';
  account: string;
  from: string | null;
  to: string | null;
  mapping: string | null;
  importedBy: string;
  importedAt: string;
  counts: Record<LineOutcome, number>;
  lines: StatementLineView[];
}

/** The key of a line; `occurrence` tells apart identical lines of one file that carry neither reference nor balance. */
export function statementLineKey(account: string, line: StatementLineInput, occurrence: number): string {
  if (line.bankReference) return `ref|${account}|${line.bankReference}`;
  const signed = line.direction === 'credit' ? line.amount : -line.amount;
  const base = `line|${account}|${line.valueDate}|${signed}|${line.text.toLowerCase().replace(/\s+/g, ' ').trim()}`;
  return line.balanceAfter === null ? `${base}|#${occurrence}` : `${base}|${line.balanceAfter}`;
}

/** The received payment id of a line's key. */
export function bankPaymentId(key: string): string {
  return `bank_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** The statement id of a file: the same bytes, the same statement. */
export function statementIdOf(sha256: string): string {
  return `stm_${sha256.slice(0, 20)}`;
}

/** The first order of ours the text names, with its account, or null. */
async function namedOrder(db: PoolClient, text: string): Promise<{ view: AnyOrderView; accountId: string } | null> {
  const numbers = orderNumbersIn(text);
  if (numbers.length === 0) return null;
  const res = await db.query<{ orderNumber: string; view: AnyOrderView; accountId: string }>(
    'SELECT order_number AS "orderNumber", view, account_id AS "accountId" FROM orders WHERE order_number = ANY($1)',
    [numbers],
  );
  const found = numbers.map((n) => res.rows.find((r) => r.orderNumber === n)).find((r) => r !== undefined);
  return found ? { view: found.view, accountId: found.accountId } : null;
}

/** Claims the order for the payment; false when another payment holds it. */
async function claimOrder(db: PoolClient, orderNumber: string, paymentId: string): Promise<boolean> {
  const res = await db.query('INSERT INTO order_claims (order_number, payment_id) VALUES ($1, $2) ON CONFLICT (order_number) DO NOTHING', [orderNumber, paymentId]);
  return res.rowCount === 1;
}

/** Matches an incoming line, claiming its order when it proposes or reconciles. */
async function matchLine(db: PoolClient, line: StatementLineInput, paymentId: string): Promise<LineMatch> {
  const order = await namedOrder(db, line.text);
  const match = matchStatementLine(line, order, false);
  if ((match.outcome === 'proposed' || match.outcome === 'reconciled') && !(await claimOrder(db, match.orderNumber, paymentId))) {
    return matchStatementLine(line, order, true);
  }
  return match;
}

function incomingPayment(paymentId: string, statementId: string, input: StatementImport, line: StatementLineInput): IncomingPayment {
  return {
    paymentId,
    source: 'bank_statement',
    amount: line.amount,
    currency: 'IDR',
    // The value date, as the day in Jakarta where the provider banks.
    receivedAt: new Date(`${line.valueDate}T00:00:00+07:00`).toISOString(),
    reference: line.text.slice(0, 500),
    orderNumber: orderNumbersIn(line.text)[0] ?? null,
    providerRef: null,
    method: 'bank_transfer',
    statement: { statementId, fileName: input.fileName, line: line.line },
    payer: line.payer,
  };
}

/** The exception input of a line that matched nothing. */
export function lineExceptionInput(payment: IncomingPayment, match: Extract<LineMatch, { outcome: 'exception' }>, openedBy: string, policy: TopupPolicy): PaymentExceptionInput {
  return {
    payment,
    reason: match.reason,
    difference: match.difference,
    suggestion: { orderNumber: match.orderNumber, accountId: match.accountId, wallet: match.wallet },
    openedBy,
    note: `bank statement ${payment.statement?.fileName ?? ''} line ${payment.statement?.line ?? ''}: ${match.note}`,
    policy,
  };
}

async function insertLine(db: PoolClient, statementId: string, key: string, line: StatementLineInput, row: { firstSeen: boolean; paymentId: string | null; outcome: LineOutcome; orderNumber: string | null; reason: ExceptionReason | null; note: string | null }): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO statement_lines (statement_id, line, line_key, first_seen, direction, amount, value_date, text, bank_reference, payer, balance_after,
                                  payment_id, outcome, order_number, exception_reason, note)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (line_key) WHERE first_seen DO NOTHING`,
    [statementId, line.line, key, row.firstSeen, line.direction, line.amount, line.valueDate, line.text, line.bankReference, line.payer, line.balanceAfter, row.paymentId, row.outcome, row.orderNumber, row.reason, row.note],
  );
  return res.rowCount === 1;
}

/** Records one line of a new statement; answers the exception it opens, if any. */
async function importLine(db: PoolClient, statementId: string, input: StatementImport, line: StatementLineInput, key: string): Promise<PaymentExceptionInput | null> {
  const seenBefore = { firstSeen: false, paymentId: null, outcome: 'already_imported' as const, orderNumber: null, reason: null, note: null };
  if (line.direction === 'debit') {
    const first = await insertLine(db, statementId, key, line, { firstSeen: true, paymentId: null, outcome: 'not_incoming', orderNumber: null, reason: null, note: 'money out' });
    if (!first) await insertLine(db, statementId, key, line, seenBefore);
    return null;
  }
  const paymentId = bankPaymentId(key);
  const payment = incomingPayment(paymentId, statementId, input, line);
  if ((await recordReceivedPayment(db, payment)) === 'duplicate') {
    await insertLine(db, statementId, key, line, seenBefore);
    return null;
  }
  const match = await matchLine(db, line, paymentId);
  if (match.outcome === 'exception') {
    await insertLine(db, statementId, key, line, { firstSeen: true, paymentId, outcome: 'exception', orderNumber: match.orderNumber, reason: match.reason, note: match.note });
    const exception = lineExceptionInput(payment, match, input.importedBy, input.policy);
    await writeExceptionRow(db, newExceptionView(exception, new Date().toISOString()));
    return exception;
  }
  const orderNumber = match.outcome === 'not_incoming' ? null : match.orderNumber;
  const note = match.outcome === 'reconciled' ? 'the order was paid by its slip for this amount' : null;
  await insertLine(db, statementId, key, line, { firstSeen: true, paymentId, outcome: match.outcome, orderNumber, reason: null, note });
  return null;
}

/**
 * Imports a statement: new, or the same file again (nothing is added then). Answers its id, whether this call
 * created it, and the exceptions of its lines (whose workflows the caller starts; starting one again is a no-op).
 */
export async function importStatement(pool: Pool, input: StatementImport): Promise<{ statementId: string; created: boolean; exceptions: PaymentExceptionInput[] }> {
  const sha256 = createHash('sha256').update(input.content).digest('hex');
  const statementId = statementIdOf(sha256);
  return inTransaction(pool, async (db) => {
    const inserted = await db.query(
      `INSERT INTO bank_statements (id, sha256, file_name, format, account, period_from, period_to, mapping, imported_by, content)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (sha256) DO NOTHING`,
      [statementId, sha256, input.fileName, input.format, input.account, input.from, input.to, input.mapping, input.importedBy, input.content],
    );
    if (inserted.rowCount === 0) return { statementId, created: false, exceptions: await statementExceptions(db, statementId, input.policy) };
    const occurrences = new Map<string, number>();
    const exceptions: PaymentExceptionInput[] = [];
    for (const line of input.lines) {
      const base = statementLineKey(input.account, line, 0);
      const occurrence = (occurrences.get(base) ?? 0) + 1;
      occurrences.set(base, occurrence);
      const opened = await importLine(db, statementId, input, line, statementLineKey(input.account, line, occurrence));
      if (opened) exceptions.push(opened);
    }
    return { statementId, created: true, exceptions };
  });
}

/** The exceptions a statement's lines opened, as their workflows' inputs (to start those not started yet). */
export async function statementExceptions(db: Pool | PoolClient, statementId: string, policy: TopupPolicy): Promise<PaymentExceptionInput[]> {
  const res = await db.query<{ view: PaymentExceptionView }>(
    `SELECT e.view FROM statement_lines l JOIN payment_exceptions e ON e.id = l.payment_id WHERE l.statement_id = $1 ORDER BY l.line`,
    [statementId],
  );
  return res.rows.map(({ view }) => ({
    payment: view.payment,
    reason: view.reason,
    difference: view.difference,
    suggestion: view.suggestion,
    openedBy: view.history[0]?.by ?? 'rule',
    note: view.history[0]?.note ?? null,
    policy,
  }));
}

const LINE_COLUMNS = `line, direction, amount, to_char(value_date, 'YYYY-MM-DD') AS "valueDate", text, bank_reference AS "bankReference", payer, outcome,
  payment_id AS "paymentId", order_number AS "orderNumber", exception_reason AS "exceptionReason", note`;

const OUTCOMES: LineOutcome[] = ['proposed', 'confirmed', 'reconciled', 'exception', 'already_imported', 'not_incoming'];

/** A statement with its lines, or null. */
export async function findStatement(db: Pool | PoolClient, statementId: string): Promise<StatementView | null> {
  const [statement, lines] = await Promise.all([
    db.query<Omit<StatementView, 'counts' | 'lines'>>(
      `SELECT s.id AS "statementId", s.file_name AS "fileName", s.format, s.account, to_char(s.period_from, 'YYYY-MM-DD') AS "from",
              to_char(s.period_to, 'YYYY-MM-DD') AS "to", s.mapping, u.username AS "importedBy", s.imported_at AS "importedAt"
         FROM bank_statements s JOIN users u ON u.id = s.imported_by WHERE s.id = $1`,
      [statementId],
    ),
    db.query<StatementLineView>(`SELECT ${LINE_COLUMNS} FROM statement_lines WHERE statement_id = $1 ORDER BY line`, [statementId]),
  ]);
  const row = statement.rows[0];
  if (!row) return null;
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, lines.rows.filter((l) => l.outcome === o).length])) as Record<LineOutcome, number>;
  return { ...row, importedAt: new Date(row.importedAt).toISOString(), counts, lines: lines.rows };
}

/** The statements, newest import first, with their counts. */
export async function listStatements(pool: Pool, page: number, pageSize: number): Promise<{ items: Array<Omit<StatementView, 'lines'>>; total: number }> {
  const [rows, total] = await Promise.all([
    pool.query<{ statementId: string }>('SELECT id AS "statementId" FROM bank_statements ORDER BY imported_at DESC, id LIMIT $1 OFFSET $2', [pageSize, (page - 1) * pageSize]),
    pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bank_statements'),
  ]);
  const items = await Promise.all(rows.rows.map(async ({ statementId }) => {
    const { lines: _lines, ...rest } = (await findStatement(pool, statementId))!;
    return rest;
  }));
  return { items, total: total.rows[0]?.n ?? 0 };
}

/** A proposed line to confirm, with what its payment is. */
export interface ProposedLine {
  line: number;
  paymentId: string;
  orderNumber: string;
  amount: number;
  fileName: string;
}

/** The statement's proposed lines (all, or those asked for). */
export async function proposedLines(pool: Pool, statementId: string, lines: number[] | null): Promise<ProposedLine[]> {
  const res = await pool.query<ProposedLine>(
    `SELECT l.line, l.payment_id AS "paymentId", l.order_number AS "orderNumber", l.amount, s.file_name AS "fileName"
       FROM statement_lines l JOIN bank_statements s ON s.id = l.statement_id
      WHERE l.statement_id = $1 AND l.outcome = 'proposed' AND ($2::int[] IS NULL OR l.line = ANY($2)) ORDER BY l.line`,
    [statementId, lines],
  );
  return res.rows;
}

/** A proposal finance confirmed (the order took the payment), or one the order's slip had paid (reconciled). */
export async function settleProposal(pool: Pool, statementId: string, line: number, outcome: 'confirmed' | 'reconciled', by: string, note: string | null): Promise<void> {
  await pool.query(
    `UPDATE statement_lines SET outcome = $3, decided_by = $4, decided_at = now(), note = coalesce($5, note)
      WHERE statement_id = $1 AND line = $2 AND outcome = 'proposed'`,
    [statementId, line, outcome, by, note],
  );
}

/**
 * A proposal whose order refused it (paid otherwise, closed meanwhile): the line becomes an exception, its claim is
 * let go, the exception is recorded; answers false when the line was decided already (nothing changes then).
 */
export async function proposalToException(pool: Pool, statementId: string, line: number, exception: PaymentExceptionInput, by: string): Promise<boolean> {
  return inTransaction(pool, async (db) => {
    const res = await db.query(
      `UPDATE statement_lines SET outcome = 'exception', exception_reason = $3, note = $4, decided_by = $5, decided_at = now()
        WHERE statement_id = $1 AND line = $2 AND outcome = 'proposed' RETURNING payment_id`,
      [statementId, line, exception.reason, exception.note, by],
    );
    if (res.rowCount !== 1) return false;
    await db.query('DELETE FROM order_claims WHERE payment_id = $1', [exception.payment.paymentId]);
    await writeExceptionRow(db, newExceptionView(exception, new Date().toISOString()));
    return true;
  });
}

/** The received payment of a line, as recorded. */
export async function linePayment(pool: Pool, paymentId: string): Promise<IncomingPayment | null> {
  const res = await pool.query<{ payment: IncomingPayment }>('SELECT payment FROM received_payments WHERE id = $1', [paymentId]);
  return res.rows[0]?.payment ?? null;
}

/** A saved CSV column mapping. */
export interface SavedCsvMapping {
  name: string;
  mapping: unknown;
  savedBy: string;
  savedAt: string;
}

/** Saves (or replaces) a mapping under its name. */
export async function saveCsvMapping(pool: Pool, name: string, mapping: unknown, by: string): Promise<void> {
  await pool.query(
    `INSERT INTO csv_mappings (name, mapping, saved_by) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET mapping = EXCLUDED.mapping, saved_by = EXCLUDED.saved_by, saved_at = now()`,
    [name, JSON.stringify(mapping), by],
  );
}

/** A mapping by name, or null. */
export async function findCsvMapping(pool: Pool, name: string): Promise<unknown> {
  const res = await pool.query<{ mapping: unknown }>('SELECT mapping FROM csv_mappings WHERE name = $1', [name]);
  return res.rows[0]?.mapping ?? null;
}

/** Every saved mapping, by name. */
export async function listCsvMappings(pool: Pool): Promise<SavedCsvMapping[]> {
  const res = await pool.query<SavedCsvMapping>(`SELECT m.name, m.mapping, u.username AS "savedBy", m.saved_at AS "savedAt" FROM csv_mappings m JOIN users u ON u.id = m.saved_by ORDER BY m.name`);
  return res.rows.map((r) => ({ ...r, savedAt: new Date(r.savedAt).toISOString() }));
}
