/**
 * Gifts (granted credit, issue 21): finance grants a gift to a customer's wallet with a reason and an optional expiry;
 * usage spends it before recharge; what is left at the expiry leaves the balance as its own movement. A gift is never
 * money received: it never settles unbilled usage and is never paid out.
 *
 * An expiring gift's workflow (workflows/ledger/gift-expiry.ts) is started before the grant is written: once a grant
 * is answered its expiry is scheduled, whatever crashes after. Both write the grant under one ledger key, so it is
 * granted once.
 */
import { Router } from 'express';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { z } from 'zod';
import { recordOperation } from '../../db/accounts/operation-log';
import { findGift, listGifts } from '../../db/ledger/gifts';
import { grantGift } from '../../db/ledger/ledger';
import { giftWorkflowId, WALLETS, type GiftGrant } from '../../workflows/definitions';
import { actorOf, requireRole, scopedAccountId } from '../accounts/auth';
import { requireScopedAccount } from '../accounts/scoped-account';
import { ZPaging } from '../orders/schemas';
import { HttpError } from '../shared/errors';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, idempotent } from '../shared/idempotency';
import { startWorkflow } from '../shared/start-workflow';

/** The ledger key of a grant: the caller's Idempotency-Key. */
const LEDGER_KEY_PREFIX = 'gift:';
/** The longest a gift may last. */
export const GIFT_MAX_DAYS = 3650;

/** `POST /v1/gifts`. */
export const ZGrantGiftRequest = z.strictObject({
  accountId: z.string().min(1).max(100),
  wallet: z.enum(WALLETS, `must be one of ${WALLETS.join(', ')}`),
  amount: z.number().int('must be a whole number').positive('must be greater than 0').max(Number.MAX_SAFE_INTEGER),
  reason: z.string().trim().min(1, 'is required').max(500, 'must be at most 500 characters'),
  expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO date-time with a time zone, e.g. 2027-01-31T00:00:00Z' }).nullable().optional(),
});
export type TGrantGiftRequest = z.infer<typeof ZGrantGiftRequest>;

/** `GET /v1/gifts`. */
export const ZGiftsQuery = z.strictObject({ ...ZPaging.shape, accountId: z.string().min(1).max(100).optional() });

/** What the gift routes need. */
export interface GiftRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  now: () => Date;
}

/** Builds the `/v1/gifts` router. */
export function giftsRouter(deps: GiftRouteDeps): Router {
  const router = Router();

  router.post('/', requireRole('finance'), idempotent(deps.pool, 'gift', { required: true, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH - LEDGER_KEY_PREFIX.length }), async (req, res) => {
    const body = ZGrantGiftRequest.parse(req.body);
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && (expiresAt.getTime() <= deps.now().getTime() || expiresAt.getTime() > deps.now().getTime() + GIFT_MAX_DAYS * 86_400_000)) {
      const rule = `must be in the future, at most ${GIFT_MAX_DAYS} days away`;
      throw new HttpError(400, 'invalid_input', `expiresAt: ${rule}`, [{ path: 'expiresAt', rule }]);
    }
    const account = await requireScopedAccount(deps.pool, req, body.accountId);
    const grant: GiftGrant = {
      key: `${LEDGER_KEY_PREFIX}${req.header(IDEMPOTENCY_HEADER)!}`,
      accountId: account.id,
      wallet: body.wallet,
      amount: body.amount,
      reason: body.reason,
      expiresAt: expiresAt?.toISOString() ?? null,
      grantedBy: req.principal!.userId,
    };
    if (grant.expiresAt) {
      try {
        await startWorkflow(deps.temporal, 'giftExpiry', { taskQueue: deps.taskQueue, workflowId: giftWorkflowId(grant), args: [grant] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    }
    const { entryId } = await grantGift(deps.pool, { accountId: grant.accountId, wallet: grant.wallet, amount: grant.amount, idempotencyKey: grant.key, memo: grant.reason, expiresAt, grantedBy: grant.grantedBy });
    const actor = actorOf(req);
    await recordOperation(deps.pool, {
      accountId: account.id,
      actorId: actor.userId,
      action: 'gift.grant',
      details: { giftEntryId: entryId, wallet: grant.wallet, amount: grant.amount, reason: grant.reason, expiresAt: grant.expiresAt },
      onceKey: `gift-grant:${entryId}`,
    });
    res.status(201).json(await findGift(deps.pool, entryId));
  });

  router.get('/', requireRole('owner', 'pic', 'finance', 'ops'), async (req, res) => {
    const query = ZGiftsQuery.parse(req.query);
    const accountId = scopedAccountId(req.principal!, query.accountId);
    const page = await listGifts(deps.pool, { accountId, page: query.page, pageSize: query.pageSize });
    res.json({ ...page, page: query.page, pageSize: query.pageSize });
  });

  return router;
}
