/** The automatic top-up routes in the OpenAPI route table (api/shared/openapi.ts), from which the authorization matrix is made. */
import type { Role } from '../../db/accounts/roles';
import type { Operation } from '../shared/openapi-operation';
import { ZAccountQuery, ZAutoTopupAttemptsQuery } from './schemas';

const OWNER: readonly Role[] = ['owner'];
const READERS: readonly Role[] = ['owner', 'pic', 'finance', 'ops'];
const STAFF_NAME = ' (finance and ops name the account: ?accountId=)';

/** The automatic top-up operations. */
export const AUTO_TOPUP_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/v1/auto-topups',
    operationId: 'listAutoTopupRules',
    summary: `The account's automatic top-up rules, one per wallet, with their state (active, or paused after failed charges)${STAFF_NAME}`,
    tag: 'auto-topup',
    roles: READERS,
    query: ZAccountQuery,
    ok: { status: 200, description: 'the rules', schema: 'AutoTopupRuleList' },
    errors: [404],
  },
  {
    method: 'put',
    path: '/v1/auto-topups/{wallet}',
    operationId: 'saveAutoTopupRule',
    summary:
      "Save a wallet's rule whole: below `threshold`, top up to `amount` (mode target, counting top-ups already on their way) or by `amount` (mode fixed), with a saved card, within daily and monthly caps of IDR charged. The wallet's rules apply (credit and WhatsApp minimums, whole muv packs, deposit limits and eligibility). Saving resumes a paused rule; the wallet is checked at once",
    tag: 'auto-topup',
    roles: OWNER,
    body: 'SaveAutoTopupRequest',
    ok: { status: 200, description: 'the rule', schema: 'AutoTopupRule' },
    errors: [503],
  },
  {
    method: 'get',
    path: '/v1/auto-topup-attempts',
    operationId: 'listAutoTopupAttempts',
    summary: `Every automatic top-up attempt, newest first: charges (charging, succeeded, declined, charge_refused) and stops (cap_reached, amount_above_limit, not_allowed, rule_paused)${STAFF_NAME}`,
    tag: 'auto-topup',
    roles: READERS,
    query: ZAutoTopupAttemptsQuery,
    ok: { status: 200, description: 'a page of attempts', schema: 'AutoTopupAttemptPage' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/card-setups',
    operationId: 'openCardSetup',
    summary: "Open a card setup at the payment gateway: its `url` is the gateway's page where the owner enters the card (the number never reaches this service); then POST /v1/cards",
    tag: 'auto-topup',
    roles: OWNER,
    ok: { status: 201, description: 'the setup', schema: 'CardSetup' },
    errors: [503],
  },
  {
    method: 'get',
    path: '/v1/cards',
    operationId: 'listCards',
    summary: `The account's saved cards (brand, last four digits, expiry)${STAFF_NAME}`,
    tag: 'auto-topup',
    roles: READERS,
    query: ZAccountQuery,
    ok: { status: 200, description: 'the cards', schema: 'SavedCardList' },
    errors: [404],
  },
  {
    method: 'post',
    path: '/v1/cards',
    operationId: 'saveCard',
    summary: 'Save the card of a completed card setup for automatic top-ups (the same setup again answers the same card)',
    tag: 'auto-topup',
    roles: OWNER,
    body: 'SaveCardRequest',
    ok: { status: 201, description: 'the card', schema: 'SavedCard', location: true },
    errors: [404, 409, 503],
  },
  { method: 'delete', path: '/v1/cards/{cardId}', operationId: 'removeCard', summary: 'Remove a saved card no rule uses', tag: 'auto-topup', roles: OWNER, ok: { status: 204, description: 'removed' }, errors: [404, 409] },
];
