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

/** How an order is paid. Bank transfer is reviewed by finance; the others are online (issue: self top-up). */
export const PAYMENT_METHODS = ['bank_transfer', 'virtual_account', 'credit_card', 'ewallet'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** The top-up policy snapshot an order runs under. */
export interface TopupPolicy {
  /** An order never submitted is Closed this long after creation. */
  unsubmittedCloseAfter: DurationText;
  /** Finance decides within this window from each submission, or the order becomes Payment Failure. */
  reviewWindow: DurationText;
  /** A Payment Failure order untouched this long is final (no longer editable). */
  paymentFailureFinalAfter: DurationText;
  /** A Closed online order still accepts a late payment (for finance to credit or refund) this long. */
  latePaymentWatch: DurationText;
  /**
   * A confirmed online order whose invoice the gateway cannot issue for this long returns to Unpaid, with the
   * reason on the order (the gateway is asked again and again meanwhile).
   */
  invoiceIssueGiveUpAfter: DurationText;
  /** Smallest top-up of the `credit` wallet, IDR. */
  creditMinAmount: number;
  /** Smallest top-up of the `whatsapp` wallet, IDR; a smaller request is raised to it. */
  whatsappMinAmount: number;
  /** Visitors in one `muv` pack, and its price in IDR; `muv` is bought in whole packs only. */
  muvPackVisitors: number;
  muvPackPrice: number;
  /** Per-order limits of the `deposit` wallet, IDR. */
  depositMinAmount: number;
  depositMaxAmount: number;
  /** A subscription's renewal invoice is issued this many days before its period ends. */
  invoiceLeadDays: number;
  /** Fee on the amount billed when paying by credit card, in basis points (350 = 3.5 %). */
  creditCardFeeBasisPoints: number;
  /** The owner is told once when a wallet falls below this percentage of its last paid top-up. */
  lowBalancePercent: number;
  /** A webhook request answered 2xx within this long is delivered; anything slower is a failed attempt. */
  webhookAttemptTimeout: DurationText;
  /** The wait after a webhook event's first failed attempt; each further failure doubles it, up to the next key. */
  webhookFirstRetryAfter: DurationText;
  /** The longest wait between two attempts of one webhook event. */
  webhookMaxRetryInterval: DurationText;
  /** How long an event is retried from its first attempt before its endpoint is marked failing (the owner is emailed). */
  webhookRetryFor: DurationText;
  /** How long a rotated webhook signing secret still signs (beside the new one). */
  webhookSecretOverlap: DurationText;
  /** Webhook endpoints one account may have. */
  webhookMaxEndpoints: number;
  /** Consecutive failed charges after which an automatic top-up rule pauses itself. */
  autoTopupPauseAfterFailures: number;
  /** Finance is reminded of each open payment exception this often until someone resolves it. */
  exceptionReminderInterval: DurationText;
}

/** The defaults of DOMAIN.md. */
export const DEFAULT_POLICY: TopupPolicy = {
  unsubmittedCloseAfter: '120h',
  reviewWindow: '24h',
  paymentFailureFinalAfter: '120h',
  latePaymentWatch: '90 days',
  invoiceIssueGiveUpAfter: '10m',
  creditMinAmount: 10_000,
  whatsappMinAmount: 1_000_000,
  muvPackVisitors: 500,
  muvPackPrice: 300_000,
  depositMinAmount: 35_000,
  depositMaxAmount: 250_000,
  invoiceLeadDays: 7,
  creditCardFeeBasisPoints: 350,
  lowBalancePercent: 40,
  webhookAttemptTimeout: '10s',
  webhookFirstRetryAfter: '30s',
  webhookMaxRetryInterval: '1h',
  webhookRetryFor: '3 days',
  webhookSecretOverlap: '24h',
  webhookMaxEndpoints: 10,
  autoTopupPauseAfterFailures: 3,
  exceptionReminderInterval: '24h',
};

/** Wallets that may be paid by bank transfer (slip + review); the others are paid online only. */
export const BANK_TRANSFER_WALLETS: readonly Wallet[] = ['credit', 'deposit'];

/** Payment methods of an online top-up (virtual account, card, e-wallet). */
export const ONLINE_PAYMENT_METHODS: readonly PaymentMethod[] = ['virtual_account', 'credit_card', 'ewallet'];

/** Wallets whose balance may go negative (unbilled usage becomes an outstanding balance). */
export const NEGATIVE_BALANCE_WALLETS: readonly Wallet[] = ['credit'];

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
