/**
 * How much an automatic top-up buys (pure, shared by the rule's activity and the API's tests): computed once, from
 * the balance at that moment and the top-ups already on their way (online invoices awaiting payment, slips under
 * review), then shaped by the wallet's product rules (DOMAIN.md "Wallets"): the credit and WhatsApp minimums raise
 * it, `muv` is bought in whole packs (rounded up), a deposit between its minimum and maximum. Paid by card: the
 * card fee is added to what is charged.
 */
import { paymentFee } from '../online/pricing';
import { formatRupiah } from '../shared/rupiah';
import type { TopupPolicy, Wallet } from '../shared/policy';
import type { AutoTopupMode } from './messages';

/** The part of a rule the amount depends on. */
export interface AutoTopupAmountRule {
  threshold: number;
  mode: AutoTopupMode;
  /** The target balance (mode target) or the fixed amount (mode fixed), in the wallet's unit. */
  amount: number;
}

/** What to do now. */
export type AutoTopupPlan =
  | { kind: 'none'; reason: string }
  | { kind: 'charge'; requested: number; credit: number; price: number; fee: number; charged: number; adjustment: string | null }
  | { kind: 'above_limit'; requested: number; reason: string };

/** The plan for `wallet` at `balance` with `pending` on its way (both in the wallet's unit). */
export function planAutoTopup(wallet: Wallet, rule: AutoTopupAmountRule, balance: number, pending: number, policy: TopupPolicy): AutoTopupPlan {
  if (balance >= rule.threshold) return { kind: 'none', reason: 'the balance is not below the threshold' };
  if (balance + pending >= rule.threshold) return { kind: 'none', reason: 'top-ups on their way bring the balance above the threshold' };
  const requested = rule.mode === 'target' ? rule.amount - balance - pending : rule.amount;
  const priced = (credit: number, price: number, adjustment: string | null = null): AutoTopupPlan => {
    const fee = paymentFee(price, 'credit_card', policy);
    return { kind: 'charge', requested, credit, price, fee, charged: price + fee, adjustment };
  };
  switch (wallet) {
    case 'credit':
      return requested < policy.creditMinAmount ? priced(policy.creditMinAmount, policy.creditMinAmount, `raised to the minimum credit top-up of ${formatRupiah(policy.creditMinAmount)}`) : priced(requested, requested);
    case 'whatsapp':
      return requested < policy.whatsappMinAmount
        ? priced(policy.whatsappMinAmount, policy.whatsappMinAmount, `raised to the minimum WhatsApp top-up of ${formatRupiah(policy.whatsappMinAmount)}`)
        : priced(requested, requested);
    case 'muv': {
      const packs = Math.ceil(requested / policy.muvPackVisitors);
      const visitors = packs * policy.muvPackVisitors;
      return priced(visitors, packs * policy.muvPackPrice, visitors === requested ? null : `rounded up to ${packs} whole packs of ${policy.muvPackVisitors} visitors`);
    }
    case 'deposit':
      if (requested > policy.depositMaxAmount) return { kind: 'above_limit', requested, reason: `${formatRupiah(requested)} is above the largest deposit top-up, ${formatRupiah(policy.depositMaxAmount)}` };
      return requested < policy.depositMinAmount ? priced(policy.depositMinAmount, policy.depositMinAmount, `raised to the minimum deposit top-up of ${formatRupiah(policy.depositMinAmount)}`) : priced(requested, requested);
  }
}
