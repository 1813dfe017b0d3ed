/**
 * A subscription's billing (seed 002) as one workflow per subscription, `subscription-<id>`, one run per
 * period: sleep until 7 days before the period ends, issue the renewal invoice, pay it from the deposit when
 * the deposit covers it; otherwise email the owner and wait for money (an order that settles the invoice
 * signals `depositCredited`); past the due date the subscription is suspended until the invoice is paid. Then
 * continue-as-new with the next period, so the history stays one period long however long the service runs.
 * The owner may stop the service (`stopAtPeriodEnd`): no renewal is issued after that, an unpaid one is voided,
 * and the subscription is stopped when the last period paid ends.
 * A workflow rather than a Schedule: the dates follow calendar months in the account's time zone (31 Jan →
 * 28 Feb), and the unpaid → suspended → reactivated story needs state and signals a Schedule does not have.
 * Timers are never cancelled (uncancelledTimer): a stop or a payment that comes first lets them fire unheeded.
 */
import { allHandlersFinished, condition, continueAsNew, proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import { billingPeriod } from './periods';
import { sideEffects } from '../shared/activity-options';
import { uncancelledTimer } from '../shared/uncancelled-timer';
import type { BillingActivities } from './activity-types';
import { depositCreditedSignal, getBillingQuery, stopSubscriptionUpdate, type BillingView, type SubscriptionBillingInput, type SubscriptionStop } from './messages';
import { workflowNow } from '../shared/workflow-clock';

const { loadSubscription, issueRenewalInvoice, payInvoiceFromDeposit, sendUnpaidInvoiceEmail, setSubscriptionStatus, recordSubscriptionStop, voidRenewalInvoice, endSubscription } =
  proxyActivities<BillingActivities>(sideEffects());

/** Waits until `done()` or `ms` from now, whichever comes first; true when `done()` did. */
async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  if (done() || ms <= 0) return done();
  const timer = uncancelledTimer(ms);
  await condition(() => done() || timer.fired());
  return done();
}

/** Runs one billing period of a subscription, then continues as the next, or ends the service the owner stopped. */
export async function subscriptionBilling(input: SubscriptionBillingInput): Promise<'cancelled' | 'stopped'> {
  const period = billingPeriod(input.startDate, input.cycleMonths, input.periodIndex, input.timeZone, input.invoiceLeadDays);
  const next = billingPeriod(input.startDate, input.cycleMonths, input.periodIndex + 1, input.timeZone, input.invoiceLeadDays);
  let stop: SubscriptionStop | null = input.stop ?? null;
  const view: BillingView = {
    subscriptionId: input.subscriptionId,
    periodIndex: input.periodIndex,
    nextInvoiceAt: new Date(period.invoiceAt).toISOString(),
    invoice: null,
    suspended: false,
    stop: null,
  };
  let credited = false;
  /** This period is paid; the service ends when it does if the owner stops it now. */
  const recordStop = async (): Promise<BillingView> => {
    view.stop = { ...stop!, endsOn: period.end };
    await recordSubscriptionStop({ subscriptionId: input.subscriptionId, ...view.stop });
    return view;
  };
  setHandler(getBillingQuery, () => view);
  setHandler(depositCreditedSignal, () => {
    credited = true;
  });
  setHandler(stopSubscriptionUpdate, ({ by }) => {
    stop ??= { requestedAt: workflowNow().toISOString(), by };
    return recordStop();
  });
  setCurrentDetails(`period ${period.start} to ${period.end}; renewal invoice at ${view.nextInvoiceAt}`);
  // A stop that came after the renewal was paid ends the service with the period that renewal paid for.
  if (stop) await recordStop();

  const wait = period.invoiceAt - workflowNow().getTime();
  await waitFor(() => stop !== null, wait);
  if (stop) return endService(input, view, period.dueAt);
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
      if (stop) {
        // The owner stopped the service before paying its renewal: the invoice is voided, unless a payment won.
        if ((await voidRenewalInvoice(invoice.id)) === 'paid') break;
        view.invoice = { id: invoice.id, status: 'void' };
        return endService(input, view, view.suspended ? workflowNow().getTime() : period.dueAt);
      }
      if (view.suspended) {
        await condition(() => credited || stop !== null);
      } else if (!(await waitFor(() => credited || stop !== null, period.dueAt - workflowNow().getTime()))) {
        await setSubscriptionStatus({ id: input.subscriptionId, status: 'suspended' });
        view.suspended = true;
        setCurrentDetails(`suspended: invoice ${invoice.id} unpaid past ${invoice.dueAt}`);
        continue;
      }
      if (!credited) continue;
      credited = false;
      outcome = await payInvoiceFromDeposit(invoice.id);
    }
    if (view.suspended) {
      await setSubscriptionStatus({ id: input.subscriptionId, status: 'active' });
      view.suspended = false;
    }
  }
  view.invoice = { id: invoice.id, status: 'paid' };
  await condition(allHandlersFinished);
  return continueAsNew<typeof subscriptionBilling>({ ...input, periodIndex: input.periodIndex + 1, stop });
}

/** The owner stopped the service: it runs until `endsAt` (the end of the last period paid), then it is stopped. */
async function endService(input: SubscriptionBillingInput, view: BillingView, endsAt: number): Promise<'stopped'> {
  setCurrentDetails(`stopping: the service ends ${view.stop?.endsOn ?? new Date(endsAt).toISOString()}`);
  const left = endsAt - workflowNow().getTime();
  if (left > 0) await waitFor(() => false, left);
  await endSubscription({ subscriptionId: input.subscriptionId, at: workflowNow().toISOString() });
  await condition(allHandlersFinished);
  return 'stopped';
}

