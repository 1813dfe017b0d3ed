/**
 * Loads the top-up policy: the DOMAIN.md defaults, overridden key by key by the JSON file named in
 * TOPUP_POLICY_FILE (e.g. `{"unsubmittedCloseAfter": "10s"}` for a demo). Validated with zod at start.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { DEFAULT_POLICY, durationMs, type TopupPolicy } from '../workflows/shared/policy';

const duration = z.string().refine(
  (s) => {
    try {
      durationMs(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be a positive duration such as "120h", "24h" or "10s"' },
);

const amount = z.number().int('must be a whole number').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER);

const PolicyOverrideSchema = z
  .object({
    unsubmittedCloseAfter: duration,
    reviewWindow: duration,
    paymentFailureFinalAfter: duration,
    latePaymentWatch: duration,
    invoiceIssueGiveUpAfter: duration,
    creditMinAmount: amount,
    whatsappMinAmount: amount,
    muvPackVisitors: amount,
    muvPackPrice: amount,
    depositMinAmount: amount,
    depositMaxAmount: amount,
    invoiceLeadDays: z.number().int('must be a whole number').min(1).max(28, 'must be between 1 and 28 days'),
    creditCardFeeBasisPoints: z.number().int('must be a whole number').min(0).max(10_000, 'must be at most 10000 (100 %)'),
    lowBalancePercent: z.number().int('must be a whole number').min(1).max(99, 'must be between 1 and 99'),
    webhookAttemptTimeout: duration,
    webhookFirstRetryAfter: duration,
    webhookMaxRetryInterval: duration,
    webhookRetryFor: duration,
    webhookSecretOverlap: duration,
    webhookMaxEndpoints: z.number().int('must be a whole number').min(1).max(100, 'must be between 1 and 100'),
    autoTopupPauseAfterFailures: z.number().int('must be a whole number').min(1).max(100, 'must be between 1 and 100'),
    exceptionReminderInterval: duration,
  })
  .partial()
  .strict()
  .refine((p) => (p.depositMinAmount ?? DEFAULT_POLICY.depositMinAmount) <= (p.depositMaxAmount ?? DEFAULT_POLICY.depositMaxAmount), {
    message: 'must not exceed depositMaxAmount',
    path: ['depositMinAmount'],
  });

/** Merges `overrides` (a parsed JSON object) onto the defaults; throws naming each bad key. */
export function resolvePolicy(overrides: unknown, source = 'policy'): TopupPolicy {
  const parsed = PolicyOverrideSchema.safeParse(overrides);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`Invalid top-up policy in ${source}:\n${lines.join('\n')}`);
  }
  return { ...DEFAULT_POLICY, ...parsed.data };
}

/** The policy of this deployment: defaults, or defaults plus the file's keys. */
export function loadPolicy(file: string | undefined): TopupPolicy {
  if (!file) return { ...DEFAULT_POLICY };
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`TOPUP_POLICY_FILE=${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return resolvePolicy(json, `TOPUP_POLICY_FILE=${file}`);
}
