/**
 * The self top-up rules of seed 001 (DOMAIN.md "Online self top-up"): what each wallet line bills and
 * credits, and the credit-card fee. Pure, shared by the API (early 400s) and the workflow (checked again).
 */
import { walletLimitRule, type RuleViolation } from '../shared/wallet-rules';
import { formatRupiah } from '../shared/rupiah';
import type { PaymentMethod, TopupPolicy, Wallet } from '../shared/policy';

/** One wallet of an online order as the customer asked for it: IDR, or a count of packs for `muv` (DOMAIN.md). */
export interface OnlineLineRequest {
  wallet: Wallet;
  amount: number;
}

/** One wallet of an online order as it will be billed and credited. */
export interface OnlineLine {
  wallet: Wallet;
  /** What the customer asked for (IDR, or packs for `muv`). */
  requested: number;
  /** What the wallet receives, in its own unit (IDR, or visitors for `muv`). */
  credit: number;
  /** What this line bills, IDR. */
  price: number;
  /** Set when the request was changed by a rule, e.g. raised to the WhatsApp minimum. */
  adjustment: string | null;
}

/** What an online order bills. */
export interface OnlineBill {
  lines: OnlineLine[];
  subtotal: number;
  /** The credit-card fee, 0 for other methods. */
  fee: number;
  total: number;
}

/** Prices one requested line, or says which rule it breaks. */
export function priceOnlineLine(req: OnlineLineRequest, policy: TopupPolicy, index = 0): OnlineLine | RuleViolation {
  const field = `lines.${index}.amount`;
  const { wallet, amount } = req;
  if (!Number.isSafeInteger(amount) || amount <= 0) return { field, rule: 'must be a positive whole number' };
  const line = (credit: number, price: number, adjustment: string | null = null): OnlineLine => ({ wallet, requested: amount, credit, price, adjustment });
  switch (wallet) {
    case 'whatsapp':
      // The seed: "if you input below IDR 1,000,000, the system will automatically adjust it to IDR 1,000,000".
      return amount < policy.whatsappMinAmount
        ? line(policy.whatsappMinAmount, policy.whatsappMinAmount, `raised to the minimum WhatsApp top-up of ${formatRupiah(policy.whatsappMinAmount)}`)
        : line(amount, amount);
    case 'muv': {
      // A count of whole packs (DOMAIN.md: "amount is a count of packs"); the wallet receives the visitors they buy.
      const visitors = amount * policy.muvPackVisitors;
      const price = amount * policy.muvPackPrice;
      if (!Number.isSafeInteger(visitors) || !Number.isSafeInteger(price)) {
        return { field, rule: `must be at most ${Math.floor(Number.MAX_SAFE_INTEGER / Math.max(policy.muvPackVisitors, policy.muvPackPrice))} packs` };
      }
      return line(visitors, price);
    }
    case 'credit':
    case 'deposit': {
      const rule = walletLimitRule(wallet, amount, policy);
      return rule ? { field, rule } : line(amount, amount);
    }
  }
}

/** The fee of paying `subtotal` with `method`: basis points of the amount billed, rounded half up to a rupiah. */
export function paymentFee(subtotal: number, method: PaymentMethod, policy: TopupPolicy): number {
  if (method !== 'credit_card') return 0;
  // BigInt: subtotal × basis points can pass 2^53 long before the subtotal does.
  return Number((BigInt(subtotal) * BigInt(policy.creditCardFeeBasisPoints) + 5_000n) / 10_000n);
}

/**
 * An online order that pays a subscription invoice (issue 21): one deposit line of exactly the invoice's amount, and
 * the method's fee. The deposit's per-top-up limits do not apply: the money leaves the deposit for the invoice at once.
 */
export function priceInvoicePayment(invoiceId: string, amount: number, method: PaymentMethod, policy: TopupPolicy): OnlineBill {
  const line: OnlineLine = { wallet: 'deposit', requested: amount, credit: amount, price: amount, adjustment: `pays subscription invoice ${invoiceId}` };
  const fee = paymentFee(amount, method, policy);
  return { lines: [line], subtotal: amount, fee, total: amount + fee };
}

/** Prices a whole online order: every line (one per wallet, at least one), the fee and the total. */
export function priceOnlineOrder(requests: OnlineLineRequest[], method: PaymentMethod, policy: TopupPolicy): OnlineBill | RuleViolation[] {
  const problems: RuleViolation[] = [];
  if (requests.length === 0) problems.push({ field: 'lines', rule: 'must name at least one wallet' });
  const seen = new Set<Wallet>();
  const lines: OnlineLine[] = [];
  requests.forEach((req, i) => {
    if (seen.has(req.wallet)) problems.push({ field: `lines.${i}.wallet`, rule: `${req.wallet} appears twice; one line per wallet` });
    seen.add(req.wallet);
    const priced = priceOnlineLine(req, policy, i);
    if ('rule' in priced) problems.push(priced);
    else lines.push(priced);
  });
  if (problems.length > 0) return problems;
  const subtotal = lines.reduce((sum, l) => sum + l.price, 0);
  const fee = paymentFee(subtotal, method, policy);
  return { lines, subtotal, fee, total: subtotal + fee };
}
