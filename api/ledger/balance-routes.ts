/** `GET /v1/balance`: each wallet of an account, split as the dashboard shows it; the deposit's refund answer. */
import { Router } from 'express';
import { z } from 'zod';
import type { TopupPolicy, Wallet } from '../../workflows/definitions';
import type { BalanceReader } from './balance-reader';
import { requireRole, scopedAccountId, type Principal, type Role } from '../accounts/auth';
import { HttpError } from '../shared/errors';

/** Query of `GET /v1/balance`: provider staff name the account; a customer's is its own. */
export const ZBalanceQuery = z.strictObject({ accountId: z.string().min(1).max(100).optional() });
export type TBalanceQuery = z.infer<typeof ZBalanceQuery>;

/** A wallet below the policy's share of its last paid top-up (seed 001: the in-app notice beside the email). */
export interface LowBalanceFlag {
  /** The last paid top-up, the wallet's reference. */
  reference: number;
  /** The balance under which the wallet is low: `lowBalancePercent` of the reference. */
  threshold: number;
}

/** What a balance read needs: the grouped balance reader, and the policy for the low-balance flags. */
export interface BalanceDeps {
  balances: BalanceReader;
  policy: TopupPolicy;
}

/** Who may read balances. */
export const BALANCE_READERS: readonly Role[] = ['owner', 'pic', 'finance', 'ops'];

/**
 * The answer of `GET /v1/balance` for `principal` and the request's query (parsed as Express parses one); throws
 * the refusal. Shared by the route and the path in front of Express (api/shared/thin-path.ts).
 */
export async function readBalance(deps: BalanceDeps, principal: Principal, rawQuery: unknown): Promise<{ accountId: string; lowBalancePercent: number; wallets: object[] }> {
  const query = ZBalanceQuery.parse(rawQuery);
  const accountId = scopedAccountId(principal, query.accountId);
  if (accountId === undefined) throw new HttpError(400, 'invalid_input', 'accountId: required for provider staff', [{ path: 'accountId', rule: 'required' }]);
  const found = await deps.balances(accountId);
  if (!found) throw new HttpError(404, 'not_found', `account ${accountId} was not found`, [{ path: 'accountId', rule: 'must name an existing account' }]);
  const percent = deps.policy.lowBalancePercent;
  // The low-balance notice's rule (db/ledger/low-balance.ts, BELOW): under `percent` of the last paid top-up.
  const flag = (wallet: Wallet, current: number): LowBalanceFlag | null => {
    const reference = found.references[wallet];
    return reference !== undefined && current * 100 < reference * percent ? { reference, threshold: Math.ceil((reference * percent) / 100) } : null;
  };
  return {
    accountId,
    lowBalancePercent: percent,
    wallets: found.wallets.map(({ wallet, current, recharge, gift, unbilled }) => ({ wallet, current, recharge, gift, unbilled, lowBalance: flag(wallet, current) })),
  };
}

/** Builds the `/v1/balance` router. */
export function balanceRouter(deps: BalanceDeps): Router {
  const router = Router();
  router.get('/', requireRole(...BALANCE_READERS), async (req, res) => {
    res.json(await readBalance(deps, req.principal!, req.query));
  });
  // Seed 002: the deposit is non-refundable. There is no refund path; asking about one gets that answer.
  router.get('/deposit/refund', requireRole(...BALANCE_READERS), (_req, res) => {
    res.json({ wallet: 'deposit', refundable: false, reason: 'the deposit balance is non-refundable: it pays your subscription invoices automatically' });
  });
  return router;
}
