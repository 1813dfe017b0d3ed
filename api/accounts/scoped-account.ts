/** The one customer account a request reads: a customer's own, or the one provider staff name with `?accountId=`. */
import type { Request } from 'express';
import type { Pool } from 'pg';
import { findAccount, type Account } from '../../db/accounts/accounts';
import { HttpError } from '../shared/errors';
import { scopedAccountId } from './auth';

/** The account `requested` names (or the customer's own); 400 when staff name none, 404 when there is no such account. */
export async function requireScopedAccount(pool: Pool, req: Request, requested: string | undefined): Promise<Account> {
  const accountId = scopedAccountId(req.principal!, requested);
  if (accountId === undefined) throw new HttpError(400, 'invalid_input', 'accountId: required for provider staff', [{ path: 'accountId', rule: 'required' }]);
  const account = await findAccount(pool, accountId);
  if (!account) throw new HttpError(404, 'not_found', `account ${accountId} was not found`, [{ path: 'accountId', rule: 'must name an existing account' }]);
  return account;
}
