/**
 * One top-up order as one durable workflow (`topup-<orderNumber>`): it waits for messages under the
 * policy's timers and leaves every side effect to activities.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  getOrderQuery,
  SA_ACCOUNT_ID,
  SA_ORDER_NUMBER,
  SA_ORDER_STATUS,
  SA_PAYMENT_METHOD,
  SA_STATUS_CHANGED_AT,
  SA_WALLET,
  submitSlipUpdate,
  type OrderStatus,
  type OrderView,
  type TopupOrderInput,
} from './definitions';
import { asDuration } from './policy';
import { workflowNow } from './workflow-clock';

const { recordOrder } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', maximumInterval: '1m' },
});

/** The bank-transfer top-up order. */
export async function topupOrder(input: TopupOrderInput): Promise<OrderView> {
  const order: OrderView = {
    orderNumber: input.orderNumber,
    accountId: input.accountId,
    createdBy: input.createdBy,
    wallet: input.wallet,
    amount: input.amount,
    currency: input.currency,
    status: 'Unpaid',
    paymentMethod: null,
    slip: null,
    createdAt: input.createdAt,
    submittedAt: null,
    revision: 0,
  };

  function moveTo(status: OrderStatus): void {
    order.status = status;
    order.revision += 1;
    upsertSearchAttributes([
      { key: SA_ORDER_STATUS, value: status },
      { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
    ]);
  }

  setHandler(getOrderQuery, () => order);
  setHandler(
    submitSlipUpdate,
    async ({ slip }) => {
      order.slip = slip;
      order.paymentMethod = 'bank_transfer';
      order.submittedAt = workflowNow().toISOString();
      moveTo('Dealing');
      await recordOrder(order);
      return order;
    },
    {
      validator: (_message) => {
        if (order.status !== 'Unpaid') {
          throw ApplicationFailure.create({ type: 'InvalidTransition', message: `a slip cannot be submitted while the order is ${order.status}`, nonRetryable: true });
        }
      },
    },
  );

  upsertSearchAttributes([
    { key: SA_ACCOUNT_ID, value: input.accountId },
    { key: SA_ORDER_NUMBER, value: input.orderNumber },
    { key: SA_WALLET, value: input.wallet },
    { key: SA_ORDER_STATUS, value: order.status },
    { key: SA_PAYMENT_METHOD, value: 'none' },
    { key: SA_STATUS_CHANGED_AT, value: workflowNow() },
  ]);
  await recordOrder(order);

  const submitted = await condition(() => order.status !== 'Unpaid', asDuration(input.policy.unsubmittedCloseAfter));
  if (!submitted) {
    moveTo('Closed');
    await recordOrder(order);
  } else {
    const decided = await condition(() => order.status !== 'Dealing', asDuration(input.policy.reviewWindow));
    if (!decided) {
      moveTo('Payment Failure');
      await recordOrder(order);
    }
  }
  await condition(allHandlersFinished);
  return order;
}
