/**
 * A wallet's statement (issue 21): every movement with the running balance, by date range and kind, paged; and the
 * same lines as CSV, streamed. Customers read their account's wallets; finance and ops name the account.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { STATEMENT_KINDS, statementPage, streamStatement, type StatementFilter, type StatementKind, type StatementLine } from '../../db/ledger/statement';
import { WALLETS, type Wallet } from '../../workflows/definitions';
import { requireRole } from '../accounts/auth';
import { requireScopedAccount } from '../accounts/scoped-account';
import { ZPaging } from '../orders/schemas';
import { sendCsv, type CsvColumn } from '../shared/csv-response';
import { ZDay, ZDayRange } from '../shared/day-range';

/** `/:wallet` in a path. */
export const ZWallet = z.enum(WALLETS, `must be one of ${WALLETS.join(', ')}`);
const ZWalletParams = z.object({ wallet: ZWallet });

const KIND_LIST = new RegExp(`^(${STATEMENT_KINDS.join('|')})(,(${STATEMENT_KINDS.join('|')}))*$`);

/** The filters of a statement and of its CSV. */
const statementFilters = {
  from: ZDay.optional(),
  to: ZDay.optional(),
  kind: z.string().regex(KIND_LIST, `must be one or more of ${STATEMENT_KINDS.join(', ')}, separated by commas`).optional(),
  accountId: z.string().min(1).max(100).optional(),
};

/** `GET /v1/wallets/{wallet}/statement`. */
export const ZStatementQuery = ZDayRange(z.strictObject({ ...ZPaging.shape, ...statementFilters }));
/** `GET /v1/wallets/{wallet}/statement.csv`. */
export const ZStatementCsvQuery = ZDayRange(z.strictObject(statementFilters));

const CSV_COLUMNS: CsvColumn<StatementLine & { localTime: string }>[] = [
  { header: 'time', value: (l) => l.localTime },
  { header: 'entry_id', value: (l) => l.entryId },
  { header: 'kind', value: (l) => l.kind },
  { header: 'change', value: (l) => l.change },
  { header: 'balance_after', value: (l) => l.balanceAfter },
  { header: 'settled', value: (l) => l.settled },
  { header: 'order_number', value: (l) => l.orderNumber },
  { header: 'invoice_id', value: (l) => l.invoiceId },
  { header: 'service', value: (l) => l.service },
  { header: 'memo', value: (l) => l.memo },
];

/** Builds the `/v1/wallets` router. */
export function statementRouter(deps: { pool: Pool }): Router {
  const router = Router();
  const readers = requireRole('owner', 'pic', 'finance', 'ops');

  const filterOf = async (req: Parameters<typeof requireScopedAccount>[1], wallet: Wallet, q: z.infer<typeof ZStatementCsvQuery>): Promise<StatementFilter> => {
    const account = await requireScopedAccount(deps.pool, req, q.accountId);
    return { accountId: account.id, wallet, timeZone: account.timeZone, from: q.from, to: q.to, kinds: q.kind?.split(',') as StatementKind[] | undefined };
  };

  router.get('/:wallet/statement', readers, async (req, res) => {
    const { wallet } = ZWalletParams.parse(req.params);
    const query = ZStatementQuery.parse(req.query);
    const filter = await filterOf(req, wallet, query);
    const page = await statementPage(deps.pool, filter, query.page, query.pageSize);
    res.json({ accountId: filter.accountId, wallet: filter.wallet, from: filter.from ?? null, to: filter.to ?? null, page: query.page, pageSize: query.pageSize, ...page });
  });

  router.get('/:wallet/statement.csv', readers, async (req, res) => {
    const { wallet } = ZWalletParams.parse(req.params);
    const filter = await filterOf(req, wallet, ZStatementCsvQuery.parse(req.query));
    const name = ['statement', filter.accountId, filter.wallet, filter.from, filter.to].filter(Boolean).join('-');
    await sendCsv(req, res, `${name}.csv`, await streamStatement(deps.pool, filter), CSV_COLUMNS);
  });

  return router;
}
