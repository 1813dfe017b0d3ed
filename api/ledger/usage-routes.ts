/** `POST /v1/usage`: the product backend records a usage charge on a wallet (service credential only). */
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { recordOperation } from '../../db/accounts/operation-log';
import { usageResultOf } from '../../db/ledger/ledger';
import type { MovementBatcher } from '../../db/ledger/movement-batcher';
import { findLowBalance } from '../../db/ledger/low-balance';
import { lowBalanceWorkflowId, NEGATIVE_BALANCE_WALLETS, WALLETS, type TopupPolicy } from '../../workflows/definitions';
import { requireRole } from '../accounts/auth';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, idempotent } from '../shared/idempotency';
import { startWorkflow } from '../shared/start-workflow';

/** `POST /v1/usage`: the amount is in the wallet's unit (rupiah, or visitors for `muv`). */
export const ZRecordUsageRequest = z.strictObject({
  accountId: z.string().min(1).max(100),
  wallet: z.enum(WALLETS),
  amount: z.number().int('must be a whole number').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER),
  memo: z.string().max(500).optional(),
});
export type TRecordUsageRequest = z.infer<typeof ZRecordUsageRequest>;

/** The ledger key of a usage charge: the caller's key, so a retry through any path is one charge. */
const LEDGER_KEY_PREFIX = 'usage:';

/** What the usage route needs: the ledger (charges arriving together are applied together), and Temporal to start a low-balance notice. */
export interface UsageRouteDeps {
  pool: Pool;
  ledger: MovementBatcher;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
}

/**
 * Starts the owner's low-balance notice when this charge took the wallet below its threshold. The workflow id
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

/** Builds the `/v1/usage` router. */
export function usageRouter(deps: UsageRouteDeps): Router {
  const router = Router();
  router.post(
    '/',
    requireRole('service'),
    idempotent(deps.pool, 'usage', { required: true, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH - LEDGER_KEY_PREFIX.length }),
    async (req, res) => {
      const body = ZRecordUsageRequest.parse(req.body);
      const key = req.header(IDEMPOTENCY_HEADER)!;
      const answer = await deps.ledger.submit({
        kind: 'usage',
        ...body,
        idempotencyKey: `${LEDGER_KEY_PREFIX}${key}`,
        allowNegative: NEGATIVE_BALANCE_WALLETS.includes(body.wallet),
      });
      // The ledger's refusals (an uncovered charge, a reused key, no such account) are answered by the error map.
      if (answer.status === 'refused') throw answer.error;
      const result = usageResultOf(answer.entry);
      await recordOperation(deps.pool, {
        accountId: body.accountId,
        actorId: req.principal!.userId,
        action: 'usage.record',
        details: { wallet: body.wallet, amount: body.amount, entryId: result.entryId, memo: body.memo ?? null },
      });
      await noticeLowBalance(deps, body.accountId, body.wallet);
      res.status(201).json(result);
    },
  );
  return router;
}
