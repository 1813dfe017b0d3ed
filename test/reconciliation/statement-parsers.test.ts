/**
 * The statement parsers on the fixtures as the banks write them (test/fixtures/statements): MT940 through mt940js,
 * BCA's CSV export through csv-parse with a mapping, CAMT.053 through fast-xml-parser; and the refusals that name
 * what is wrong. Pure: no server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ZCsvMapping } from '../../api/reconciliation/statements/csv-mapping';
import { detectFormat, parseStatement } from '../../api/reconciliation/statements/parse-statement';
import { StatementFormatError } from '../../api/reconciliation/statements/parsed-statement';

const read = (name: string) => fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'statements', name), 'utf8').replace(/\{\{(\w+)\}\}/g, '1261126000001');

test('When the MT940 fixture is parsed, then every transaction is a line with its direction, whole rupiah, bank reference, payer and running balance', () => {
  const s = parseStatement(Buffer.from(read('bca-mt940-2026-11-24.sta')), null);
  expect(s).toMatchObject({ format: 'mt940', account: '5260123456', from: '2026-11-23', to: '2026-11-24' });
  expect(s.lines.map((l) => [l.line, l.direction, l.amount, l.bankReference, l.balanceAfter])).toEqual([
    [1, 'credit', 1_000_000, '2411FTSCY95031', 151_000_000],
    [2, 'credit', 250_000, '2411FTSCY95177', 151_250_000],
    [3, 'credit', 450_000, '2411FTSCY95230', 151_700_000],
    [4, 'credit', 750_000, '2411FTSCY95312', 152_450_000],
    [5, 'credit', 2_000_000, '2411FTSCY95467', 154_450_000],
    [6, 'debit', 6_500, '2411ADM000001', 154_443_500],
    [7, 'credit', 1_000_000, '2411FTSCY95588', 155_443_500],
  ]);
  expect(s.lines[0]).toMatchObject({ valueDate: '2026-11-24', text: 'TRSF E-BANKING CR 2411/FTSCY/WS95031 1000000.00 TOPUP 1261126000001 PT MAJU BERSAMA', payer: 'PT MAJU BERSAMA' });
});

test('When the BCA CSV export is parsed with its mapping, then the preamble and the totals are skipped and the CR/DB amounts and balances read', () => {
  const mapping = ZCsvMapping.parse({ account: '5260123456', skipLines: 6, dateColumn: 'Tanggal Transaksi', dateFormat: 'DD/MM/YYYY', textColumn: 'Keterangan', amount: { kind: 'suffixed', column: 'Jumlah' }, balanceColumn: 'Saldo' });
  const s = parseStatement(Buffer.from(read('bca-mutasi-2026-11-25.csv')), mapping);
  expect(s).toMatchObject({ format: 'csv', account: '5260123456', from: '2026-11-25', to: '2026-11-25' });
  expect(s.lines.map((l) => [l.direction, l.amount, l.balanceAfter, l.bankReference])).toEqual([
    ['credit', 300_000, 155_743_500, null],
    ['credit', 300_000, 156_043_500, null],
    ['credit', 95_000, 156_138_500, null],
    ['credit', 120_000, 156_258_500, null],
    ['debit', 2_500, 156_256_000, null],
    ['credit', 175_000, 156_431_000, null],
  ]);
});

test('When the CAMT.053 fixture is parsed, then its entries are lines with the servicer reference, the remittance text and the debtor', () => {
  const text = read('mandiri-camt053-2026-11-26.xml');
  expect(detectFormat(text)).toBe('camt053');
  const s = parseStatement(Buffer.from(text), null);
  expect(s).toMatchObject({ format: 'camt053', account: '1230009876543', from: '2026-11-26', to: '2026-11-26' });
  expect(s.lines).toEqual([
    { line: 1, direction: 'credit', amount: 1_500_000, valueDate: '2026-11-26', text: 'TOPUP 1261126000001 CAHAYA ABADI', bankReference: 'MDR2611260000451', payer: 'PT CAHAYA ABADI', balanceAfter: null },
    { line: 2, direction: 'debit', amount: 7_500, valueDate: '2026-11-26', text: 'BIAYA ADMINISTRASI', bankReference: 'MDR2611260000452', payer: null, balanceAfter: null },
    { line: 3, direction: 'credit', amount: 325_000, valueDate: '2026-11-26', text: 'PEMBAYARAN LANGGANAN NOVEMBER', bankReference: 'MDR2611260000453', payer: 'BUDI SANTOSO', balanceAfter: null },
  ]);
});

test('When a statement is broken, then the refusal says what and where', () => {
  const refusal = (content: string, mapping: unknown = null) => {
    try {
      parseStatement(Buffer.from(content), mapping === null ? null : ZCsvMapping.parse(mapping));
    } catch (err) {
      if (err instanceof StatementFormatError) return err.rule;
      throw err;
    }
    return 'accepted';
  };
  expect(refusal('<Document><Other/></Document>')).toMatch(/not a CAMT\.053 statement/);
  expect(refusal('<Document><unclosed></Document>')).toMatch(/not well-formed XML/);
  expect(refusal('Date,Text,Amount\n2026-11-25,x,1\n')).toMatch(/needs its bank's column mapping/);
  const mapping = { account: '1', dateColumn: 'Date', dateFormat: 'YYYY-MM-DD', textColumn: 'Text', amount: { kind: 'signed', column: 'Amount' } };
  expect(refusal('Date,Text,Amount\n2026-11-25,x,10.50\n', mapping)).toBe('row 1: the amount "10.50" has a fraction of a rupiah (IDR has no minor unit)');
  expect(refusal('Date,Text,Total\n2026-11-25,x,10\n', mapping)).toBe('row 1: the mapping\'s column "Amount" is not in the header row');
  expect(refusal(read('bca-mt940-2026-11-24.sta').replace(':62F:C261124IDR155443500,00', ':62F:C261124IDR155443501,00'))).toMatch(/^not a valid MT940 statement/);
});
