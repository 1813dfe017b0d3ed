/** Reads an uploaded statement: its format from its first bytes, then the format's parser. */
import { parseCamt053 } from './camt053';
import type { CsvMapping } from './csv-mapping';
import { parseCsvStatement } from './csv';
import { parseMt940 } from './mt940';
import { StatementFormatError, type ParsedStatement, type StatementFormat } from './parsed-statement';

/** The format of a file by its content: MT940 starts with a tag (":20:") or a SWIFT block, CAMT.053 is XML; else CSV. */
export function detectFormat(text: string): StatementFormat {
  const head = text.replace(/^\uFEFF/, '').trimStart().slice(0, 200);
  if (head.startsWith('<')) return 'camt053';
  if (/^(\{1:|:20:)/.test(head)) return 'mt940';
  return 'csv';
}

/** Parses `content` (UTF-8) as its format; a CSV needs its bank's column mapping. */
export function parseStatement(content: Buffer, mapping: CsvMapping | null): ParsedStatement {
  const text = content.toString('utf8');
  if (text.includes('\u0000')) throw new StatementFormatError('the file is not text (MT940, CSV or CAMT.053 XML)');
  const format = detectFormat(text);
  if (format === 'mt940') return parseMt940(text);
  if (format === 'camt053') return parseCamt053(text);
  if (!mapping) throw new StatementFormatError('a CSV statement needs its bank\'s column mapping: name a saved one in "mapping"');
  return parseCsvStatement(text, mapping);
}
