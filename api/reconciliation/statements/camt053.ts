/**
 * CAMT.053 (ISO 20022 bank-to-customer statement), read with fast-xml-parser: every entry (`Ntry`) of every
 * statement (`Stmt`), credit or debit (`CdtDbtInd`), its amount, value (or booking) date, the servicer's reference
 * (`AcctSvcrRef`), the unstructured remittance text (`RmtInf/Ustrd`) and the debtor's name.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { StatementFormatError, wholeRupiah, type ParsedLine, type ParsedStatement } from './parsed-statement';

type Node = Record<string, unknown>;

const asArray = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const node = (v: unknown): Node => (typeof v === 'object' && v !== null ? (v as Node) : {});
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v).trim() : typeof v === 'object' && v !== null && '#text' in v ? String((v as Node)['#text']).trim() : '');

function dateOf(entry: Node): string {
  const value = text(node(entry.ValDt).Dt) || text(node(entry.ValDt).DtTm) || text(node(entry.BookgDt).Dt) || text(node(entry.BookgDt).DtTm);
  return value.slice(0, 10);
}

/** Parses a CAMT.053 document. */
export function parseCamt053(xml: string): ParsedStatement {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new StatementFormatError(`not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = node(new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false }).parse(xml));
  const statements = asArray(node(node(doc.Document).BkToCstmrStmt).Stmt).map(node);
  if (statements.length === 0) throw new StatementFormatError('not a CAMT.053 statement: no Document/BkToCstmrStmt/Stmt');
  const accountOf = (s: Node) => text(node(node(s.Acct).Id).IBAN) || text(node(node(node(s.Acct).Id).Othr).Id);
  const account = accountOf(statements[0]!);
  const lines: ParsedLine[] = [];
  const dates: string[] = [];
  for (const s of statements) {
    if (accountOf(s) !== account) throw new StatementFormatError(`the file mixes accounts ${account} and ${accountOf(s)}`);
    for (const entry of asArray(s.Ntry).map(node)) {
      const where = `entry ${lines.length + 1}`;
      const amount = node(entry.Amt);
      const currency = String(amount['@Ccy'] ?? '');
      if (currency !== 'IDR') throw new StatementFormatError(`${where}: the amount is in ${currency || 'no currency'}; only IDR statements are reconciled`);
      const indicator = text(entry.CdtDbtInd);
      if (indicator !== 'CRDT' && indicator !== 'DBIT') throw new StatementFormatError(`${where}: CdtDbtInd must be CRDT or DBIT, not "${indicator}"`);
      const valueDate = dateOf(entry);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(valueDate)) throw new StatementFormatError(`${where}: no value or booking date`);
      const details = asArray(node(entry.NtryDtls).TxDtls).map(node);
      const remittance = details.flatMap((d) => asArray(node(d.RmtInf).Ustrd).map(text)).filter(Boolean);
      const debtor = details.map((d) => text(node(node(d.RltdPties).Dbtr).Nm) || text(node(node(node(d.RltdPties).Dbtr).Pty).Nm)).find(Boolean) ?? null;
      lines.push({
        line: lines.length + 1,
        direction: indicator === 'CRDT' ? 'credit' : 'debit',
        amount: wholeRupiah(text(amount), '.', where),
        valueDate,
        text: (remittance.join(' ') || text(entry.AddtlNtryInf)).replace(/\s+/g, ' '),
        bankReference: text(entry.AcctSvcrRef) || null,
        payer: debtor,
        balanceAfter: null,
      });
      dates.push(valueDate);
    }
  }
  dates.sort();
  return { format: 'camt053', account, currency: 'IDR', from: dates[0] ?? null, to: dates[dates.length - 1] ?? null, lines };
}
