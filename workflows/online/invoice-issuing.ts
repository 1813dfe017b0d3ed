/**
 * The rules of issuing an online order's invoice while the gateway may be away (issue 15): what each issuance is
 * called at the gateway, how long to wait between calls, and how a refusal names the order's state. Pure and
 * deterministic: the workflow, its transition table and the API share it.
 */
import { statusName } from '../shared/names';
import type { OnlineOrderView } from './messages';

/** Waits between failed gateway calls: 1 s, doubling, at most this. */
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 30_000;

/**
 * The reference (Idempotency-Key) of an order's n-th issuance: the order number for the first, and
 * `<orderNumber>-<n>` after a cancelled or abandoned one, so a new confirmation never meets the old invoice under
 * the same key.
 */
export function issuanceReference(orderNumber: string, round: number): string {
  return round <= 1 ? orderNumber : `${orderNumber}-${round}`;
}

/** How long to wait after the `failures`-th failed call before the next one (ms). */
export function issueRetryDelayMs(failures: number): number {
  return Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, failures - 1));
}

/** What a refusal names of an order being issued its invoice. */
export type IssuingState = Pick<NonNullable<OnlineOrderView['issuing']>, 'paymentMethod' | 'since' | 'attempts'>;

/**
 * The order's status as refusals name it, in English: "Awaiting payment (issuing the ewallet invoice since …)"
 * while the gateway has not issued the invoice, else the status's name.
 */
export function describeOnlineStatus(order: { status: OnlineOrderView['status']; issuing?: IssuingState | null }): string {
  const name = statusName(order.status, 'en');
  const issuing = order.issuing;
  if (!issuing) return name;
  const failed = issuing.attempts === 0 ? '' : `, ${issuing.attempts} failed attempt${issuing.attempts === 1 ? '' : 's'}`;
  return `${name} (issuing the ${issuing.paymentMethod} invoice since ${issuing.since}${failed})`;
}
