/**
 * Automatic top-up (issue 20): a rule per wallet, run by one long-running workflow per rule, `auto-topup-<account>-
 * <wallet>`, woken when a usage charge (or an invoice paid from the deposit) takes the wallet below its threshold,
 * or when the owner saves the rule. Shared by the API (which starts and wakes it) and the activities.
 */
import { defineSignal } from '@temporalio/workflow';
import { SA_ACCOUNT_ID, SA_WALLET } from '../orders/search-attributes';
import type { TopupPolicy, Wallet } from '../shared/policy';

/** How a rule tops up: to a target balance, or by a fixed amount. */
export const AUTO_TOPUP_MODES = ['target', 'fixed'] as const;
export type AutoTopupMode = (typeof AUTO_TOPUP_MODES)[number];

/** What became of an attempt. `charging` is the one in flight. */
export const AUTO_TOPUP_OUTCOMES = ['charging', 'succeeded', 'declined', 'charge_refused', 'cap_reached', 'amount_above_limit', 'not_allowed', 'rule_paused'] as const;
export type AutoTopupOutcome = (typeof AUTO_TOPUP_OUTCOMES)[number];

/** The outcomes that stop an attempt without a charge, or end one that failed. */
export type AutoTopupFailure = Exclude<AutoTopupOutcome, 'charging' | 'succeeded'>;

/** Input of a rule's workflow: its wallet, and the policy it runs under (product rules, when it pauses). */
export interface AutoTopupRuleInput {
  accountId: string;
  wallet: Wallet;
  policy: TopupPolicy;
}

/** The workflow of a wallet's rule. */
export function autoTopupWorkflowId(accountId: string, wallet: string): string {
  return `auto-topup-${accountId}-${wallet}`;
}

/** Wakes the rule's workflow: the balance went down (`balance`), or the rule was saved (`rule`). It checks the wallet. */
export const autoTopupCheckSignal = defineSignal<[{ reason: 'balance' | 'rule' }]>('autoTopupCheck');

/** The arguments of a signal-with-start that wakes (and, when it is not running, starts) a rule's workflow. */
export function autoTopupCheckStart(input: AutoTopupRuleInput, taskQueue: string, reason: 'balance' | 'rule') {
  return {
    workflowId: autoTopupWorkflowId(input.accountId, input.wallet),
    taskQueue,
    args: [input] as [AutoTopupRuleInput],
    signal: autoTopupCheckSignal,
    signalArgs: [{ reason }] as [{ reason: 'balance' | 'rule' }],
    staticSummary: `Automatic top-up of the ${input.wallet} wallet of ${input.accountId}`,
    typedSearchAttributes: [
      { key: SA_ACCOUNT_ID, value: input.accountId },
      { key: SA_WALLET, value: input.wallet },
    ],
  };
}
