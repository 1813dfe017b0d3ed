/**
 * A subscription's billing (seed 002) as one workflow per subscription, `subscription-<id>`, one run per
 * period: sleep until 7 days before the period ends, issue the renewal invoice, pay it from the deposit when
 * the deposit covers it; otherwise email the owner and wait for money (an order that settles the invoice
 * signals `depositCredited`); past the due date the subscription is suspended until the invoice is paid. Then
 * continue-as-new with the next period, so the history stays one period long however long the service runs.
 * A workflow rather than a Schedule: the dates follow calendar months in the account's time zone (31 Jan →
 * 28 Feb), and the unpaid → suspended → reactivated story needs state and signals a Schedule does not have.
 */
import { condition, continueAsNew, proxyActivities, setCurrentDetails, setHandler, sleep } from '@temporalio/workflow';
import { billingPeriod } from './periods';
import { sideEffects } from '../shared/activity-options';
import type { BillingActivities } from './activity-types';
import { depositCreditedSignal, getBillingQuery, type BillingView, type SubscriptionBillingInput } from './messages';
import { workflowNow } from '../shared/workflow-clock';

const { loadSubscription, issueRenewalInvoice, payInvoiceFromDeposit, sendUnpaidInvoiceEmail, setSubscriptionStatus } = proxyActivities<BillingActivities>(sideEffects());

/** Runs one billing period of a subscription, then continues as the next. */
export async function subscriptionBilling(input: SubscriptionBillingInput): Promise<'cancelled'> {
  const period = billingPeriod(input.startDate, input.cycleMonths, input.periodIndex, input.timeZone, input.invoiceLeadDays);
  const next = billingPeriod(input.startDate, input.cycleMonths, input.periodIndex + 1, input.timeZone, input.invoiceLeadDays);
  const view: BillingView = {
    subscriptionId: input.subscriptionId,
    periodIndex: input.periodIndex,
    nextInvoiceAt: new Date(period.invoiceAt).toISOString(),
    invoice: null,
    suspended: false,
  };
  let credited = false;
  setHandler(getBillingQuery, () => view);
  setHandler(depositCreditedSignal, () => {
    credited = true;
  });
  setCurrentDetails(`period ${period.start} to ${period.end}; renewal invoice at ${view.nextInvoiceAt}`);

  const wait = period.invoiceAt - workflowNow().getTime();
  if (wait > 0) await sleep(wait);
  // The billing date is the scheduled one (a busy worker wakes a little later); a late start issues now.
  const issuedAt = new Date(wait > 0 ? period.invoiceAt : workflowNow().getTime());
  const subscription = await loadSubscription(input.subscriptionId);
  if (!subscription || subscription.status === 'cancelled') return 'cancelled';

  const invoice = await issueRenewalInvoice({
    subscriptionId: input.subscriptionId,
    periodIndex: input.periodIndex + 1,
    periodStart: next.start,
    periodEnd: next.end,
    issuedAt: issuedAt.toISOString(),
    dueAt: new Date(period.dueAt).toISOString(),
  });
  view.invoice = { id: invoice.id, status: invoice.status };
  let outcome = await payInvoiceFromDeposit(invoice.id);
  if (outcome === 'insufficient') {
    setCurrentDetails(`invoice ${invoice.id} unpaid, due ${invoice.dueAt}`);
    await sendUnpaidInvoiceEmail(invoice.id);
    while (outcome === 'insufficient') {
      if (view.suspended) {
        await condition(() => credited);
      } else {
        const untilDue = period.dueAt - workflowNow().getTime();
        const signalled = untilDue > 0 ? await condition(() => credited, untilDue) : credited;
        if (!signalled) {
          await setSubscriptionStatus({ id: input.subscriptionId, status: 'suspended' });
          view.suspended = true;
          setCurrentDetails(`suspended: invoice ${invoice.id} unpaid past ${invoice.dueAt}`);
          continue;
        }
      }
      credited = false;
      outcome = await payInvoiceFromDeposit(invoice.id);
    }
    if (view.suspended) {
      await setSubscriptionStatus({ id: input.subscriptionId, status: 'active' });
      view.suspended = false;
    }
  }
  view.invoice = { id: invoice.id, status: 'paid' };
  return continueAsNew<typeof subscriptionBilling>({ ...input, periodIndex: input.periodIndex + 1 });
}
