/** The amount rules of a bank-transfer top-up (DOMAIN.md "Bank transfer"), pure: the API refuses early, the workflow again. */
import { BANK_TRANSFER_WALLETS, type TopupPolicy, type Wallet } from '../shared/policy';
import { walletLimitRule, type RuleViolation } from '../shared/wallet-rules';

/** Why `amount` cannot be a bank-transfer top-up of `wallet`, or null when it can. */
export function bankTransferAmountViolation(wallet: Wallet, amount: number, policy: TopupPolicy): RuleViolation | null {
  if (!BANK_TRANSFER_WALLETS.includes(wallet)) {
    return { field: 'wallet', rule: `the ${wallet} wallet is topped up online only; bank transfer takes ${BANK_TRANSFER_WALLETS.join(' or ')}` };
  }
  if (!Number.isSafeInteger(amount) || amount <= 0) return { field: 'amount', rule: 'must be a positive whole number of rupiah' };
  const rule = walletLimitRule(wallet, amount, policy);
  return rule ? { field: 'amount', rule } : null;
}
