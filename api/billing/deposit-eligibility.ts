/** The deposit rules that need the database (seed 002): an active service, and no unpaid invoice. */
import type { Pool } from 'pg';
import { unpaidInvoiceIds } from '../../db/billing/invoices';
import { countActiveSubscriptions } from '../../db/billing/subscriptions';
import { depositEligibilityRule } from '../../workflows/definitions';
import { HttpError } from '../shared/errors';

/** 409 naming the rule when the account may not top up its deposit now. */
export async function requireDepositEligible(pool: Pool, accountId: string): Promise<void> {
  const [activeSubscriptions, unpaid] = await Promise.all([countActiveSubscriptions(pool, accountId), unpaidInvoiceIds(pool, accountId)]);
  const rule = depositEligibilityRule({ activeSubscriptions, unpaidInvoiceIds: unpaid });
  if (rule) throw new HttpError(409, 'deposit_not_allowed', rule, [{ path: 'wallet', rule }]);
}
