/** What an order that settles an invoice tells the subscription's billing once its money is applied. */
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { billingWorkflowId, depositCreditedSignal } from './messages';

/** Tells a subscription's billing that the order that settles its invoice was paid (it then finds the invoice paid). */
export async function tellBillingDepositCredited(subscriptionId: string, orderNumber: string): Promise<void> {
  try {
    await getExternalWorkflowHandle(billingWorkflowId(subscriptionId)).signal(depositCreditedSignal, { orderNumber });
  } catch (err) {
    // A stopped or cancelled subscription has no billing to tell: the order's money was applied by the rules already.
    log.warn('billing workflow not signalled', { subscriptionId, error: String(err) });
  }
}
