/** Order routes: thin, they validate and hand over to the order workflow. */
import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { upsertOrderRow } from '../../activities/order-read-model';
import { allocateOrderNumber } from '../../db/order-numbers';
import { bankTransferAmountViolation } from '../../workflows/amount-rules';
import { getOrderQuery, orderWorkflowId, type OrderView, type TopupOrderInput } from '../../workflows/definitions';
import type { TopupPolicy } from '../../workflows/policy';
import { requireRole } from '../auth';
import { HttpError } from '../errors';
import { ZCreateOrderRequest, ZOrderNumber } from '../schemas';

/** What the order routes need. */
export interface OrderRouteDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  policy: TopupPolicy;
  now: () => Date;
}

/** Loads the read-model row of an order the caller may see, or answers 404 (never another account's data). */
async function findVisibleOrder(pool: Pool, orderNumber: string, accountId: string | null): Promise<OrderView> {
  const res = await pool.query<{ view: OrderView; account_id: string }>('SELECT view, account_id FROM orders WHERE order_number = $1', [orderNumber]);
  const row = res.rows[0];
  if (!row || (accountId !== null && row.account_id !== accountId)) throw new HttpError(404, 'not_found', `order ${orderNumber} was not found`);
  return row.view;
}

/** Builds the `/v1/orders` router. */
export function ordersRouter(deps: OrderRouteDeps): Router {
  const router = Router();

  router.post('/', requireRole('owner', 'pic'), async (req, res) => {
    const body = ZCreateOrderRequest.parse(req.body);
    const violation = bankTransferAmountViolation(body.wallet, body.amount, deps.policy);
    if (violation) throw new HttpError(400, 'invalid_input', `${violation.field}: ${violation.rule}`, [{ path: violation.field, rule: violation.rule }]);
    const principal = req.principal!;
    const now = deps.now();
    const orderNumber = await allocateOrderNumber(deps.pool, now);
    const input: TopupOrderInput = {
      orderNumber,
      accountId: principal.accountId!,
      createdBy: principal.userId,
      wallet: body.wallet,
      amount: body.amount,
      currency: 'IDR',
      createdAt: now.toISOString(),
      policy: deps.policy,
    };
    await deps.temporal.workflow.start('topupOrder', {
      taskQueue: deps.taskQueue,
      workflowId: orderWorkflowId(orderNumber),
      args: [input],
      staticSummary: `Top-up ${orderNumber}: ${body.wallet} IDR ${body.amount}`,
    });
    const { policy: _policy, ...order } = input;
    const view: OrderView = {
      ...order,
      status: 'Unpaid',
      paymentMethod: null,
      slip: null,
      submittedAt: null,
      deadline: null,
      checkResult: null,
      failure: null,
      paid: null,
      final: false,
      submissions: 0,
      revision: 0,
    };
    // The workflow writes the same revision-0 row; writing it here too makes the list read-your-writes.
    await upsertOrderRow(deps.pool, view);
    res.status(201).location(`/v1/orders/${orderNumber}`).json(toOrderResponse(view));
  });

  router.get('/:orderNumber', async (req, res) => {
    const orderNumber = ZOrderNumber.parse(req.params.orderNumber);
    const stored = await findVisibleOrder(deps.pool, orderNumber, req.principal!.accountId);
    let live: OrderView = stored;
    try {
      live = await deps.temporal.workflow.getHandle(orderWorkflowId(orderNumber)).query(getOrderQuery);
    } catch {
      // A finished workflow past retention, or Temporal briefly away: the read model is the answer.
    }
    res.json(toOrderResponse(live));
  });

  return router;
}

/** The order as the API shows it. */
function toOrderResponse(view: OrderView) {
  const { policy: _policy, ...rest } = view as OrderView & { policy?: unknown };
  return rest;
}
