/**
 * MT940 (SWIFT customer statement), parsed by mt940js, which also checks each statement's own arithmetic (opening
 * balance + its transactions = closing balance). A file may hold several statements (one per day or page); their
 * transactions are numbered in file order. The balance after each transaction is computed from the opening
 * balance, so lines without a bank reference can still be told apart.
 */
import { Parser } from 'mt940js';
import { StatementFormatError, type ParsedLine, type ParsedStatement } from './parsed-statement';

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The person or company a transfer came from: the last line of the :86: details, when there are several. */
function payerOf(details: string): string | null {
  const lines = details.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length > 1 ? lines[lines.length - 1]! : null;
}

/** Parses an MT940 file; refuses one the library cannot read, in another currency, or with fractions of a rupiah. */
export function parseMt940(text: string): ParsedStatement {
  let statements;
  try {
    statements = new Parser().parse(text.replace(/\r\n/g, '\n'));
  } catch (err) {
    throw new StatementFormatError(`not a valid MT940 statement: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (statements.length === 0) throw new StatementFormatError('the MT940 file holds no statement');
  const account = statements[0]!.accountIdentification;
  const lines: ParsedLine[] = [];
  for (const s of statements) {
    if (s.currency !== 'IDR') throw new StatementFormatError(`statement ${s.transactionReference} is in ${s.currency}; only IDR statements are reconciled`);
    if (s.accountIdentification !== account) throw new StatementFormatError(`the file mixes accounts ${account} and ${s.accountIdentification}`);
    let balance = s.openingBalance;
    for (const t of s.transactions) {
      const where = `transaction ${lines.length + 1}`;
      if (!Number.isSafeInteger(t.amount) || t.amount === 0) throw new StatementFormatError(`${where}: the amount ${t.amount} must be a whole, non-zero number of rupiah`);
      balance += t.amount;
      lines.push({
        line: lines.length + 1,
        direction: t.amount > 0 ? 'credit' : 'debit',
        amount: Math.abs(t.amount),
        valueDate: day(t.date),
        text: t.details.replace(/\s+/g, ' ').trim(),
        bankReference: t.bankReference?.trim() || null,
        payer: payerOf(t.details),
        balanceAfter: balance,
      });
    }
  }
  return { format: 'mt940', account, currency: 'IDR', from: day(statements[0]!.openingBalanceDate), to: day(statements[statements.length - 1]!.closingBalanceDate), lines };
}
