/**
 * The top-up policy: every limit and duration of DOMAIN.md as data, never as constants in code.
 * A deployment overrides it (TOPUP_POLICY_FILE); each order receives a snapshot when it starts, so a policy
 * change never alters orders already running. Pure and deterministic: the workflow and the API both use it.
 */
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';

/** A duration as the SDK and the policy file write it: "120h", "24h", "10s", "1.5 days". */
export type DurationText = string;

/** Wallets (balance types) an account holds, one per product. */
export const WALLETS = ['credit', 'whatsapp', 'muv', 'deposit'] as const;
export type Wallet = (typeof WALLETS)[number];

/** The top-up policy snapshot an order runs under. */
export interface TopupPolicy {
  /** An order never submitted is Closed this long after creation. */
  unsubmittedCloseAfter: DurationText;
  /** Finance decides within this window from each submission, or the order becomes Payment Failure. */
  reviewWindow: DurationText;
  /** A Payment Failure order untouched this long is final (no longer editable). */
  paymentFailureFinalAfter: DurationText;
  /** Smallest bank-transfer top-up of the `credit` wallet, in IDR. */
  creditMinAmount: number;
}

/** The defaults of DOMAIN.md. */
export const DEFAULT_POLICY: TopupPolicy = {
  unsubmittedCloseAfter: '120h',
  reviewWindow: '24h',
  paymentFailureFinalAfter: '120h',
  creditMinAmount: 10_000,
};

/** A policy duration as the SDK's timers take it. */
export function asDuration(text: DurationText): Duration {
  return text as Duration;
}

/** Milliseconds of a policy duration; throws on text the SDK cannot read. */
export function durationMs(text: DurationText): number {
  const ms = msToNumber(asDuration(text));
  if (!Number.isFinite(ms) || ms <= 0) throw new TypeError(`not a positive duration: "${text}"`);
  return ms;
}
