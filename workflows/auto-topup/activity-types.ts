/** The activities an automatic top-up rule's workflow calls, declared here and implemented by activities/ (`satisfies`). */
import type { TopupPolicy, Wallet } from '../shared/policy';

/** What the rule's check decided (and recorded, but for `idle`). */
export type AutoTopupDecision =
  /** Nothing to do: the rule is off or paused, the balance is not low, top-ups on their way cover it, a cap's stop is recorded already. */
  | { kind: 'idle'; reason: string }
  /** A charge was recorded (outcome charging): make it. */
  | { kind: 'charge'; attemptId: string }
  /** A stop was recorded, emailed and published: cap reached, amount above the wallet's limit, not allowed. */
  | { kind: 'stopped'; attemptId: string; reason: string };

/** How the card charge went. */
export type AutoTopupChargeResult = { result: 'succeeded'; chargeRef: string } | { result: 'declined' | 'refused'; reason: string };

/** The side effects of an automatic top-up rule. */
export interface AutoTopupActivities {
  /**
   * Checks the wallet against its rule and records what it decides, once per `evaluationKey` (a retry answers the
   * same): the amount is computed here, from the balance and the pending top-ups at this moment, and the caps of the
   * day and month of `at` in the account's time zone are applied.
   */
  evaluateAutoTopup(input: { accountId: string; wallet: Wallet; evaluationKey: string; at: string; policy: TopupPolicy }): Promise<AutoTopupDecision>;
  /** Charges the saved card for the attempt, once (the attempt is the gateway's Idempotency-Key); retried until the gateway answers. */
  chargeAutoTopup(input: { attemptId: string }): Promise<AutoTopupChargeResult>;
  /** Credits the wallet (once, keyed by the attempt's order number); the attempt succeeded: email, event, metric. */
  completeAutoTopup(input: { attemptId: string; chargeRef: string }): Promise<void>;
  /**
   * The charge failed: recorded, emailed, published; after `pauseAfter` failures in a row the rule pauses itself,
   * which is recorded, emailed and published too.
   */
  failAutoTopup(input: { attemptId: string; outcome: 'declined' | 'charge_refused'; reason: string; pauseAfter: number }): Promise<{ paused: boolean }>;
}
