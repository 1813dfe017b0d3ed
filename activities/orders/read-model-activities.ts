/**
 * The read-model writes of both order workflows, as activities over the one module of order rows (db/orders). A
 * write that changed the status published an `order.status_changed` webhook event; its endpoints are woken here.
 */
import type { Pool } from 'pg';
import { recordBankTransferOrder, recordOnlineOrder, type RecordedOrder } from '../../db/orders/read-model';
import type { BankTransferActivities, OnlineOrderActivities, TopupPolicy } from '../../workflows/definitions';
import { nudgeEndpoints } from '../webhooks/nudge';

/** Builds the read-model activities. */
export function createOrderReadModelActivities(deps: { pool: Pool; policy: TopupPolicy }) {
  const { pool, policy } = deps;
  const wake = (recorded: RecordedOrder, accountId: string) => nudgeEndpoints(recorded.published, accountId, policy);
  return {
    async recordOrder(order, change) {
      await wake(await recordBankTransferOrder(pool, order, change ? { change } : {}), order.accountId);
    },
    async recordOnlineOrder(order, change) {
      await wake(await recordOnlineOrder(pool, order, change ? { change } : {}), order.accountId);
    },
  } satisfies Pick<BankTransferActivities, 'recordOrder'> & Pick<OnlineOrderActivities, 'recordOnlineOrder'>;
}
