/** The read-model writes of both order workflows, as activities over the one module of order rows (db/orders). */
import type { Pool } from 'pg';
import { recordBankTransferOrder, recordOnlineOrder } from '../../db/orders/read-model';
import type { BankTransferActivities, OnlineOrderActivities } from '../../workflows/definitions';

/** Builds the read-model activities. */
export function createOrderReadModelActivities(pool: Pool) {
  return {
    async recordOrder(order, change) {
      await recordBankTransferOrder(pool, order, change);
    },
    async recordOnlineOrder(order, change) {
      await recordOnlineOrder(pool, order, change);
    },
  } satisfies Pick<BankTransferActivities, 'recordOrder'> & Pick<OnlineOrderActivities, 'recordOnlineOrder'>;
}
