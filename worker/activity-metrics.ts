/**
 * The worker's own metrics, recorded through the activity context's metric meter, so they are served on the
 * same Prometheus endpoint as the SDK's and carry its tags (`namespace`, `taskQueue`, `activityType`):
 * - `topup_activity_failures_total{failure}`: every failed activity attempt (Temporal retries it);
 * - `topup_pdf_failures_total{document}`: failed attempts of the activities that render a PDF;
 * - `topup_email_failures_total`: SMTP sends that failed, from whichever activity sent them.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure, type MetricMeter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { Mailer } from '../activities/shared/mailer';

/**
 * The activities that render a PDF, and which document each renders. The paid steps' folded activities
 * (`recordPaidOrder`, `recordPaidOnlineOrder`) write the read model before their PDF: a failed write counts here too;
 * `creditAndRecordPaidOrder` credits the wallet before both, so a failed credit attempt counts too.
 */
export const PDF_ACTIVITIES: Readonly<Record<string, string>> = {
  issueReceipt: 'receipt',
  recordPaidOrder: 'receipt',
  creditAndRecordPaidOrder: 'receipt',
  storeInvoiceDocument: 'invoice',
  recordPaidOnlineOrder: 'invoice',
  sendUnpaidInvoiceEmail: 'subscription-invoice',
};

/** A bounded label for a failure: the ApplicationFailure's type, else the error's class name. */
function failureType(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.type ?? 'ApplicationFailure';
  return err instanceof Error ? err.name : 'unknown';
}

/** Counts failed attempts; a cancellation (the worker shutting down, the workflow going away) is no failure. */
export const activityMetricsInterceptors: ActivityInterceptorsFactory = (ctx) => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (!(err instanceof CancelledFailure)) {
          ctx.metricMeter.createCounter('topup_activity_failures_total', undefined, 'Failed activity attempts').add(1, { failure: failureType(err) });
          const document = PDF_ACTIVITIES[ctx.info.activityType];
          if (document) ctx.metricMeter.createCounter('topup_pdf_failures_total', undefined, 'Failed attempts to render and store a PDF').add(1, { document });
        }
        throw err;
      }
    },
  },
});

/** The meter of the activity running now; none outside an activity, where the send's error still goes through. */
function currentActivityMeter(): MetricMeter | undefined {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}

/** The mailer, counting each send that fails in the activity that attempted it. */
export function countEmailFailures(mailer: Mailer): Mailer {
  return {
    from: mailer.from,
    async send(message) {
      try {
        return await mailer.send(message);
      } catch (err) {
        currentActivityMeter()?.createCounter('topup_email_failures_total', undefined, 'SMTP sends that failed').add(1);
        throw err;
      }
    },
    close: () => mailer.close(),
  };
}
