/**
 * Automatic top-up (issue 20): `/v1/auto-topups` (each wallet's rule; its owner saves it whole), `/v1/auto-topup-
 * attempts` (every attempt, whatever became of it), `/v1/card-setups` and `/v1/cards` (cards saved at the payment
 * gateway, entered on its own page). Customers see their account's; finance and ops name an account. Thin: the rules
 * live in workflows/auto-topup and db/auto-topup, the checks in the rule's workflow.
 */
import { Router, type Request } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { listAttempts } from '../../db/auto-topup/attempts';
import { findCard, listCards, removeCard, saveCard } from '../../db/auto-topup/cards';
import { listRules, saveRule } from '../../db/auto-topup/rules';
import { autoTopupCheckStart, WORKFLOW_NAMES, type TopupPolicy } from '../../workflows/definitions';
import { actorOf, requireRole, scopedAccountId } from '../accounts/auth';
import { HttpError } from '../shared/errors';
import { openCardSetup, readCardSetup, type GatewayAccess } from './gateway-cards';
import { ZAccountQuery, ZAutoTopupAttemptsQuery, ZCardId, ZSaveAutoTopupRequest, ZSaveCardRequest, ZWalletParam } from './schemas';

/** What the automatic top-up routes need. */
export interface AutoTopupRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  /** The payment gateway's merchant API, for card setups; the card routes answer 503 without it. */
  gateway?: GatewayAccess;
}

const owners = requireRole('owner');
const readers = requireRole('owner', 'pic', 'finance', 'ops');

/** The account a request reads: a customer's own; provider staff must name one. */
function accountOf(req: Request, requested: string | undefined): string {
  const accountId = scopedAccountId(req.principal!, requested);
  if (accountId === undefined) throw new HttpError(400, 'invalid_input', 'accountId: is required', [{ path: 'accountId', rule: 'must name the customer account to read' }]);
  return accountId;
}

/** Builds the `/v1/auto-topups` router. */
export function autoTopupsRouter(deps: AutoTopupRouteDeps): Router {
  const router = Router();

  router.get('/', readers, async (req, res) => {
    const { accountId } = ZAccountQuery.parse(req.query);
    res.json({ items: await listRules(deps.pool, accountOf(req, accountId)) });
  });

  router.put('/:wallet', owners, async (req, res) => {
    const wallet = ZWalletParam.parse(req.params.wallet);
    const body = ZSaveAutoTopupRequest.parse(req.body);
    const accountId = req.principal!.accountId!;
    const card = await findCard(deps.pool, body.cardId);
    if (!card || card.accountId !== accountId) {
      throw new HttpError(400, 'invalid_input', 'cardId: must be a card saved for this account', [{ path: 'cardId', rule: 'must be a card saved for this account (GET /v1/cards)' }]);
    }
    const rule = await saveRule(deps.pool, accountId, wallet, body, actorOf(req));
    try {
      // The rule's workflow checks the wallet now: a balance already below the new threshold is topped up.
      await deps.temporal.workflow.signalWithStart(WORKFLOW_NAMES.autoTopupRule, autoTopupCheckStart({ accountId, wallet, policy: deps.policy }, deps.taskQueue, 'rule'));
    } catch (err) {
      throw new HttpError(503, 'temporarily_unavailable', `the rule is saved, but its workflow could not be told (${err instanceof Error ? err.message : String(err)}); save it again`);
    }
    res.json(rule);
  });
  return router;
}

/** Builds the `/v1/auto-topup-attempts` router. */
export function autoTopupAttemptsRouter(deps: AutoTopupRouteDeps): Router {
  const router = Router();
  router.get('/', readers, async (req, res) => {
    const query = ZAutoTopupAttemptsQuery.parse(req.query);
    const page = await listAttempts(deps.pool, accountOf(req, query.accountId), query);
    res.json({ ...page, page: query.page, pageSize: query.pageSize });
  });
  return router;
}

/** Builds the `/v1/card-setups` router: the owner opens the gateway's page to enter a card. */
export function cardSetupsRouter(deps: AutoTopupRouteDeps): Router {
  const router = Router();
  router.post('/', owners, async (req, res) => {
    const setup = await openCardSetup(deps.gateway, req.principal!.accountId!);
    res.status(201).json({ setupRef: setup.setupRef, url: setup.url, status: setup.status });
  });
  return router;
}

/** Builds the `/v1/cards` router. */
export function cardsRouter(deps: AutoTopupRouteDeps): Router {
  const router = Router();

  router.get('/', readers, async (req, res) => {
    const { accountId } = ZAccountQuery.parse(req.query);
    res.json({ items: await listCards(deps.pool, accountOf(req, accountId)) });
  });

  router.post('/', owners, async (req, res) => {
    const { setupRef } = ZSaveCardRequest.parse(req.body);
    const accountId = req.principal!.accountId!;
    const setup = await readCardSetup(deps.gateway, setupRef);
    if (!setup || setup.customerRef !== accountId) throw new HttpError(404, 'not_found', `card setup ${setupRef} was not found`);
    if (setup.status !== 'completed' || !setup.card) {
      throw new HttpError(409, 'card_setup_pending', 'the card has not been entered yet: open the setup\'s url, enter the card, then send this again');
    }
    const card = await saveCard(deps.pool, accountId, setup.card, actorOf(req));
    res.status(201).location(`/v1/cards/${card.id}`).json(card);
  });

  router.delete('/:cardId', owners, async (req, res) => {
    const cardId = ZCardId.parse(req.params.cardId);
    const card = await findCard(deps.pool, cardId);
    if (!card || card.accountId !== req.principal!.accountId) throw new HttpError(404, 'not_found', `card ${cardId} was not found`);
    const removed = await removeCard(deps.pool, cardId, actorOf(req));
    if (removed === false) throw new HttpError(404, 'not_found', `card ${cardId} was not found`);
    if (removed !== true) throw new HttpError(409, 'card_in_use', `the automatic top-up of ${removed.inUse.join(', ')} uses this card: give the rule another card first`);
    res.status(204).end();
  });
  return router;
}
