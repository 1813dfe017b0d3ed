/** The amount of an automatic top-up (workflows/auto-topup/amount-rules.ts): computed once, counting pending top-ups, shaped by the wallet's rules. */
import fc from 'fast-check';
import { planAutoTopup, type AutoTopupAmountRule } from '../../workflows/auto-topup/amount-rules';
import { DEFAULT_POLICY, WALLETS, type Wallet } from '../../workflows/shared/policy';

const target = (threshold: number, amount: number): AutoTopupAmountRule => ({ threshold, mode: 'target', amount });
const fixed = (threshold: number, amount: number): AutoTopupAmountRule => ({ threshold, mode: 'fixed', amount });

test('When the balance is not below the threshold, or pending top-ups bring it above, then nothing is charged', () => {
  expect(planAutoTopup('credit', target(100_000, 500_000), 100_000, 0, DEFAULT_POLICY)).toEqual({ kind: 'none', reason: 'the balance is not below the threshold' });
  expect(planAutoTopup('credit', fixed(100_000, 200_000), 40_000, 60_000, DEFAULT_POLICY)).toEqual({ kind: 'none', reason: 'top-ups on their way bring the balance above the threshold' });
});

test('When a target-balance rule fires, then it buys the target less the balance and the pending top-ups, plus the 3.5 % card fee', () => {
  expect(planAutoTopup('credit', target(100_000, 500_000), 20_000, 50_000, DEFAULT_POLICY)).toEqual({ kind: 'charge', requested: 430_000, credit: 430_000, price: 430_000, fee: 15_050, charged: 445_050, adjustment: null });
  // An outstanding (negative) credit balance is part of the gap.
  expect(planAutoTopup('credit', target(0, 100_000), -5_000, 0, DEFAULT_POLICY)).toMatchObject({ credit: 105_000 });
});

test("When the wallet's rules apply, then credit and WhatsApp are raised to their minimums, muv rounds up to whole packs, a deposit stops above its maximum", () => {
  expect(planAutoTopup('credit', fixed(50_000, 5_000), 0, 0, DEFAULT_POLICY)).toMatchObject({ credit: 10_000, adjustment: 'raised to the minimum credit top-up of IDR 10,000' });
  expect(planAutoTopup('whatsapp', target(200_000, 500_000), 0, 0, DEFAULT_POLICY)).toMatchObject({ credit: 1_000_000, price: 1_000_000, fee: 35_000, charged: 1_035_000 });
  expect(planAutoTopup('muv', target(1_000, 1_200), 0, 0, DEFAULT_POLICY)).toEqual({ kind: 'charge', requested: 1_200, credit: 1_500, price: 900_000, fee: 31_500, charged: 931_500, adjustment: 'rounded up to 3 whole packs of 500 visitors' });
  expect(planAutoTopup('deposit', target(100_000, 400_000), 0, 0, DEFAULT_POLICY)).toEqual({ kind: 'above_limit', requested: 400_000, reason: 'IDR 400,000 is above the largest deposit top-up, IDR 250,000' });
  expect(planAutoTopup('deposit', fixed(100_000, 20_000), 0, 0, DEFAULT_POLICY)).toMatchObject({ credit: 35_000 });
});

test('When any rule fires, then the wallet ends at or above its target once the pending top-ups land, and the charge is the price plus its fee', () => {
  fc.assert(
    fc.property(
      fc.constantFrom<Wallet>(...WALLETS.filter((w) => w !== 'deposit')),
      fc.integer({ min: 0, max: 5_000_000 }),
      fc.integer({ min: 1, max: 5_000_000 }),
      fc.integer({ min: -1_000_000, max: 5_000_000 }),
      fc.integer({ min: 0, max: 5_000_000 }),
      fc.boolean(),
      (wallet, threshold, extra, balance, pending, isTarget) => {
        const rule = isTarget ? target(threshold, threshold + extra) : fixed(threshold, extra);
        const plan = planAutoTopup(wallet, rule, balance, pending, DEFAULT_POLICY);
        if (balance + pending >= threshold) return plan.kind === 'none';
        if (plan.kind !== 'charge') return false;
        const landsAtTarget = !isTarget || balance + pending + plan.credit >= threshold + extra;
        return landsAtTarget && plan.charged === plan.price + plan.fee && Number.isSafeInteger(plan.charged) && plan.credit >= plan.requested;
      },
    ),
  );
});
