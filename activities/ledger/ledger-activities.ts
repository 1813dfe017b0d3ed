/** Crediting a paid bank-transfer order, or applying it to the invoice it settles, as activities over the ledger (db/). */
import type { Pool } from 'pg';
import { payInvoiceWithOrder } from '../../db/billing/invoice-payments';
import { creditTopup } from '../../db/ledger/ledger';
import type { BankTransferActivities, OnlineOrderActivities } from '../../workflows/definitions';

/** Builds the ledger activities. */
export function createLedgerActivities(pool: Pool) {
  return {
    /** Credits a paid top-up order (idempotent per order). */
    creditTopup: (request) => creditTopup(pool, request),
    /** Pays the invoice an order settles with its money, in one transaction (idempotent per order). */
    payInvoiceWithOrder: (payment) => payInvoiceWithOrder(pool, payment),
  } satisfies Pick<BankTransferActivities, 'creditTopup' | 'payInvoiceWithOrder'> & Pick<OnlineOrderActivities, 'payInvoiceWithOrder'>;
}
