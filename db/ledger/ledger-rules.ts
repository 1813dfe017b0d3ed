/**
 * The ledger's rules as pure functions: how a top-up, a usage charge or a gift splits across a wallet's parts,
 * and the postings that record the split. No I/O; `ledger.ts` applies them under the wallet's row lock and
 * `ledger-checker.ts` replays them to verify stored entries.
 *
 * Sign convention (also in db/migrations/002_ledger.sql): a posting amount is positive for a credit, negative
 * for a debit, and an entry's postings sum to zero. `wallet:recharge` and `wallet:gift` are credit-normal,
 * `wallet:unbilled` is debit-normal (a receivable), so recharge = Σ recharge postings, gift = Σ gift postings,
 * unbilled = −Σ unbilled postings, and the current balance is the sum of all three accounts' postings.
 */

/** The three parts of a wallet balance, in the wallet's unit (IDR for money wallets). */
export interface WalletParts {
  recharge: number;
  gift: number;
  unbilled: number;
}

/** Ledger accounts: three per customer wallet, and the provider's side of each movement. */
export type LedgerAccount = 'wallet:recharge' | 'wallet:gift' | 'wallet:unbilled' | 'cash:received' | 'revenue:usage' | 'expense:gift';

/** One line of an entry: a credit (> 0) or a debit (< 0) of a ledger account. */
export interface Posting {
  ledgerAccount: LedgerAccount;
  amount: number;
}

/** A planned movement: its postings (zero amounts left out) and the wallet right after it. */
export interface Movement {
  postings: Posting[];
  after: WalletParts;
}

/** Current balance: recharge + gift − unbilled. */
export function currentBalance(parts: WalletParts): number {
  return parts.recharge + parts.gift - parts.unbilled;
}

/** A paid top-up: settles outstanding unbilled usage first, adds the rest to recharge. */
export function planTopup(before: WalletParts, amount: number): Movement & { settled: number; added: number } {
  const settled = Math.min(amount, before.unbilled);
  const added = amount - settled;
  return {
    settled,
    added,
    postings: nonZero([
      { ledgerAccount: 'cash:received', amount: -amount },
      { ledgerAccount: 'wallet:unbilled', amount: settled },
      { ledgerAccount: 'wallet:recharge', amount: added },
    ]),
    after: { recharge: before.recharge + added, gift: before.gift, unbilled: before.unbilled - settled },
  };
}

/**
 * A usage charge: gift first, then recharge, the rest to unbilled when the wallet may go negative.
 * Returns null when the charge is not covered and the wallet may not go negative.
 */
export function planUsage(
  before: WalletParts,
  amount: number,
  allowNegative: boolean,
): (Movement & { fromGift: number; fromRecharge: number; toUnbilled: number }) | null {
  const fromGift = Math.min(amount, before.gift);
  const fromRecharge = Math.min(amount - fromGift, before.recharge);
  const toUnbilled = amount - fromGift - fromRecharge;
  if (toUnbilled > 0 && !allowNegative) return null;
  return {
    fromGift,
    fromRecharge,
    toUnbilled,
    postings: nonZero([
      { ledgerAccount: 'wallet:gift', amount: -fromGift },
      { ledgerAccount: 'wallet:recharge', amount: -fromRecharge },
      { ledgerAccount: 'wallet:unbilled', amount: -toUnbilled },
      { ledgerAccount: 'revenue:usage', amount },
    ]),
    after: { recharge: before.recharge - fromRecharge, gift: before.gift - fromGift, unbilled: before.unbilled + toUnbilled },
  };
}

/**
 * A gift grant adds to gift and nothing else. It deliberately does not settle unbilled usage: a gift is never
 * money received (DOMAIN.md), so it must not close a receivable as if it were paid. Usage still spends the
 * gift before anything else, so the customer gets its value.
 */
export function planGift(before: WalletParts, amount: number): Movement {
  return {
    postings: [
      { ledgerAccount: 'expense:gift', amount: -amount },
      { ledgerAccount: 'wallet:gift', amount },
    ],
    after: { recharge: before.recharge, gift: before.gift + amount, unbilled: before.unbilled },
  };
}

/**
 * A gift's expiry: what is left of one gift leaves the gift part (the provider's expense is given back). Null when
 * the wallet's gift part holds less than that: no expiry can take more than was granted and not spent.
 */
export function planGiftExpiry(before: WalletParts, amount: number): Movement | null {
  if (amount > before.gift) return null;
  return {
    postings: [
      { ledgerAccount: 'wallet:gift', amount: -amount },
      { ledgerAccount: 'expense:gift', amount },
    ],
    after: { recharge: before.recharge, gift: before.gift - amount, unbilled: before.unbilled },
  };
}

function nonZero(postings: Posting[]): Posting[] {
  return postings.filter((p) => p.amount !== 0);
}
