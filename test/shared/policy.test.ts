/** The policy: DOMAIN.md defaults, partial overrides from a file, and the amount rules built on it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { loadPolicy, resolvePolicy } from '../../config/policy-file';
import { bankTransferAmountViolation } from '../../workflows/bank-transfer/amount-rules';
import { DEFAULT_POLICY, durationMs } from '../../workflows/shared/policy';

test('When no policy file is given, then the defaults are the numbers of DOMAIN.md', () => {
  expect(loadPolicy(undefined)).toEqual(DEFAULT_POLICY);
  expect(durationMs(DEFAULT_POLICY.unsubmittedCloseAfter)).toBe(120 * 3_600_000);
  expect(durationMs(DEFAULT_POLICY.reviewWindow)).toBe(24 * 3_600_000);
  expect(DEFAULT_POLICY).toMatchObject({ creditMinAmount: 10_000, depositMinAmount: 35_000, depositMaxAmount: 250_000, whatsappMinAmount: 1_000_000 });
});

test('When a policy file shortens the windows for a demo, then only its keys change', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'policy-')), 'policy.json');
  fs.writeFileSync(file, JSON.stringify({ unsubmittedCloseAfter: '10s', reviewWindow: '30s' }));
  expect(loadPolicy(file)).toEqual({ ...DEFAULT_POLICY, unsubmittedCloseAfter: '10s', reviewWindow: '30s' });
});

test('When a policy file breaks a rule, then the error names each bad key and the rule', () => {
  expect(() => resolvePolicy({ reviewWindow: 'soon', creditMinAmount: 1.5, refundable: true }, 'demo.json')).toThrow(
    /Invalid top-up policy in demo\.json:\n {2}reviewWindow: must be a positive duration[^\n]*\n {2}creditMinAmount: must be a whole number\n {2}\(root\): Unrecognized key: "refundable"/,
  );
  expect(() => resolvePolicy({ depositMinAmount: 300_000 })).toThrow(/depositMinAmount: must not exceed depositMaxAmount/);
});

test('When a bank-transfer amount is checked, then credit needs at least 10,000 and a deposit 35,000 to 250,000', () => {
  const check = (wallet: 'credit' | 'deposit' | 'whatsapp', amount: number) => bankTransferAmountViolation(wallet, amount, DEFAULT_POLICY);
  expect(check('credit', 9_999)).toEqual({ field: 'amount', rule: 'must be at least IDR 10,000 for the credit wallet' });
  expect(check('credit', 10_000)).toBeNull();
  expect(check('deposit', 34_999)).toEqual({ field: 'amount', rule: 'must be between IDR 35,000 and IDR 250,000 for a deposit' });
  expect(check('deposit', 250_001)?.field).toBe('amount');
  expect(check('deposit', 35_000)).toBeNull();
  expect(check('deposit', 250_000)).toBeNull();
  expect(check('whatsapp', 1_000_000)?.field).toBe('wallet');
  expect(check('credit', 10_000.5)).toEqual({ field: 'amount', rule: 'must be a positive whole number of rupiah' });
});

test('When any whole credit amount is checked, then it is accepted exactly when it reaches the minimum', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 10_000_000 }), (amount, min) => {
      const violation = bankTransferAmountViolation('credit', amount, { ...DEFAULT_POLICY, creditMinAmount: min });
      return (violation === null) === amount >= min;
    }),
  );
});
