/**
 * How a bank's CSV export maps to statement lines: which column holds the date, the text, the amount (signed, split
 * into credit and debit columns, or suffixed "CR"/"DB" as BCA writes it), the balance after, the bank reference and
 * the payer; how dates and decimals are written; the account the export is of (CSV files rarely name it). Finance
 * saves one per bank (`/v1/finance/csv-mappings`) and names it on import.
 */
import { z } from 'zod';

const ZColumn = z.string().trim().min(1, 'is required (a column name of the header row)').max(100);

/** A CSV mapping's name: lower-case letters, digits, ".", "_" or "-". */
export const ZMappingName = z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'must be 1 to 63 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');

export const DATE_FORMATS = ['DD/MM/YYYY', 'DD-MM-YYYY', 'YYYY-MM-DD', 'MM/DD/YYYY'] as const;

/** A column mapping, as saved and as used. */
export const ZCsvMapping = z.strictObject({
  /** The provider's bank account the export is of. */
  account: z.string().trim().min(1, 'is required (the account number the export is of)').max(50),
  delimiter: z.enum([',', ';', '\t'], 'must be ",", ";" or a tab').default(','),
  /** Lines before the header row (banks put the account and period there). */
  skipLines: z.int('must be a whole number').min(0).max(50).default(0),
  dateColumn: ZColumn,
  dateFormat: z.enum(DATE_FORMATS, `must be one of: ${DATE_FORMATS.join(', ')}`),
  textColumn: ZColumn,
  amount: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('signed'), column: ZColumn }),
    z.strictObject({ kind: z.literal('split'), creditColumn: ZColumn, debitColumn: ZColumn }),
    z.strictObject({ kind: z.literal('suffixed'), column: ZColumn, creditSuffix: z.string().min(1).max(5).default('CR'), debitSuffix: z.string().min(1).max(5).default('DB') }),
  ]),
  decimalSeparator: z.enum(['.', ','], 'must be "." or ","').default('.'),
  balanceColumn: ZColumn.optional(),
  referenceColumn: ZColumn.optional(),
  payerColumn: ZColumn.optional(),
});
export type CsvMapping = z.infer<typeof ZCsvMapping>;
