/**
 * The amount rules of each wallet (DOMAIN.md "Wallets"), pure so the API refuses early and the workflow
 * checks again. A refusal names the field and the rule, in words a customer understands.
 */
import { formatRupiah } from '../shared/rupiah';
import { BANK_TRANSFER_WALLETS, type TopupPolicy, type Wallet } from '../shared/policy';

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

/** Why `amount` cannot be a bank-transfer top-up of `wallet`, or null when it can. */
export function bankTransferAmountViolation(wallet: Wallet, amount: number, policy: TopupPolicy): RuleViolation | null {
  if (!BANK_TRANSFER_WALLETS.includes(wallet)) {
    return { field: 'wallet', rule: `the ${wallet} wallet is topped up online only; bank transfer takes ${BANK_TRANSFER_WALLETS.join(' or ')}` };
  }
  if (!Number.isSafeInteger(amount) || amount <= 0) return { field: 'amount', rule: 'must be a positive whole number of rupiah' };
  const rule = walletLimitRule(wallet, amount, policy);
  return rule ? { field: 'amount', rule } : null;
}

/** What the deposit rules look at: the account's active subscriptions and its unpaid invoices. */
export interface DepositStanding {
  activeSubscriptions: number;
  unpaidInvoiceIds: string[];
}

/**
 * Why the account may not top up its deposit now (seed 002), or null: it needs an active service, and no
 * invoice may be unpaid (pay that invoice instead: its order settles it).
 */
export function depositEligibilityRule(standing: DepositStanding): string | null {
  if (standing.unpaidInvoiceIds.length > 0) {
    return `a deposit top-up is refused while an invoice is unpaid (${standing.unpaidInvoiceIds.join(', ')}); pay the invoice first: POST /v1/invoices/{id}/pay`;
  }
  if (standing.activeSubscriptions === 0) return 'a deposit top-up needs an active subscription';
  return null;
}
