/**
 * A bank's CSV export, parsed by csv-parse with the columns of a saved mapping (csv-mapping.ts). Rows whose date
 * cell is not a date (the totals and the closing balance BCA appends) end the table.
 */
import { parse } from 'csv-parse/sync';
import type { CsvMapping } from './csv-mapping';
import { StatementFormatError, wholeRupiah, type ParsedLine, type ParsedStatement } from './parsed-statement';

/** YYYY-MM-DD of a date written as the mapping says, or null when the cell is not one. */
function isoDate(cell: string, format: CsvMapping['dateFormat']): string | null {
  const parts = cell.trim().split(/[/-]/);
  if (parts.length !== 3) return null;
  const [a, b, c] = parts as [string, string, string];
  const [y, m, d] = format === 'YYYY-MM-DD' ? [a, b, c] : format === 'MM/DD/YYYY' ? [c, a, b] : [c, b, a];
  if (!/^\d{4}$/.test(y) || !/^\d{1,2}$/.test(m) || !/^\d{1,2}$/.test(d)) return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== iso ? null : iso;
}

function cellOf(row: Record<string, string>, column: string, where: string): string {
  const value = row[column];
  if (value === undefined) throw new StatementFormatError(`${where}: the mapping's column "${column}" is not in the header row`);
  return value.trim();
}

/** The direction and amount of a row, as the mapping's amount columns say. */
function amountOf(row: Record<string, string>, m: CsvMapping, where: string): { direction: 'credit' | 'debit'; amount: number } {
  const a = m.amount;
  if (a.kind === 'split') {
    const credit = cellOf(row, a.creditColumn, where);
    const debit = cellOf(row, a.debitColumn, where);
    if (credit && debit) throw new StatementFormatError(`${where}: both the credit and the debit column hold an amount`);
    if (!credit && !debit) throw new StatementFormatError(`${where}: neither the credit nor the debit column holds an amount`);
    return credit ? { direction: 'credit', amount: wholeRupiah(credit, m.decimalSeparator, where) } : { direction: 'debit', amount: wholeRupiah(debit, m.decimalSeparator, where) };
  }
  const cell = cellOf(row, a.column, where);
  if (a.kind === 'signed') {
    const negative = cell.startsWith('-');
    return { direction: negative ? 'debit' : 'credit', amount: wholeRupiah(cell.replace(/^[-+]/, ''), m.decimalSeparator, where) };
  }
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const suffix = new RegExp(`\\s*(${escape(a.creditSuffix)}|${escape(a.debitSuffix)})$`, 'i').exec(cell);
  if (!suffix) throw new StatementFormatError(`${where}: the amount "${cell}" ends neither in ${a.creditSuffix} nor in ${a.debitSuffix}`);
  const direction = suffix[1]!.toUpperCase() === a.creditSuffix.toUpperCase() ? 'credit' : 'debit';
  return { direction, amount: wholeRupiah(cell.slice(0, suffix.index), m.decimalSeparator, where) };
}

/** A balance cell (it may be negative or suffixed), or null when the mapping names none or the cell is empty. */
function balanceOf(row: Record<string, string>, m: CsvMapping, where: string): number | null {
  if (!m.balanceColumn) return null;
  const cell = cellOf(row, m.balanceColumn, where).replace(/\s*(CR|DB)$/i, '');
  if (!cell) return null;
  const negative = cell.startsWith('-');
  const value = wholeRupiah(cell.replace(/^[-+]/, ''), m.decimalSeparator, `${where} (balance)`);
  return negative ? -value : value;
}

/** Parses a CSV export with `mapping`. */
export function parseCsvStatement(text: string, mapping: CsvMapping): ParsedStatement {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, delimiter: mapping.delimiter, from_line: mapping.skipLines + 1, skip_empty_lines: true, relax_column_count: true, trim: true, bom: true });
  } catch (err) {
    throw new StatementFormatError(`not a CSV the mapping can read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const lines: ParsedLine[] = [];
  for (const row of rows) {
    const where = `row ${lines.length + 1}`;
    const valueDate = isoDate(cellOf(row, mapping.dateColumn, where), mapping.dateFormat);
    if (!valueDate) break;
    const { direction, amount } = amountOf(row, mapping, where);
    lines.push({
      line: lines.length + 1,
      direction,
      amount,
      valueDate,
      text: cellOf(row, mapping.textColumn, where).replace(/\s+/g, ' '),
      bankReference: mapping.referenceColumn ? cellOf(row, mapping.referenceColumn, where) || null : null,
      payer: mapping.payerColumn ? cellOf(row, mapping.payerColumn, where) || null : null,
      balanceAfter: balanceOf(row, mapping, where),
    });
  }
  if (lines.length === 0) throw new StatementFormatError('the CSV holds no transaction the mapping can read (check the date column and format, and the lines before the header)');
  const dates = lines.map((l) => l.valueDate).sort();
  return { format: 'csv', account: mapping.account, currency: 'IDR', from: dates[0]!, to: dates[dates.length - 1]!, lines };
}
