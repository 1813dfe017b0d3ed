/**
 * The rules of issuing an online order's invoice while the gateway may be away (issue 15): what each issuance is
 * called at the gateway, how long to wait between calls, and how a refusal names the order's state. Pure and
 * deterministic: the workflow and the API share it.
 */
import type { OnlineOrderView } from './definitions';
import { DEFAULT_POLICY, type DurationText, type TopupPolicy } from './policy';

/** Waits between failed gateway calls: 1 s, doubling, at most this. */
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 30_000;

/**
 * The reference (Idempotency-Key) of an order's n-th issuance: the order number for the first, as before there
 * were several, and `<orderNumber>-<n>` after a cancelled or abandoned one, so a new confirmation never meets
 * the old invoice under the same key.
 */
export function issuanceReference(orderNumber: string, round: number): string {
  return round <= 1 ? orderNumber : `${orderNumber}-${round}`;
}

/** How long to wait after the `failures`-th failed call before the next one (ms). */
export function issueRetryDelayMs(failures: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}

/** The policy's give-up time; orders started before it existed run under the default (10 minutes). */
export function invoiceIssueGiveUpAfter(policy: TopupPolicy): DurationText {
  return policy.invoiceIssueGiveUpAfter ?? DEFAULT_POLICY.invoiceIssueGiveUpAfter;
}

/** The order's status as refusals name it: "Awaiting payment (issuing the invoice …)" while the gateway has not issued it. */
export function describeOnlineStatus(order: Pick<OnlineOrderView, 'status' | 'issuing'>): string {
  const issuing = order.issuing;
  if (!issuing) return order.status;
  const failed = issuing.attempts === 0 ? '' : `, ${issuing.attempts} failed attempt${issuing.attempts === 1 ? '' : 's'}`;
  return `${order.status} (issuing the ${issuing.paymentMethod} invoice since ${issuing.since}${failed})`;
}
