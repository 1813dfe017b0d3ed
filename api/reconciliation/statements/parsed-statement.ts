/** A bank statement as the parsers read it, whatever its format (MT940, CSV with a mapping, CAMT.053). */

/** The formats a statement comes in. */
export const STATEMENT_FORMATS = ['mt940', 'csv', 'camt053'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

/** One transaction of the statement. */
export interface ParsedLine {
  /** 1-based position of the transaction in the file. */
  line: number;
  /** Money in (a customer's transfer) or out (fees, refunds). */
  direction: 'credit' | 'debit';
  /** IDR, whole rupiah. */
  amount: number;
  /** YYYY-MM-DD. */
  valueDate: string;
  /** The remittance text: where the payer wrote the order number. */
  text: string;
  /** The bank's own reference of the transaction, when it gives one. */
  bankReference: string | null;
  /** Who sent the money, when the statement says. */
  payer: string | null;
  /** The account's balance right after the transaction, when known (given, or computed from the opening balance). */
  balanceAfter: number | null;
}

/** A parsed statement. */
export interface ParsedStatement {
  format: StatementFormat;
  /** The provider's bank account the statement is of. */
  account: string;
  currency: 'IDR';
  from: string | null;
  to: string | null;
  lines: ParsedLine[];
}

/** A statement that cannot be read: which part broke which rule (answered 400 naming the field `file`). */
export class StatementFormatError extends Error {
  constructor(readonly rule: string) {
    super(rule);
  }
}

/**
 * Whole rupiah from a decimal amount: IDR has no minor unit, so a fraction other than zero is refused naming the
 * line. `text` is the amount as written, with `decimal` as its decimal separator (thousands separators are dropped).
 */
export function wholeRupiah(text: string, decimal: '.' | ',', where: string): number {
  const thousands = decimal === ',' ? '.' : ',';
  const cleaned = text.trim().split(thousands).join('').replace(/\s/g, '');
  const match = new RegExp(`^(\\d+)(?:\\${decimal}(\\d{1,2}))?$`).exec(cleaned);
  if (!match) throw new StatementFormatError(`${where}: the amount "${text}" is not a number`);
  if (match[2] && Number(match[2]) !== 0) throw new StatementFormatError(`${where}: the amount "${text}" has a fraction of a rupiah (IDR has no minor unit)`);
  const value = Number(match[1]);
  if (!Number.isSafeInteger(value) || value <= 0) throw new StatementFormatError(`${where}: the amount "${text}" must be a positive whole number of rupiah`);
  return value;
}
