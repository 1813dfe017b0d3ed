/**
 * Finance's payment exceptions (`/v1/finance/exceptions`): the queue, oldest payment first, with the reason, the
 * amount, the age and the suggested order; and the four decisions, each an update of the exception's workflow
 * (validated there again; a decision sent twice answers the first). The API checks what it can first (the account,
 * the order, the overpayment's rest), so a refusal names the field and the rule before anything moves.
 */
import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import { findAccount } from '../../db/accounts/accounts';
import { findOrder } from '../../db/orders/read-model';
import { exceptionLog, findException, listExceptions } from '../../db/reconciliation/exceptions';
import {
  amountDue,
  attachExceptionUpdate,
  creditExceptionUpdate,
  creditViolation,
  dismissExceptionUpdate,
  exceptionDecision,
  isOnlineOrder,
  openAmount,
  paymentExceptionWorkflowId,
  refundExceptionUpdate,
  statusName,
  type ActionTarget,
  type Actor,
  type ExceptionAction,
  type PaymentExceptionView,
  type TopupPolicy,
} from '../../workflows/definitions';
import { requireRole } from '../accounts/auth';
import { requireDepositEligible } from '../billing/deposit-eligibility';
import { HttpError } from '../shared/errors';
import { startExceptionWorkflow, type OpenExceptionDeps } from './open-exception';
import { ZAttachExceptionRequest, ZCreditExceptionRequest, ZExceptionParams, ZExceptionsQuery, ZNoteRequest } from './schemas';

/** What the exception routes need. */
export interface ExceptionRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  now: () => Date;
}

/** An exception as the API shows it: the workflow's view, what is still open of it, and how long it has waited. */
export interface ExceptionItem extends PaymentExceptionView {
  openAmount: number;
  ageSeconds: number;
}

/** The view with what finance reads first. */
export function exceptionItem(view: PaymentExceptionView, now: Date): ExceptionItem {
  return { ...view, openAmount: openAmount(view), ageSeconds: Math.max(0, Math.floor((now.getTime() - Date.parse(view.payment.receivedAt)) / 1000)) };
}

async function storedException(pool: Pool, exceptionId: string): Promise<PaymentExceptionView> {
  const view = await findException(pool, exceptionId);
  if (!view) throw new HttpError(404, 'not_found', `payment exception ${exceptionId} was not found`);
  return view;
}

/** True when the exception's workflow runs. */
async function workflowRuns(temporal: Client, exceptionId: string): Promise<boolean> {
  try {
    return (await temporal.workflow.getHandle(paymentExceptionWorkflowId(exceptionId)).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * Sends a decision to the exception's workflow. Its validator refuses what the rules refuse (409, 400). When the
 * workflow does not answer: a resolved exception answers a repeat of its decision as it is and refuses another;
 * one whose workflow never started (the API stopped between recording and starting it) gets it started now; one
 * whose workflow runs lost the update to a restarting workflow service (503: send it again).
 */
async function decide<A extends Actor>(
  deps: ExceptionRouteDeps,
  exceptionId: string,
  action: ExceptionAction,
  target: ActionTarget,
  update: UpdateDefinition<PaymentExceptionView, [A]>,
  arg: A,
): Promise<PaymentExceptionView> {
  const handle = deps.temporal.workflow.getHandle(paymentExceptionWorkflowId(exceptionId));
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await handle.executeUpdate(update, { args: [arg] });
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const stored = await storedException(deps.pool, exceptionId);
    if (await workflowRuns(deps.temporal, exceptionId)) {
      throw new HttpError(503, 'update_not_confirmed', `payment exception ${exceptionId} did not confirm the decision (the workflow service restarted); send it again`);
    }
    const decision = exceptionDecision(stored, action, target);
    if ('repeat' in decision) return stored;
    if ('refused' in decision) throw new HttpError(409, 'invalid_transition', decision.refused);
    if (stored.status === 'resolved' || attempt > 0) throw new HttpError(409, 'invalid_transition', `payment exception ${exceptionId} is ${stored.status}`);
    const first = stored.history[0];
    const openDeps: OpenExceptionDeps = deps;
    await startExceptionWorkflow(openDeps, {
      payment: stored.payment,
      reason: stored.reason,
      difference: stored.difference,
      suggestion: stored.suggestion,
      openedBy: first?.by ?? 'rule',
      note: first?.note ?? null,
      policy: deps.policy,
    });
  }
}

/** The early checks of a credit: the account exists and is active, the wallet takes the amount, the deposit's rules. */
async function checkCredit(deps: ExceptionRouteDeps, view: PaymentExceptionView, accountId: string, wallet: Parameters<typeof creditViolation>[0]): Promise<void> {
  if (view.status !== 'open') return;
  const account = await findAccount(deps.pool, accountId);
  if (!account) throw new HttpError(404, 'not_found', `account ${accountId} was not found`, [{ path: 'accountId', rule: 'must be an account' }]);
  if (account.status !== 'active') throw new HttpError(409, 'account_suspended', `account ${accountId} is suspended`, [{ path: 'accountId', rule: 'must be active' }]);
  const violation = creditViolation(wallet, openAmount(view), deps.policy);
  if (violation) throw new HttpError(400, 'invalid_input', `${violation.field}: ${violation.rule}`, [{ path: violation.field, rule: violation.rule }]);
  if (wallet === 'deposit') await requireDepositEligible(deps.pool, accountId);
}

/** The early checks of an attach: an open bank-transfer order, and a choice for an overpayment's rest. */
async function checkAttach(deps: ExceptionRouteDeps, view: PaymentExceptionView, orderNumber: string, rest: 'credit' | 'refund' | undefined): Promise<void> {
  if (view.status !== 'open') return;
  const stored = await findOrder(deps.pool, orderNumber);
  if (!stored) throw new HttpError(404, 'not_found', `order ${orderNumber} was not found`, [{ path: 'orderNumber', rule: 'must be an order' }]);
  const order = stored.view;
  if (isOnlineOrder(order)) {
    throw new HttpError(409, 'invalid_transition', `order ${orderNumber} is an online order; a payment is attached to a bank-transfer order (credit it or refund it instead)`);
  }
  const payable = (order.status === 'unpaid' || order.status === 'dealing' || order.status === 'payment_failure') && !order.final;
  if (!payable) throw new HttpError(409, 'invalid_transition', `order ${orderNumber} is ${statusName(order.status, 'en')}${order.final ? ' (final)' : ''} and takes no payment`);
  const due = amountDue(order);
  const amount = openAmount(view);
  if (amount > due && !rest) {
    const rule = `the payment's ${amount} is ${amount - due} more than the ${due} due: say whether the rest is credited to the order's wallet or refunded`;
    throw new HttpError(400, 'invalid_input', `rest: ${rule}`, [{ path: 'rest', rule }]);
  }
}

/** Builds the `/v1/finance/exceptions` router (finance decides; ops read). */
export function exceptionsRouter(deps: ExceptionRouteDeps): Router {
  const router = Router();

  router.get('/', requireRole('finance', 'ops'), async (req, res) => {
    const query = ZExceptionsQuery.parse(req.query);
    const page = await listExceptions(deps.pool, query);
    const now = deps.now();
    res.json({ items: page.items.map((v) => exceptionItem(v, now)), total: page.total, page: query.page, pageSize: query.pageSize });
  });

  router.get('/:exceptionId', requireRole('finance', 'ops'), async (req, res) => {
    const { exceptionId } = ZExceptionParams.parse(req.params);
    const view = await storedException(deps.pool, exceptionId);
    const log = await exceptionLog(deps.pool, exceptionId);
    res.json({ ...exceptionItem(view, deps.now()), log });
  });

  router.post('/:exceptionId/credit', requireRole('finance'), async (req, res) => {
    const { exceptionId } = ZExceptionParams.parse(req.params);
    const body = ZCreditExceptionRequest.parse(req.body);
    await checkCredit(deps, await storedException(deps.pool, exceptionId), body.accountId, body.wallet);
    const view = await decide(deps, exceptionId, 'credit', { accountId: body.accountId, wallet: body.wallet }, creditExceptionUpdate, { ...body, by: req.principal!.userId });
    res.json(exceptionItem(view, deps.now()));
  });

  router.post('/:exceptionId/attach', requireRole('finance'), async (req, res) => {
    const { exceptionId } = ZExceptionParams.parse(req.params);
    const body = ZAttachExceptionRequest.parse(req.body);
    await checkAttach(deps, await storedException(deps.pool, exceptionId), body.orderNumber, body.rest);
    const arg = { orderNumber: body.orderNumber, note: body.note, by: req.principal!.userId, ...(body.rest ? { rest: body.rest } : {}) };
    const view = await decide(deps, exceptionId, 'attach', { orderNumber: body.orderNumber }, attachExceptionUpdate, arg);
    res.json(exceptionItem(view, deps.now()));
  });

  router.post('/:exceptionId/refund', requireRole('finance'), async (req, res) => {
    const { exceptionId } = ZExceptionParams.parse(req.params);
    const { note } = ZNoteRequest.parse(req.body);
    await storedException(deps.pool, exceptionId);
    const view = await decide(deps, exceptionId, 'refund', {}, refundExceptionUpdate, { note, by: req.principal!.userId });
    res.json(exceptionItem(view, deps.now()));
  });

  router.post('/:exceptionId/dismiss', requireRole('finance'), async (req, res) => {
    const { exceptionId } = ZExceptionParams.parse(req.params);
    const { note } = ZNoteRequest.parse(req.body);
    await storedException(deps.pool, exceptionId);
    const view = await decide(deps, exceptionId, 'dismiss', {}, dismissExceptionUpdate, { note, by: req.principal!.userId });
    res.json(exceptionItem(view, deps.now()));
  });

  return router;
}
