/**
 * Several movements in one transaction (`ledger_post_batch`, db/migrations/060): one statement, one round trip and
 * one commit for the lot, each movement still applied by ledger_post in the order given and answered on its own
 * (applied, already applied, refused with its reason), exactly as applyMovement would answer it called for each
 * in turn (test/ledger/ledger-batch.test.ts holds that).
 */
import type { Pool } from 'pg';
import {
  answerOf,
  entryRequestOf,
  insufficientBalance,
  InvalidLedgerInputError,
  unknownAccount,
  type EntryRequest,
  type MovementAnswer,
  type MovementRequest,
  type PostRow,
} from './ledger';

/** A row of ledger_post_batch: ledger_post's columns, the movement's place in the batch, and a refusal's reason. */
interface BatchRow extends Omit<PostRow, 'outcome'> {
  idx: number;
  outcome: 'posted' | 'replayed' | 'refused';
  reason: 'insufficient_balance' | 'unknown_account' | null;
  balance: number | null;
}

const BATCH_SQL =
  'SELECT idx, outcome, reason, balance, entry_id::text, kind, account_id, wallet, amount, recharge_after, gift_after, unbilled_after, ' +
  'recharge_delta, gift_delta, unbilled_delta FROM ledger_post_batch($1, $2, $3, $4, $5, $6, $7, $8, $9)';

/**
 * Applies `movements` in one transaction, in order, and answers each. An input that breaks a rule is refused
 * (invalid_input) and the others still run. Throws only when the batch as a whole failed (nothing was applied
 * then: the statement is one transaction); the caller may then apply the movements one by one.
 */
export async function applyMovements(pool: Pool, movements: readonly MovementRequest[]): Promise<MovementAnswer[]> {
  const answers: Array<MovementAnswer | undefined> = new Array(movements.length);
  const requests: Array<{ at: number; req: EntryRequest }> = [];
  movements.forEach((m, at) => {
    try {
      requests.push({ at, req: entryRequestOf(m) });
    } catch (err) {
      if (!(err instanceof InvalidLedgerInputError)) throw err;
      answers[at] = { status: 'refused', reason: 'invalid_input', error: err };
    }
  });
  if (requests.length > 0) {
    const column = <K extends keyof EntryRequest>(k: K) => requests.map(({ req }) => req[k]);
    const res = await pool.query<BatchRow>({
      name: 'ledger_post_batch',
      text: BATCH_SQL,
      values: [column('kind'), column('key'), column('accountId'), column('wallet'), column('amount'), column('orderNumber'), column('allowNegative'), column('memo'), requests.map(({ req }) => req.service ?? null)],
    });
    for (const row of res.rows) {
      const { at, req } = requests[row.idx - 1]!;
      answers[at] = batchAnswer(row, req);
    }
  }
  return answers.map((a, at) => {
    if (!a) throw new Error(`ledger_post_batch answered nothing for movement ${at + 1}`);
    return a;
  });
}

function batchAnswer(row: BatchRow, req: EntryRequest): MovementAnswer {
  if (row.outcome !== 'refused') return answerOf({ ...row, outcome: row.outcome }, req);
  if (row.reason === 'insufficient_balance') return insufficientBalance(req, Number(row.balance));
  if (row.reason === 'unknown_account') return unknownAccount(req);
  throw new Error(`ledger_post_batch refused "${req.key}" for an unknown reason ${String(row.reason)}`);
}
