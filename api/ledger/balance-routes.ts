/** `GET /v1/balance`: each wallet of an account, split as the dashboard shows it; the deposit's refund answer. */
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { findAccountBalances } from '../../db/ledger/ledger';
import { lowWallets } from '../../db/ledger/low-balance';
import type { TopupPolicy } from '../../workflows/definitions';
import { requireRole, scopedAccountId } from '../accounts/auth';
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

/** Builds the `/v1/balance` router. */
export function balanceRouter(deps: { pool: Pool; policy: TopupPolicy }): Router {
  const router = Router();
  router.get('/', requireRole('owner', 'pic', 'finance', 'ops'), async (req, res) => {
    const query = ZBalanceQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    if (accountId === undefined) throw new HttpError(400, 'invalid_input', 'accountId: required for provider staff', [{ path: 'accountId', rule: 'required' }]);
    const balances = await findAccountBalances(deps.pool, accountId);
    if (!balances) throw new HttpError(404, 'not_found', `account ${accountId} was not found`, [{ path: 'accountId', rule: 'must name an existing account' }]);
    const percent = deps.policy.lowBalancePercent;
    const low = await lowWallets(deps.pool, accountId, percent);
    const flag = (wallet: string): LowBalanceFlag | null => {
      const found = low.find((l) => l.wallet === wallet);
      return found ? { reference: found.reference, threshold: Math.ceil((found.reference * percent) / 100) } : null;
    };
    res.json({
      accountId,
      lowBalancePercent: percent,
      wallets: balances.map(({ wallet, current, recharge, gift, unbilled }) => ({ wallet, current, recharge, gift, unbilled, lowBalance: flag(wallet) })),
    });
  });
  // Seed 002: the deposit is non-refundable. There is no refund path; asking about one gets that answer.
  router.get('/deposit/refund', requireRole('owner', 'pic', 'finance', 'ops'), (_req, res) => {
    res.json({ wallet: 'deposit', refundable: false, reason: 'the deposit balance is non-refundable: it pays your subscription invoices automatically' });
  });
  return router;
}
