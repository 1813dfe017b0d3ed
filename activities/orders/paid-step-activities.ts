/**
 * The paid step of both order workflows as one activity each (issue 22): the read-model write, then the step's PDF,
 * one activity task and one workflow task fewer than the two activities they replace, which stay registered for
 * the workflows that still call them (histories from before the `patched` ids in the workflows). The write goes
 * first, so readers see Paid no later than before; both halves are idempotent, so a retry of either is safe.
 */
import type { BankTransferActivities, OnlineOrderActivities } from '../../workflows/definitions';
import { withHeartbeats } from '../shared/with-heartbeats';

/** The two halves each folded activity runs. */
type PaidStepParts = Pick<BankTransferActivities, 'recordOrder' | 'issueReceipt'> & Pick<OnlineOrderActivities, 'recordOnlineOrder' | 'storeInvoiceDocument'>;

/** Builds the folded paid-step activities from the activities they fold. */
export function createPaidStepActivities(parts: PaidStepParts) {
  return {
    /** Records the Paid order with its approval, then renders and stores its receipt; answers the receipt's file name and size. */
    async recordPaidOrder(order, change) {
      return withHeartbeats(async () => {
        await parts.recordOrder(order, change);
        return parts.issueReceipt(order);
      });
    },
    /** Records the Paid online order (with the approval of a late payment, if it was one), then stores its paid invoice. */
    async recordPaidOnlineOrder(order, change) {
      return withHeartbeats(async () => {
        await parts.recordOnlineOrder(order, change);
        return parts.storeInvoiceDocument(order);
      });
    },
  } satisfies Pick<BankTransferActivities, 'recordPaidOrder'> & Pick<OnlineOrderActivities, 'recordPaidOnlineOrder'>;
}
