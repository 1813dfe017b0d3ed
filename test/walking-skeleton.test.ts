/**
 * The walking skeleton in the time-skipping environment: an order workflow waits under its 120-hour timer
 * (the real default) and an activity writes each state to a real PostgreSQL.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { getOrderQuery, orderWorkflowId, submitSlipUpdate, type TopupOrderInput } from '../workflows/definitions';
import { DEFAULT_POLICY } from '../workflows/policy';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { createTestAccount, type TestAccount } from './helpers/fixtures';
import { createTestWorker, startTimeSkippingEnv, uniqueTaskQueue } from './helpers/temporal';

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let worker: Worker;
let running: Promise<void>;
let account: TestAccount;
const taskQueue = uniqueTaskQueue('skeleton');
let nextNumber = 1_261_122_000_100;

beforeAll(async () => {
  [env, db] = await Promise.all([startTimeSkippingEnv(), createTestDatabase()]);
  account = await createTestAccount(db.pool);
  worker = await createTestWorker(env, taskQueue, { pool: db.pool });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await db?.drop();
});

function orderInput(): TopupOrderInput {
  nextNumber += 1;
  return {
    orderNumber: String(nextNumber),
    accountId: account.accountId,
    createdBy: account.ownerId,
    wallet: 'credit',
    amount: 250_000,
    currency: 'IDR',
    createdAt: new Date().toISOString(),
    policy: DEFAULT_POLICY,
  };
}

async function storedStatus(orderNumber: string): Promise<string | undefined> {
  const res = await db.pool.query<{ status: string }>('SELECT status FROM orders WHERE order_number = $1', [orderNumber]);
  return res.rows[0]?.status;
}

test('When an order is never submitted, then it is still Unpaid just before 120 hours and Closed at 120 hours', async () => {
  const input = orderInput();
  const handle = await env.client.workflow.start('topupOrder', { taskQueue, workflowId: orderWorkflowId(input.orderNumber), args: [input] });
  expect((await handle.query(getOrderQuery)).status).toBe('Unpaid');

  const wallStart = Date.now();
  await env.sleep('7199m');
  expect((await handle.query(getOrderQuery)).status).toBe('Unpaid');
  expect(await storedStatus(input.orderNumber)).toBe('Unpaid');

  await env.sleep('2m');
  const result = await handle.result();
  expect(result.status).toBe('Closed');
  expect(await storedStatus(input.orderNumber)).toBe('Closed');
  // 120 hours of workflow time pass in seconds of wall time.
  expect(Date.now() - wallStart).toBeLessThan(60_000);
});

test('When a slip is submitted, then the order is Dealing in the workflow and in the read model, the close timer no longer applies, and a second submit is refused with the reason', async () => {
  const input = orderInput();
  const handle = await env.client.workflow.start('topupOrder', { taskQueue, workflowId: orderWorkflowId(input.orderNumber), args: [input] });
  const slip = { fileId: 'slip-1', sha256: 'a'.repeat(64), size: 1234, contentType: 'image/png' };
  const view = await handle.executeUpdate(submitSlipUpdate, { args: [{ slip, by: account.ownerId }] });
  expect(view.status).toBe('Dealing');
  expect(view.slip).toEqual(slip);
  expect(await storedStatus(input.orderNumber)).toBe('Dealing');

  await expect(handle.executeUpdate(submitSlipUpdate, { args: [{ slip, by: account.ownerId }] })).rejects.toMatchObject({
    cause: { type: 'InvalidTransition', message: expect.stringMatching(/cannot be submitted while the order is Dealing/) },
  });

  // Past the 120-hour close: a submitted order is never Closed; with no decision in 24 hours it is Payment Failure.
  await env.sleep('121h');
  expect((await handle.result()).status).toBe('Payment Failure');
  expect(await storedStatus(input.orderNumber)).toBe('Payment Failure');
});
