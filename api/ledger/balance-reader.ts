/**
 * Balance reads grouped: every `GET /v1/balance` that arrives in one turn of the event loop is answered from one
 * query (findAccountsBalances), so under load the API makes one PostgreSQL round trip for many requests instead of
 * one each (issue 22: the round trip's writes and reads were most of what a balance request cost). Each read is sent
 * after its request arrived, so it sees every movement committed before it; nothing is cached between turns.
 */
import DataLoader from 'dataloader';
import type { Pool } from 'pg';
import { findAccountsBalances, type AccountBalances } from '../../db/ledger/ledger';

/**
 * Reads one account's balances and low-balance references, grouped with the other reads of the same turn; null for an
 * unknown account.
 */
export type BalanceReader = (accountId: string) => Promise<AccountBalances | null>;

/** A reader for one app (one pool). */
export function balanceReader(pool: Pool): BalanceReader {
  const loader = new DataLoader<string, AccountBalances | null>(
    async (accountIds) => {
      const found = await findAccountsBalances(pool, accountIds);
      return accountIds.map((id) => found.get(id) ?? null);
    },
    // No cache: each read asks PostgreSQL. One turn of the loop (setImmediate, after the I/O callbacks that read the
    // requests) rather than DataLoader's default microtask, which would hold one request each.
    { cache: false, batchScheduleFn: (send) => setImmediate(send), maxBatchSize: 200 },
  );
  return (accountId) => loader.load(accountId);
}
