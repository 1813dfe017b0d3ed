/**
 * Issue 19, bank-statement import: a realistic MT940 statement and a CSV export (test/fixtures/statements), each
 * imported twice, and an overlapping MT940 statement: proposals and exceptions exactly as the lines say, finance's
 * bulk confirmation turns each matched order Paid once (its normal approve update, checked "bank statement <file>
 * line <n>"), and importing again adds nothing. Real time-skipping Temporal, worker, PostgreSQL, SMTP sink.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { checkInvariants } from '../../db/ledger/invariants';
import { proveReceivedMoney } from '../../db/reconciliation/money-proof';
import type { StatementView } from '../../db/reconciliation/statements';
import type { OrderView, PaymentExceptionView } from '../../workflows/definitions';
import { bearer, useTestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const api = useTestApi();
let finance: TestUser;
let account: TestAccount;

const http = () => request(api.app);
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'statements');

/** A fixture with its order-number placeholders filled in. */
function fixture(name: string, orders: Record<string, string>): Buffer {
  const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8').replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const n = orders[key];
    if (!n) throw new Error(`no order for placeholder ${key}`);
    return n;
  });
  return Buffer.from(text, 'utf8');
}

async function order(amount: number, state: 'unpaid' | 'dealing' | 'paid'): Promise<string> {
  const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount });
  expect(created.status).toBe(201);
  const n = String(created.body.orderNumber);
  if (state !== 'unpaid') {
    const slip = await http().post(`/v1/orders/${n}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });
    expect(slip.status).toBe(201);
  }
  if (state === 'paid') expect((await http().post(`/v1/orders/${n}/approve`).set(bearer(finance.token)).send({ checkResult: 'slip matches' })).status).toBe(200);
  return n;
}

function upload(content: Buffer, fileName: string, mapping?: string) {
  const req = http().post('/v1/finance/statements').set(bearer(finance.token)).attach('file', content, { filename: fileName, contentType: 'application/octet-stream' });
  return mapping ? req.field('mapping', mapping) : req;
}

async function readOrder(n: string): Promise<OrderView> {
  return (await http().get(`/v1/orders/${n}`).set(bearer(finance.token))).body as OrderView;
}

async function exceptionsFrom(statementId: string): Promise<PaymentExceptionView[]> {
  const res = await http().get('/v1/finance/exceptions?status=all&pageSize=100').set(bearer(finance.token));
  return (res.body.items as PaymentExceptionView[]).filter((e) => e.payment.statement?.statementId === statementId);
}

async function credits(orderNumbers: string[]): Promise<Array<{ orderNumber: string; amount: number }>> {
  const res = await api.t.db.pool.query<{ orderNumber: string; amount: number }>(
    `SELECT order_number AS "orderNumber", amount FROM journal_entries WHERE kind = 'topup' AND order_number = ANY($1) ORDER BY order_number`,
    [orderNumbers],
  );
  return res.rows;
}

const outcomes = (s: StatementView) => s.lines.map((l) => ({ line: l.line, outcome: l.outcome, reason: l.exceptionReason, order: l.orderNumber }));

async function expectMoneyAccountedFor(): Promise<void> {
  const proof = await proveReceivedMoney(api.t.db.pool);
  expect(proof.violations).toEqual([]);
  expect(await eventually(() => checkInvariants(api.t.db.pool), (v) => v.length === 0)).toEqual([]);
}

beforeAll(async () => {
  finance = await createStaffUser(api.t.db.pool, 'finance');
  account = await createTestAccount(api.t.db.pool);
});

test('When the MT940 statement is imported, then exact matches are proposed, the rest are exceptions, and nothing is credited; imported again (or overlapped), nothing is added; confirmed, each order is Paid once', async () => {
  const orders = { EXACT_DEALING: await order(1_000_000, 'dealing'), EXACT_UNPAID: await order(250_000, 'unpaid'), WRONG_AMOUNT: await order(500_000, 'dealing') };
  const file = fixture('bca-mt940-2026-11-24.sta', orders);

  const first = await upload(file, 'bca-mt940-2026-11-24.sta');
  expect(first.status).toBe(201);
  const statement = first.body as StatementView;
  expect(statement).toMatchObject({ format: 'mt940', account: '5260123456', from: '2026-11-23', to: '2026-11-24' });
  expect(outcomes(statement)).toEqual([
    { line: 1, outcome: 'proposed', reason: null, order: orders.EXACT_DEALING },
    { line: 2, outcome: 'proposed', reason: null, order: orders.EXACT_UNPAID },
    { line: 3, outcome: 'exception', reason: 'amount_mismatch', order: orders.WRONG_AMOUNT },
    { line: 4, outcome: 'exception', reason: 'unknown_reference', order: null },
    { line: 5, outcome: 'exception', reason: 'unknown_reference', order: null },
    { line: 6, outcome: 'not_incoming', reason: null, order: null },
    { line: 7, outcome: 'exception', reason: 'duplicate_payment', order: orders.EXACT_DEALING },
  ]);
  const exceptions = await eventually(() => exceptionsFrom(statement.statementId), (e) => e.length === 4 && e.every((x) => x.revision > 0));
  expect(exceptions.map((e) => ({ line: e.payment.statement!.line, reason: e.reason, difference: e.difference, amount: e.payment.amount, status: e.status })).sort((a, b) => a.line - b.line)).toEqual([
    { line: 3, reason: 'amount_mismatch', difference: -50_000, amount: 450_000, status: 'open' },
    { line: 4, reason: 'unknown_reference', difference: null, amount: 750_000, status: 'open' },
    { line: 5, reason: 'unknown_reference', difference: null, amount: 2_000_000, status: 'open' },
    { line: 7, reason: 'duplicate_payment', difference: null, amount: 1_000_000, status: 'open' },
  ]);
  expect(exceptions.find((e) => e.payment.statement!.line === 4)!.payment.payer).toBe('PT ABADI SENTOSA');
  expect(await credits(Object.values(orders))).toEqual([]);

  // The same file again: the same statement, nothing new.
  const again = await upload(file, 'bca-mt940-2026-11-24.sta');
  expect(again.status).toBe(200);
  expect(outcomes(again.body as StatementView)).toEqual(outcomes(statement));
  // An overlapping statement: its two lines already seen are recorded as such; its new cash deposit is an exception.
  const overlap = await upload(fixture('bca-mt940-2026-11-24-25.sta', orders), 'bca-mt940-2026-11-24-25.sta');
  expect(overlap.status).toBe(201);
  expect(outcomes(overlap.body as StatementView)).toEqual([
    { line: 1, outcome: 'already_imported', reason: null, order: null },
    { line: 2, outcome: 'already_imported', reason: null, order: null },
    { line: 3, outcome: 'exception', reason: 'unknown_reference', order: null },
  ]);
  expect(await exceptionsFrom(statement.statementId)).toHaveLength(4);
  const received = await api.t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM received_payments WHERE source = 'bank_statement'`);
  // Six incoming lines of the first file and the overlap's one new line.
  expect(received.rows[0]!.n).toBe(7);

  // Finance confirms the proposals in bulk: each order's approve update, Paid once, checked against the line.
  const confirmed = await http().post(`/v1/finance/statements/${statement.statementId}/confirm`).set(bearer(finance.token)).send({});
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.results).toEqual([
    { line: 1, orderNumber: orders.EXACT_DEALING, outcome: 'confirmed', reason: null, message: null },
    { line: 2, orderNumber: orders.EXACT_UNPAID, outcome: 'confirmed', reason: null, message: null },
  ]);
  for (const [n, line] of [[orders.EXACT_DEALING, 1], [orders.EXACT_UNPAID, 2]] as const) {
    const paid = await readOrder(n);
    expect(paid).toMatchObject({ status: 'paid', checkResult: `bank statement bca-mt940-2026-11-24.sta line ${line}`, payments: [{ paymentId: statement.lines[line - 1]!.paymentId, exceptionId: null }] });
  }
  const log = await http().get(`/v1/operation-log?orderNumber=${orders.EXACT_UNPAID}`).set(bearer(finance.token));
  expect(log.body.items.filter((e: { action: string }) => e.action === 'order.approve')).toEqual([expect.objectContaining({ actor: expect.objectContaining({ username: finance.username }) })]);
  const twice = await http().post(`/v1/finance/statements/${statement.statementId}/confirm`).set(bearer(finance.token)).send({});
  expect(twice.body.results).toEqual([]);
  expect(await credits(Object.values(orders))).toEqual(
    [
      { orderNumber: orders.EXACT_DEALING, amount: 1_000_000 },
      { orderNumber: orders.EXACT_UNPAID, amount: 250_000 },
    ].sort((a, b) => a.orderNumber.localeCompare(b.orderNumber)),
  );
  expect((await readOrder(orders.WRONG_AMOUNT)).status).toBe('dealing');
  const after = (await http().get(`/v1/finance/statements/${statement.statementId}`).set(bearer(finance.token))).body as StatementView;
  expect(after.counts).toEqual({ proposed: 0, confirmed: 2, reconciled: 0, exception: 4, already_imported: 0, not_incoming: 1 });
  await expectMoneyAccountedFor();
});

test('When the CSV export is imported with its saved mapping, then the two identical transfers stay two, a short payment and an unknown one are exceptions, a slip-paid order is reconciled; imported again nothing is added; confirmed, the order is Paid once', async () => {
  const mapping = {
    account: '5260123456',
    skipLines: 6,
    dateColumn: 'Tanggal Transaksi',
    dateFormat: 'DD/MM/YYYY',
    textColumn: 'Keterangan',
    amount: { kind: 'suffixed', column: 'Jumlah' },
    balanceColumn: 'Saldo',
  };
  const bad = await http().post('/v1/finance/csv-mappings').set(bearer(finance.token)).send({ name: 'bca-mutasi', mapping: { ...mapping, dateFormat: 'D.M.Y' } });
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields[0]).toMatchObject({ path: 'mapping.dateFormat' });
  const saved = await http().post('/v1/finance/csv-mappings').set(bearer(finance.token)).send({ name: 'bca-mutasi', mapping });
  expect(saved.status).toBe(200);
  const orders = { CSV_EXACT: await order(300_000, 'unpaid'), CSV_SHORT: await order(100_000, 'dealing'), CSV_PAID_BY_SLIP: await order(175_000, 'paid') };
  const file = fixture('bca-mutasi-2026-11-25.csv', orders);

  const withoutMapping = await upload(file, 'mutasi.csv');
  expect({ status: withoutMapping.status, field: withoutMapping.body.error.fields[0].path }).toEqual({ status: 400, field: 'file' });
  const first = await upload(file, 'bca-mutasi-2026-11-25.csv', 'bca-mutasi');
  expect(first.status).toBe(201);
  const statement = first.body as StatementView;
  expect(outcomes(statement)).toEqual([
    { line: 1, outcome: 'proposed', reason: null, order: orders.CSV_EXACT },
    { line: 2, outcome: 'exception', reason: 'duplicate_payment', order: orders.CSV_EXACT },
    { line: 3, outcome: 'exception', reason: 'amount_mismatch', order: orders.CSV_SHORT },
    { line: 4, outcome: 'exception', reason: 'unknown_reference', order: null },
    { line: 5, outcome: 'not_incoming', reason: null, order: null },
    { line: 6, outcome: 'reconciled', reason: null, order: orders.CSV_PAID_BY_SLIP },
  ]);
  expect(new Set(statement.lines.map((l) => l.paymentId)).size).toBe(6);
  const exceptions = await eventually(() => exceptionsFrom(statement.statementId), (e) => e.length === 3);
  expect(exceptions.find((e) => e.reason === 'amount_mismatch')).toMatchObject({ difference: -5_000, payment: { amount: 95_000 } });

  const again = await upload(file, 'bca-mutasi-2026-11-25.csv', 'bca-mutasi');
  expect(again.status).toBe(200);
  expect(outcomes(again.body as StatementView)).toEqual(outcomes(statement));
  expect(await exceptionsFrom(statement.statementId)).toHaveLength(3);

  const confirmed = await http().post(`/v1/finance/statements/${statement.statementId}/confirm`).set(bearer(finance.token)).send({ lines: [1] });
  expect(confirmed.body.results).toEqual([{ line: 1, orderNumber: orders.CSV_EXACT, outcome: 'confirmed', reason: null, message: null }]);
  expect(await readOrder(orders.CSV_EXACT)).toMatchObject({ status: 'paid', checkResult: 'bank statement bca-mutasi-2026-11-25.csv line 1' });
  expect(await credits([orders.CSV_EXACT, orders.CSV_PAID_BY_SLIP, orders.CSV_SHORT])).toEqual(
    [
      { orderNumber: orders.CSV_EXACT, amount: 300_000 },
      { orderNumber: orders.CSV_PAID_BY_SLIP, amount: 175_000 },
    ].sort((a, b) => a.orderNumber.localeCompare(b.orderNumber)),
  );
  await expectMoneyAccountedFor();
});

test('When a proposed order is deleted before finance confirms, then its line becomes an order_not_payable exception and nothing is credited', async () => {
  const n = await order(640_000, 'unpaid');
  const text = `:20:BCA261126STM01\n:25:5260123456\n:28C:00333/1\n:60F:C261125IDR10000000,00\n:61:2611261126C640000,00NTRFNONREF//2611FTSCY97001\n:86:TRSF E-BANKING CR TOPUP ${n}\nPT SURYA\n:62F:C261126IDR10640000,00\n-\n`;
  const imported = (await upload(Buffer.from(text), 'bca-mt940-2026-11-26.sta')).body as StatementView;
  expect(outcomes(imported)).toEqual([{ line: 1, outcome: 'proposed', reason: null, order: n }]);
  expect((await http().delete(`/v1/orders/${n}`).set(bearer(account.ownerToken))).status).toBe(200);
  const confirmed = await http().post(`/v1/finance/statements/${imported.statementId}/confirm`).set(bearer(finance.token)).send({});
  expect(confirmed.body.results).toEqual([{ line: 1, orderNumber: n, outcome: 'exception', reason: 'order_not_payable', message: expect.stringContaining('Deleted') }]);
  expect(await eventually(() => exceptionsFrom(imported.statementId), (e) => e.length === 1 && e[0]!.revision > 0)).toEqual([expect.objectContaining({ reason: 'order_not_payable', status: 'open' })]);
  expect(await credits([n])).toEqual([]);
  await expectMoneyAccountedFor();
});

test('When a statement cannot be read, then the refusal names the file and the rule, and nothing is recorded', async () => {
  const before = await api.t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bank_statements');
  const unbalanced = `:20:X\n:25:5260123456\n:28C:1/1\n:60F:C261125IDR100,00\n:61:2611261126C50,00NTRFNONREF//R1\n:86:X\n:62F:C261126IDR999,00\n-\n`;
  const fraction = `:20:X\n:25:5260123456\n:28C:1/1\n:60F:C261125IDR100,00\n:61:2611261126C50,50NTRFNONREF//R1\n:86:X\n:62F:C261126IDR150,50\n-\n`;
  for (const body of [unbalanced, fraction]) {
    const res = await upload(Buffer.from(body), 'broken.sta');
    expect(res.status).toBe(400);
    expect(res.body.error.fields[0].path).toBe('file');
  }
  const missing = await http().post('/v1/finance/statements').set(bearer(finance.token)).send({});
  expect(missing.status).toBe(400);
  const after = await api.t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM bank_statements');
  expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
});
