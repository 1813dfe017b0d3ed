/**
 * The paid step of both order workflows as one activity each (issue 22): the read-model write, then the step's PDF,
 * one activity task and one workflow task fewer than the two activities they replace, which stay registered for
 * the workflows that still call them (histories from before the `patched` ids in the workflows). The write goes
 * first, so readers see Paid no later than before; both halves are idempotent, so a retry of either is safe.
 *
 * A bank-transfer approval that settles no invoice folds its credit in too (`creditAndRecordPaidOrder`): the credit
 * is keyed by the order (a retry answers the same entry and balance), and the Paid view is built from its figures by
 * `paidView`, the function the workflow builds its own state with.
 */
import { paidView, topupPaidCredit, type BankTransferActivities, type OnlineOrderActivities } from '../../workflows/definitions';
import { withHeartbeats } from '../shared/with-heartbeats';

/** The two halves each folded activity runs. */
type PaidStepParts = Pick<BankTransferActivities, 'creditTopup' | 'recordOrder' | 'issueReceipt'> & Pick<OnlineOrderActivities, 'recordOnlineOrder' | 'storeInvoiceDocument'>;

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
    /**
     * Credits the approved order, then records its Paid view (with the credit's figures) and stores its receipt;
     * answers the credit and the receipt. A ledger refusal throws before anything is written.
     */
    async creditAndRecordPaidOrder({ request, order, approval, change }) {
      return withHeartbeats(async () => {
        const credit = await parts.creditTopup(request);
        const view = paidView(order, approval, topupPaidCredit(credit));
        await parts.recordOrder(view, change);
        return { credit, receipt: await parts.issueReceipt(view) };
      });
    },
    /** Records the Paid online order (with the approval of a late payment, if it was one), then stores its paid invoice. */
    async recordPaidOnlineOrder(order, change) {
      return withHeartbeats(async () => {
        await parts.recordOnlineOrder(order, change);
        return parts.storeInvoiceDocument(order);
      });
    },
  } satisfies Pick<BankTransferActivities, 'recordPaidOrder' | 'creditAndRecordPaidOrder'> & Pick<OnlineOrderActivities, 'recordPaidOnlineOrder'>;
}
