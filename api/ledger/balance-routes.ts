/** `GET /v1/balance`: each wallet of an account, split as the dashboard shows it; the deposit's refund answer. */
import { Router } from 'express';
import { z } from 'zod';
import type { BalanceReader } from './balance-reader';
import { requireRole, scopedAccountId, type Principal, type Role } from '../accounts/auth';
import { HttpError } from '../shared/errors';

/** Query of `GET /v1/balance`: provider staff name the account; a customer's is its own. */
export const ZBalanceQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });
export type TBalanceQuery = z.infer<typeof ZBalanceQuery>;

/** Who may read balances. */
export const BALANCE_READERS: readonly Role[] = ['owner', 'pic', 'finance', 'ops'];

/**
 * The answer of `GET /v1/balance` for `principal` and the request's query (parsed as Express parses one); throws
 * the refusal. Shared by the route and the path in front of Express (api/shared/thin-path.ts).
 */
export async function readBalance(balances: BalanceReader, principal: Principal, rawQuery: unknown): Promise<{ accountId: string; wallets: object[] }> {
  const query = ZBalanceQuery.parse(rawQuery);
  const accountId = scopedAccountId(principal, query.accountId);
  if (accountId === undefined) throw new HttpError(400, 'invalid_input', 'accountId: required for provider staff', [{ path: 'accountId', rule: 'required' }]);
  const found = await balances(accountId);
  if (!found) throw new HttpError(404, 'not_found', `account ${accountId} was not found`, [{ path: 'accountId', rule: 'must name an existing account' }]);
  return {
    accountId,
    wallets: found.map(({ wallet, current, recharge, gift, unbilled }) => ({ wallet, current, recharge, gift, unbilled })),
  };
}

/** Builds the `/v1/balance` router. */
export function balanceRouter(deps: { balances: BalanceReader }): Router {
  const router = Router();
  router.get('/', requireRole(...BALANCE_READERS), async (req, res) => {
    res.json(await readBalance(deps.balances, req.principal!, req.query));
  });
  // Seed 002: the deposit is non-refundable. There is no refund path; asking about one gets that answer.
  router.get('/deposit/refund', requireRole(...BALANCE_READERS), (_req, res) => {
    res.json({ wallet: 'deposit', refundable: false, reason: 'the deposit balance is non-refundable: it pays your subscription invoices automatically' });
  });
  return router;
}
