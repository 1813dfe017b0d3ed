/**
 * The limits of each wallet (DOMAIN.md "Wallets") that every kind of order applies, pure so the API refuses
 * early and the workflow checks again. A refusal names the field and the rule, in words a customer understands.
 */
import { formatRupiah } from './rupiah';
import type { TopupPolicy, Wallet } from './policy';

/** A broken rule: which field, and the rule it breaks. */
export interface RuleViolation {
  field: string;
  rule: string;
}

/** The limit rule of the IDR wallets with limits (credit, deposit) that `amount` breaks, or null. */
export function walletLimitRule(wallet: Wallet, amount: number, policy: TopupPolicy): string | null {
  if (wallet === 'credit' && amount < policy.creditMinAmount) return `must be at least ${formatRupiah(policy.creditMinAmount)} for the credit wallet`;
  if (wallet === 'deposit' && (amount < policy.depositMinAmount || amount > policy.depositMaxAmount)) {
    return `must be between ${formatRupiah(policy.depositMinAmount)} and ${formatRupiah(policy.depositMaxAmount)} for a deposit`;
  }
  return null;
}
