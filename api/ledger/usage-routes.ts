/**
 * `POST /v1/usage` and `POST /v1/usage/batch`: the product backend records usage charges on wallets (service
 * credential only). One charge is one ledger movement under its own key, with the ledger's rules whichever route
 * sends it: gift first, then recharge, and only `credit` may go negative. A batch is up to 1,000 charges, each with
 * its own key and its own answer: a charge refused, invalid or failed never changes another's.
 */
import { Router, type Request } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { recordOperation } from '../../db/accounts/operation-log';
import { ruleWantsCheck } from '../../db/auto-topup/rules';
import { usageResultOf, type UsageResult } from '../../db/ledger/ledger';
import type { MovementBatcher } from '../../db/ledger/movement-batcher';
import { findLowBalance } from '../../db/ledger/low-balance';
import { autoTopupCheckStart, lowBalanceWorkflowId, NEGATIVE_BALANCE_WALLETS, WALLETS, WORKFLOW_NAMES, type TopupPolicy, type Wallet } from '../../workflows/definitions';
import { requireRole } from '../accounts/auth';
import { errorLanguage } from '../shared/error-language';
import { errorBody, HttpError, httpErrorOf } from '../shared/errors';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENCY_KEY_PATTERN, idempotent } from '../shared/idempotency';
import { startWorkflow } from '../shared/start-workflow';

/** The ledger key of a usage charge: the caller's key, so a retry through any path (single or batch) is one charge. */
const LEDGER_KEY_PREFIX = 'usage:';

/** The longest caller's key: the ledger's keys are at most 200 characters. */
const USAGE_KEY_MAX_LENGTH = IDEMPOTENCY_KEY_MAX_LENGTH - LEDGER_KEY_PREFIX.length;

/** The most charges in one batch. */
export const USAGE_BATCH_MAX = 1000;
/** The JSON body limit of a batch: 1,000 charges with long keys and memos fit. */
export const USAGE_BATCH_BODY_LIMIT = '1mb';

/** `POST /v1/usage`: the amount is in the wallet's unit (rupiah, or visitors for `muv`). */
export const ZRecordUsageRequest = z.strictObject({
  accountId: z.string().min(1).max(100),
  wallet: z.enum(WALLETS),
  amount: z.number().int('must be a whole number').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER),
  memo: z.string().max(500).optional(),
  /** The product's service the usage is for: the usage report breaks usage down by it. */
  service: z.string().trim().min(1, 'must be 1 to 100 characters when given').max(100, 'must be 1 to 100 characters when given').optional(),
});
export type TRecordUsageRequest = z.infer<typeof ZRecordUsageRequest>;

/** One charge of a batch: a charge and its own idempotency key. */
export const ZUsageBatchCharge = ZRecordUsageRequest.extend({
  idempotencyKey: z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN, `must be 1 to ${USAGE_KEY_MAX_LENGTH} characters of A-Z, a-z, 0-9, _ . : -`)
    .max(USAGE_KEY_MAX_LENGTH, `must be 1 to ${USAGE_KEY_MAX_LENGTH} characters of A-Z, a-z, 0-9, _ . : -`),
});

/** `POST /v1/usage/batch`: up to {@link USAGE_BATCH_MAX} charges. Each is checked on its own; the list must be a list. */
export const ZUsageBatchRequest = z.strictObject({
  charges: z.array(z.unknown()).min(1, 'must name at least one charge').max(USAGE_BATCH_MAX, `at most ${USAGE_BATCH_MAX} charges`),
});

/** What one charge of a batch got: the status the single route would answer, and its body. */
export type UsageBatchAnswer =
  | { index: number; idempotencyKey: string | null; status: 201; result: UsageResult }
  | { index: number; idempotencyKey: string | null; status: number; error: { code: string; message: string; fields: { path: string; rule: string }[] } };

/** What the usage routes need: the ledger (charges arriving together are applied together), and Temporal to start a low-balance notice. */
export interface UsageRouteDeps {
  pool: Pool;
  ledger: MovementBatcher;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
}

/**
 * Starts the owner's low-balance notice when a charge took the wallet below its threshold. The workflow id
 * names the reference top-up, so a second start (a concurrent charge, a retry) is a no-op; a start lost to a
 * crash is made by the next charge, since the notice stays due until it is sent.
 */
async function noticeLowBalance(deps: UsageRouteDeps, accountId: string, wallet: string): Promise<void> {
  const low = await findLowBalance(deps.pool, accountId, wallet, deps.policy.lowBalancePercent);
  if (!low) return;
  const input = { accountId, wallet, referenceEntryId: low.referenceEntryId, percent: deps.policy.lowBalancePercent };
  try {
    await startWorkflow(deps.temporal, 'lowBalanceNotice', { taskQueue: deps.taskQueue, workflowId: lowBalanceWorkflowId(input), args: [input] });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/**
 * Wakes the wallet's automatic top-up rule when this charge left the wallet below an active rule's threshold. The
 * rule's workflow checks the wallet once per wake-up, one check at a time, so a burst of charges makes one top-up.
 */
async function wakeAutoTopup(deps: UsageRouteDeps, accountId: string, wallet: Wallet, balance: number): Promise<void> {
  if (!(await ruleWantsCheck(deps.pool, accountId, wallet, balance))) return;
  await deps.temporal.workflow.signalWithStart(WORKFLOW_NAMES.autoTopupRule, autoTopupCheckStart({ accountId, wallet, policy: deps.policy }, deps.taskQueue, 'balance'));
}

/** Records one charge under the caller's key and logs it; the ledger's refusals are thrown as they come. */
async function recordCharge(deps: UsageRouteDeps, req: Request, charge: TRecordUsageRequest, key: string): Promise<UsageResult> {
  const answer = await deps.ledger.submit({
    kind: 'usage',
    ...charge,
    idempotencyKey: `${LEDGER_KEY_PREFIX}${key}`,
    allowNegative: NEGATIVE_BALANCE_WALLETS.includes(charge.wallet),
  });
  if (answer.status === 'refused') throw answer.error;
  const result = usageResultOf(answer.entry);
  await recordOperation(deps.pool, {
    accountId: charge.accountId,
    actorId: req.principal!.userId,
    action: 'usage.record',
    details: { wallet: charge.wallet, amount: charge.amount, entryId: result.entryId, memo: charge.memo ?? null, service: charge.service ?? null },
  });
  return result;
}

/**
 * One charge of a batch, answered on its own: invalid input, a refusal of the ledger or a failure becomes this
 * charge's answer only. Independent of the others by construction, so a later change may run them together.
 */
async function batchCharge(deps: UsageRouteDeps, req: Request, raw: unknown, index: number, seen: Map<string, number>): Promise<UsageBatchAnswer> {
  const key = typeof raw === 'object' && raw !== null && typeof (raw as { idempotencyKey?: unknown }).idempotencyKey === 'string' ? (raw as { idempotencyKey: string }).idempotencyKey : null;
  try {
    const { idempotencyKey, ...charge } = ZUsageBatchCharge.parse(raw);
    if (seen.get(idempotencyKey) !== index) {
      const rule = 'is used by another charge of this batch';
      throw new HttpError(422, 'idempotency_key_reused', `idempotencyKey: ${rule}`, [{ path: 'idempotencyKey', rule }]);
    }
    return { index, idempotencyKey, status: 201, result: await recordCharge(deps, req, charge, idempotencyKey) };
  } catch (err) {
    const http = httpErrorOf(err, req.log);
    return { index, idempotencyKey: key, status: http.status, error: errorBody(http, errorLanguage(req)).error };
  }
}

/** Builds the `/v1/usage` router. */
export function usageRouter(deps: UsageRouteDeps): Router {
  const router = Router();
  router.post('/', requireRole('service'), idempotent(deps.pool, 'usage', { required: true, maxLength: USAGE_KEY_MAX_LENGTH }), async (req, res) => {
    const body = ZRecordUsageRequest.parse(req.body);
    // The ledger's refusals (an uncovered charge, a reused key, no such account) are answered by the error map.
    const result = await recordCharge(deps, req, body, req.header(IDEMPOTENCY_HEADER)!);
    await noticeLowBalance(deps, body.accountId, body.wallet);
    await wakeAutoTopup(deps, body.accountId, body.wallet, result.balanceAfter.current);
    res.status(201).json(result);
  });

  router.post('/batch', requireRole('service'), async (req, res) => {
    const { charges } = ZUsageBatchRequest.parse(req.body);
    // The first charge with a key owns it; a later one with the same key is answered 422 (the ledger's key is one charge).
    const seen = new Map<string, number>();
    charges.forEach((c, i) => {
      const key = (c as { idempotencyKey?: unknown } | null)?.idempotencyKey;
      if (typeof key === 'string' && !seen.has(key)) seen.set(key, i);
    });
    const answers: UsageBatchAnswer[] = [];
    for (const [index, charge] of charges.entries()) answers.push(await batchCharge(deps, req, charge, index, seen));
    // Each wallet the batch charged, with its balance after the batch's last charge on it.
    const touched = new Map<string, { accountId: string; wallet: Wallet; balance: number }>();
    for (const a of answers) {
      if ('result' in a) touched.set(`${a.result.balanceAfter.accountId}\u0000${a.result.balanceAfter.wallet}`, { accountId: a.result.balanceAfter.accountId, wallet: a.result.balanceAfter.wallet, balance: a.result.balanceAfter.current });
    }
    for (const { accountId, wallet, balance } of touched.values()) {
      await noticeLowBalance(deps, accountId, wallet);
      await wakeAutoTopup(deps, accountId, wallet, balance);
    }
    const charged = answers.filter((a) => a.status === 201).length;
    res.status(200).json({ charged, refused: answers.length - charged, answers });
  });
  return router;
}
