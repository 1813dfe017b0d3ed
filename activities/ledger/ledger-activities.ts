/** Crediting a paid bank-transfer order, as the activity over the ledger (db/ledger). */
import type { Pool } from 'pg';
import { creditTopup } from '../../db/ledger/ledger';
import type { BankTransferActivities } from '../../workflows/definitions';

/** Builds the ledger activities. */
export function createLedgerActivities(pool: Pool) {
  return {
    /** Credits a paid top-up order (idempotent per order). */
    creditTopup: (request) => creditTopup(pool, request),
  } satisfies Pick<BankTransferActivities, 'creditTopup'>;
}
