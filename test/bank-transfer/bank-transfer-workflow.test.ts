/**
 * The bank-transfer top-up (DOMAIN.md "Bank transfer", steps 1–9) in the time-skipping test server, with the
 * real activities against a real PostgreSQL and a real SMTP server. Every timer runs its real default
 * duration (120 h, 24 h). Set RECORD_HISTORIES=1 to write each path's history under test/histories/.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { simpleParser, type ParsedMail } from 'mailparser';
import { findReceipt } from '../../db/bank-transfer/receipts';
import { creditTopup, getBalances, recordUsage } from '../../db/ledger/ledger';
import { createPaidStepActivities } from '../../activities/orders/paid-step-activities';
import { createMailer } from '../../activities/shared/mailer';
import { checkLedger } from '../../db/ledger/ledger-checker';
import {
  approveUpdate,
  choosePaymentMethodUpdate,
  deleteOrderUpdate,
  editOrderUpdate,
  getOrderQuery,
  orderWorkflowId,
  rejectUpdate,
  submitSlipUpdate,
  type OrderView,
  type SlipRef,
  type TopupOrderInput,
} from '../../workflows/definitions';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { createTestActivityDeps, type TestActivityDeps } from '../helpers/activity-deps';
import { createStaffUser, createTestAccount, type TestAccount } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { parsePdf } from '../helpers/pdf-text';
import { createTestWorker, startTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let t: TestActivityDeps;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('bank');
let nextNumber = 1_261_124_100_000;
/** Fails the first credit of each order right after the ledger committed it, as a worker crash would. */
const crashAfterFirstCredit = new Set<string>();
/** Refuses the first receipt of each order for good (a non-retryable failure), after its credit and Paid write. */
const receiptRefusedOnce = new Set<string>();
/** Finance users' ids: the operation log names who decided, so deciders are real users. */
let financeIds: string[];

beforeAll(async () => {
  [env, t] = await Promise.all([startTimeSkippingEnv(), createTestActivityDeps()]);
  financeIds = (await Promise.all(Array.from({ length: 20 }, () => createStaffUser(t.db.pool, 'finance')))).map((u) => u.userId);
  worker = await createTestWorker(env, taskQueue, t.deps, (activities) => {
    const faulty = {
      ...activities,
      async creditTopup(input) {
        const result = await activities.creditTopup(input);
        if (crashAfterFirstCredit.delete(input.orderNumber)) throw new Error('worker lost after the ledger committed');
        return result;
      },
      async issueReceipt(order) {
        if (receiptRefusedOnce.delete(order.orderNumber)) throw ApplicationFailure.nonRetryable(`the receipt of order ${order.orderNumber} was refused`, 'InvalidInput');
        return activities.issueReceipt(order);
      },
    } satisfies typeof activities;
    // The folded activities run these faults inside them, at the same points (after the ledger, at the receipt).
    return { ...faulty, ...createPaidStepActivities(faulty) };
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await t?.close();
});

const SLIP: SlipRef = { fileId: 'slip-0001', sha256: 'a'.repeat(64), size: 48_213, contentType: 'image/png' };

async function startOrder(account: TestAccount, overrides: Partial<TopupOrderInput> = {}): Promise<WorkflowHandle> {
  nextNumber += 1;
  const input: TopupOrderInput = {
    orderNumber: String(nextNumber),
    accountId: account.accountId,
    createdBy: account.ownerId,
    wallet: 'credit',
    amount: 1_000_000,
    currency: 'IDR',
    createdAt: new Date(await env.currentTimeMs()).toISOString(),
    policy: DEFAULT_POLICY,
    ...overrides,
  };
  return env.client.workflow.start('topupOrder', { taskQueue, workflowId: orderWorkflowId(input.orderNumber), args: [input] });
}

const view = (h: WorkflowHandle): Promise<OrderView> => h.query(getOrderQuery);

async function storedRow(orderNumber: string) {
  const res = await t.db.pool.query<{ status: string; amount: number; check_result: string | null; revision: number }>(
    'SELECT status, amount, check_result, revision FROM orders WHERE order_number = $1',
    [orderNumber],
  );
  return res.rows[0];
}

/** Every message the SMTP server received for `to`, parsed. */
/**
 * Every message the SMTP server received for `to`, parsed, once at least `atLeast` have arrived (emails go
 * out after the message that caused them is answered, so they may trail the answer a little).
 */
async function mailTo(to: string, atLeast = 0): Promise<ParsedMail[]> {
  const deadline = Date.now() + 15_000;
  const received = () => t.sink.messages.filter((m) => m.to.includes(to));
  while (received().length < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return Promise.all(received().map((m) => simpleParser(m.raw)));
}

async function creditBalance(accountId: string) {
  return (await getBalances(t.db.pool, accountId)).find((b) => b.wallet === 'credit')!;
}

/** The workflow's answer to a refused message: the failure's type and message. */
async function refusal(p: Promise<unknown>): Promise<{ type?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const cause = (err as { cause?: { type?: string; message: string } }).cause;
    return { type: cause?.type, message: cause?.message ?? String(err) };
  }
  throw new Error('the message was accepted');
}


test('When an order is never submitted, then it is Unpaid at 119 h 59 min and Closed at 120 h, with no email', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account);
  await h.executeUpdate(choosePaymentMethodUpdate, { args: [{ paymentMethod: 'bank_transfer', by: account.ownerId }] });

  await env.sleep('7199m');
  expect((await view(h)).status).toBe('unpaid');
  expect((await storedRow(await orderNumberOf(h)))?.status).toBe('unpaid');

  await env.sleep('1m');
  const closed = await h.result();
  expect(closed).toMatchObject({ status: 'closed', paymentMethod: 'bank_transfer' });
  expect((await storedRow(closed.orderNumber))?.status).toBe('closed');
  expect(await mailTo(account.ownerEmail)).toHaveLength(0);
  await recordHistory('never-submitted-closed', h);
});

async function orderNumberOf(h: WorkflowHandle): Promise<string> {
  return (await view(h)).orderNumber;
}

test('When a slip is submitted and finance never decides, then it is Dealing at 23 h 59 min and Payment Failure at 24 h, with both emails', async () => {
  const account = await createTestAccount(t.db.pool, { companyName: 'PT Maju Bersama' });
  const h = await startOrder(account, { amount: 250_000 });
  await env.sleep('3h');
  const submitted = await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  expect(submitted).toMatchObject({ status: 'dealing', slip: SLIP, paymentMethod: 'bank_transfer', submissions: 1 });

  const [received] = await mailTo(account.ownerEmail, 1);
  expect(received?.subject).toContain(submitted.orderNumber);
  for (const field of [submitted.orderNumber, 'PT Maju Bersama', `owner.${account.accountId.slice(4)}`, 'IDR 250,000']) {
    expect(received?.text).toContain(field);
  }
  expect(received?.text).toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2} WIB/);

  // Past the 120 h close of an unsubmitted order: a submitted order is never Closed.
  await env.sleep('1439m');
  expect((await view(h)).status).toBe('dealing');
  await env.sleep('1m');
  const failed = await view(h);
  expect(failed).toMatchObject({ status: 'payment_failure', failure: { kind: 'review-window-expired', windowHours: 24 } });
  expect((await storedRow(failed.orderNumber))?.status).toBe('payment_failure');

  const mails = await mailTo(account.ownerEmail, 2);
  expect(mails).toHaveLength(2);
  expect(mails[1]?.subject).toContain(failed.orderNumber);
  expect(mails[1]?.text).toContain('24 hours');
  expect((await creditBalance(account.accountId)).current).toBe(0);
  await recordHistory('review-window-expired', h);
});

test('When finance rejects, the customer edits the amount and finance approves, then Paid credits the new amount once and only the reject and paid emails follow the first', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account, { amount: 1_500_000 });
  await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  const rejected = await h.executeUpdate(rejectUpdate, { args: [{ reason: 'Amount differs from the slip (IDR 1,000,000)', by: financeIds[1]! }] });
  expect(rejected).toMatchObject({ status: 'payment_failure', checkResult: 'Amount differs from the slip (IDR 1,000,000)' });
  expect((await mailTo(account.ownerEmail, 2)).map((m) => m.text)).toEqual([expect.any(String), expect.stringContaining('Amount differs from the slip')]);

  await env.sleep('30h');
  const newSlip = { ...SLIP, fileId: 'slip-0002' };
  const edited = await h.executeUpdate(editOrderUpdate, { args: [{ amount: 1_000_000, slip: newSlip, by: account.ownerId }] });
  expect(edited).toMatchObject({ status: 'dealing', amount: 1_000_000, slip: newSlip, submissions: 2, failure: null });
  // A new 24 h window from the edit, and no email until finance decides.
  await env.sleep('23h');
  expect((await view(h)).status).toBe('dealing');
  expect(await mailTo(account.ownerEmail)).toHaveLength(2);

  const paid = await h.executeUpdate(approveUpdate, { args: [{ checkResult: 'Matches the slip', by: financeIds[1]! }] });
  expect(paid).toMatchObject({ status: 'paid', amount: 1_000_000, checkResult: 'Matches the slip', paid: { settled: 0, added: 1_000_000, balanceAfter: 1_000_000 } });
  expect(await h.result()).toMatchObject({ status: 'paid' });
  expect(await storedRow(paid.orderNumber)).toMatchObject({ status: 'paid', amount: 1_000_000, check_result: 'Matches the slip' });
  expect(await creditBalance(account.accountId)).toMatchObject({ recharge: 1_000_000, current: 1_000_000 });

  const mails = await mailTo(account.ownerEmail, 3);
  expect(mails).toHaveLength(3);
  const receipt = mails[2]?.attachments.find((a) => a.contentType === 'application/pdf');
  expect(receipt?.filename).toBe(`receipt-${paid.orderNumber}.pdf`);
  const pdf = await parsePdf(receipt!.content);
  expect(pdf.lines.join('\n')).toContain(paid.orderNumber);
  expect(pdf.lines.join('\n')).toContain('IDR 1,000,000');
  await recordHistory('reject-edit-approve', h);
});

/**
 * The activity types the order's history scheduled from the approval on (before it: the first write, and the slip's
 * write and email, whose order depends on whether the slip reached the workflow in its first task).
 */
async function approvalActivities(h: WorkflowHandle, first: string): Promise<string[]> {
  const scheduled = ((await h.fetchHistory()).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  expect(scheduled.slice(0, scheduled.indexOf(first)).sort()).toEqual(['recordOrder', 'recordOrder', 'sendOrderEmail']);
  return scheduled.slice(scheduled.indexOf(first));
}

/** The view the read model holds for the order (what GET /v1/orders/{n} reads). */
async function storedView(orderNumber: string): Promise<unknown> {
  return (await t.db.pool.query<{ view: unknown }>('SELECT view FROM orders WHERE order_number = $1', [orderNumber])).rows[0]?.view;
}

test('When finance approves, then the order reads Paid with its receipt, the wallet is credited once, and the credit, the Paid write and the receipt are one activity', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account, { amount: 400_000 });
  await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  const paid = await h.executeUpdate(approveUpdate, { args: [{ checkResult: 'Matches the slip', by: financeIds[2]! }] });
  expect(paid).toMatchObject({ status: 'paid', checkResult: 'Matches the slip', paid: { settled: 0, added: 400_000, balanceAfter: 400_000, approvedBy: financeIds[2] } });

  // Approve answers once both are in place: the row GET /v1/orders/{n} reads, and the receipt GET …/receipt.pdf serves.
  expect(await storedRow(paid.orderNumber)).toMatchObject({ status: 'paid', amount: 400_000, check_result: 'Matches the slip' });
  const receipt = await findReceipt(t.db.pool, paid.orderNumber);
  expect(receipt?.fileName).toBe(`receipt-${paid.orderNumber}.pdf`);
  expect((await parsePdf(receipt!.pdf)).lines.join('\n')).toContain(paid.orderNumber);
  const approvals = await t.db.pool.query('SELECT actor_id FROM operation_log WHERE order_number = $1 AND action = $2', [paid.orderNumber, 'order.approve']);
  expect(approvals.rows).toEqual([{ actor_id: financeIds[2] }]);
  expect(await creditBalance(account.accountId)).toMatchObject({ recharge: 400_000, current: 400_000 });
  const credits = await t.db.pool.query('SELECT 1 FROM journal_entries WHERE idempotency_key = $1', [`topup:${paid.orderNumber}:paid`]);
  expect(credits.rowCount).toBe(1);

  expect(await h.result()).toMatchObject({ status: 'paid' });
  const paidMail = (await mailTo(account.ownerEmail, 2)).find((m) => m.attachments.length > 0);
  expect(paidMail?.attachments[0]?.filename).toBe(`receipt-${paid.orderNumber}.pdf`);
  // The row readers see is the workflow's own view, built by the same function from the same credit.
  expect(await storedView(paid.orderNumber)).toEqual(await view(h));
  // Issue 22: one activity credits, records Paid and issues the receipt (creditTopup then recordPaidOrder before it;
  // creditTopup, recordOrder and issueReceipt before that: the old paths replay from approve-paid-in-one-activity.json).
  expect(await approvalActivities(h, 'creditAndRecordPaidOrder')).toEqual(['creditAndRecordPaidOrder', 'sendOrderEmail']);
  await recordHistory('approve-credit-and-paid-in-one-activity', h);
});

test('When the approval activity fails for good after its credit (the receipt refused), then the ledger answers the same credit and the order ends Paid with one credit, one approval logged and its receipt', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account, { amount: 350_000 });
  const orderNumber = await orderNumberOf(h);
  await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  receiptRefusedOnce.add(orderNumber);

  const paid = await h.executeUpdate(approveUpdate, { args: [{ checkResult: 'Matches the slip', by: financeIds[3]! }] });
  expect(receiptRefusedOnce.has(orderNumber)).toBe(false);
  expect(paid).toMatchObject({ status: 'paid', checkResult: 'Matches the slip', paid: { settled: 0, added: 350_000, balanceAfter: 350_000, approvedBy: financeIds[3] } });
  // The folded activity failed after the credit; creditTopup answered the order's entry, and recordPaidOrder recorded Paid.
  expect(await approvalActivities(h, 'creditAndRecordPaidOrder')).toEqual(['creditAndRecordPaidOrder', 'creditTopup', 'recordPaidOrder', 'sendOrderEmail']);
  const credits = await t.db.pool.query('SELECT 1 FROM journal_entries WHERE idempotency_key = $1', [`topup:${orderNumber}:paid`]);
  expect(credits.rowCount).toBe(1);
  expect(await creditBalance(account.accountId)).toMatchObject({ recharge: 350_000, current: 350_000 });
  const approvals = await t.db.pool.query('SELECT actor_id FROM operation_log WHERE order_number = $1 AND action = $2', [orderNumber, 'order.approve']);
  expect(approvals.rows).toEqual([{ actor_id: financeIds[3] }]);
  expect((await findReceipt(t.db.pool, orderNumber))?.fileName).toBe(`receipt-${orderNumber}.pdf`);
  expect(await storedView(orderNumber)).toEqual(await view(h));
  expect(await h.result()).toMatchObject({ status: 'paid' });
  expect((await mailTo(account.ownerEmail, 2)).filter((m) => m.attachments.length > 0)).toHaveLength(1);
  await recordHistory('approve-credit-failed-then-two-steps', h);
});

test('When the ledger refuses the credit of an approval, then nothing is recorded, the order stays Dealing for finance, and it can still be rejected', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account, { amount: 200_000 });
  const orderNumber = await orderNumberOf(h);
  const dealing = await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  // The order's ledger key already holds another movement: the ledger refuses the approval's credit for good.
  await creditTopup(t.db.pool, { orderNumber, accountId: account.accountId, wallet: 'credit', amount: 150_000 });

  const failure = await h.executeUpdate(approveUpdate, { args: [{ by: financeIds[4]! }] }).then(
    () => null,
    (err: unknown) => err as { cause?: { cause?: { type?: string } } },
  );
  expect(failure?.cause?.cause?.type).toBe('IdempotencyConflictError');
  expect(await view(h)).toEqual(dealing);
  expect(await storedView(orderNumber)).toEqual(dealing);
  expect(await findReceipt(t.db.pool, orderNumber)).toBeNull();
  expect(await creditBalance(account.accountId)).toMatchObject({ current: 150_000 });
  // The folded activity was refused, and so was the ledger when asked again: no record, no receipt, no email.
  expect(await approvalActivities(h, 'creditAndRecordPaidOrder')).toEqual(['creditAndRecordPaidOrder', 'creditTopup']);
  // Not left approving: a rejection is taken (refused while an approval is under way).
  expect(await h.executeUpdate(rejectUpdate, { args: [{ reason: 'Credited by hand already', by: financeIds[4]! }] })).toMatchObject({ status: 'payment_failure' });
});

test('When an account owes 5,000 and a 1,000,000 top-up is approved, then 5,000 settles, 995,000 is added, and the email and receipt say so', async () => {
  const account = await createTestAccount(t.db.pool, { locale: 'id' });
  await recordUsage(t.db.pool, { accountId: account.accountId, wallet: 'credit', amount: 5_000, idempotencyKey: `usage:${account.accountId}:1`, allowNegative: true });
  expect((await creditBalance(account.accountId)).current).toBe(-5_000);

  const h = await startOrder(account, { amount: 1_000_000 });
  await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  const paid = await h.executeUpdate(approveUpdate, { args: [{ by: financeIds[1]! }] });
  expect(paid.paid).toMatchObject({ settled: 5_000, added: 995_000, balanceAfter: 995_000 });
  expect(await creditBalance(account.accountId)).toMatchObject({ recharge: 995_000, unbilled: 0, current: 995_000 });

  const mails = await mailTo(account.ownerEmail, 2);
  const paidMail = mails[mails.length - 1]!;
  for (const amount of ['Rp 1.000.000', 'Rp 5.000', 'Rp 995.000']) expect(paidMail.text).toContain(amount);
  const pdf = await parsePdf(paidMail.attachments[0]!.content);
  const text = pdf.lines.join('\n');
  for (const line of ['Kuitansi', paid.orderNumber, 'Rp 5.000', 'Rp 995.000']) expect(text).toContain(line);
  expect(await checkLedger(t.db.pool)).toEqual([]);
});

test('When approve is sent 20 times at once, or retried after the worker is lost mid-credit, then the wallet is credited once and one paid email goes out', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account, { amount: 300_000 });
  const orderNumber = await orderNumberOf(h);
  await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  crashAfterFirstCredit.add(orderNumber);

  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => h.executeUpdate(approveUpdate, { args: [{ by: financeIds[i]! }] })));
  // One approval won; every other answer is that same outcome.
  expect(new Set(answers.map((a) => `${a.status} by ${a.paid?.approvedBy}`)).size).toBe(1);
  expect(answers[0]?.status).toBe('paid');
  expect(crashAfterFirstCredit.has(orderNumber)).toBe(false);

  expect(await creditBalance(account.accountId)).toMatchObject({ recharge: 300_000, current: 300_000 });
  const entries = await t.db.pool.query('SELECT 1 FROM journal_entries WHERE idempotency_key = $1', [`topup:${orderNumber}:paid`]);
  expect(entries.rowCount).toBe(1);
  const paidMails = (await mailTo(account.ownerEmail, 2)).filter((m) => m.attachments.length > 0);
  expect(paidMails).toHaveLength(1);
});

test('When an Unpaid order and a Payment Failure order are deleted, then both are Deleted, and a refused message answers with the reason and changes nothing', async () => {
  const account = await createTestAccount(t.db.pool);
  const unpaid = await startOrder(account);
  expect(await unpaid.executeUpdate(deleteOrderUpdate, { args: [{ by: account.ownerId }] })).toMatchObject({ status: 'deleted' });
  expect(await unpaid.result()).toMatchObject({ status: 'deleted' });

  const failed = await startOrder(account);
  await failed.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  await failed.executeUpdate(rejectUpdate, { args: [{ reason: 'Slip unreadable', by: financeIds[1]! }] });
  const before = await view(failed);
  expect(await refusal(failed.executeUpdate(approveUpdate, { args: [{ by: financeIds[1]! }] }))).toEqual({
    type: 'InvalidTransition',
    message: 'only a Dealing order can be approved; this one is Payment Failure',
  });
  expect((await view(failed)).revision).toBe(before.revision);

  await failed.executeUpdate(deleteOrderUpdate, { args: [{ by: account.ownerId }] });
  const deleted = await failed.result();
  expect(deleted.status).toBe('deleted');
  expect((await storedRow(deleted.orderNumber))?.status).toBe('deleted');
  await recordHistory('reject-delete', failed);
});

test('When a message is refused, then it names the rule: approve a Deleted order, reject without a reason, edit below the minimum', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account);
  await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  expect(await refusal(h.executeUpdate(rejectUpdate, { args: [{ reason: '  ', by: financeIds[1]! }] }))).toEqual({ type: 'InvalidInput', message: 'reason: is required' });
  await h.executeUpdate(rejectUpdate, { args: [{ reason: 'Wrong bank', by: financeIds[1]! }] });
  expect(await refusal(h.executeUpdate(editOrderUpdate, { args: [{ amount: 9_999, by: account.ownerId }] }))).toEqual({
    type: 'InvalidInput',
    message: 'amount: must be at least IDR 10,000 for the credit wallet',
  });
  expect((await view(h)).amount).toBe(1_000_000);

  const gone = await startOrder(account);
  await gone.executeUpdate(deleteOrderUpdate, { args: [{ by: account.ownerId }] });
  await gone.result();
  // A completed workflow takes no more updates: the server refuses, and the order is unchanged.
  await expect(gone.executeUpdate(approveUpdate, { args: [{ by: financeIds[1]! }] })).rejects.toThrow();
  expect((await view(gone)).status).toBe('deleted');
});

test('When a Payment Failure order is left untouched for 120 h, then it is final: no edit, no delete', async () => {
  const account = await createTestAccount(t.db.pool);
  const h = await startOrder(account);
  await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
  await h.executeUpdate(rejectUpdate, { args: [{ reason: 'No transfer found', by: financeIds[1]! }] });

  await env.sleep('7199m');
  const stillEditable = await view(h);
  expect(stillEditable).toMatchObject({ status: 'payment_failure', final: false });
  await env.sleep('1m');
  const final = await h.result();
  expect(final).toMatchObject({ status: 'payment_failure', final: true });
  await expect(h.executeUpdate(editOrderUpdate, { args: [{ amount: 20_000, by: account.ownerId }] })).rejects.toThrow();
  expect((await view(h)).amount).toBe(1_000_000);
  await recordHistory('payment-failure-final', h);
});

test('When the mail server is down, then a slip submission is still answered at once and the email waits for the server', async () => {
  const account = await createTestAccount(t.db.pool);
  const queue = uniqueTaskQueue('bank-nomail');
  const noMail = createMailer({ smtpUrl: 'smtp://127.0.0.1:9', from: 'Top-up Test <billing@provider.test>' });
  const isolated = await createTestWorker(env, queue, { ...t.deps, mailer: noMail });
  await isolated.runUntil(async () => {
    nextNumber += 1;
    const input: TopupOrderInput = {
      orderNumber: String(nextNumber),
      accountId: account.accountId,
      createdBy: account.ownerId,
      wallet: 'credit',
      amount: 100_000,
      currency: 'IDR',
      createdAt: new Date(await env.currentTimeMs()).toISOString(),
      policy: DEFAULT_POLICY,
    };
    const h = await env.client.workflow.start('topupOrder', { taskQueue: queue, workflowId: orderWorkflowId(input.orderNumber), args: [input] });
    const started = Date.now();
    const view = await h.executeUpdate(submitSlipUpdate, { args: [{ slip: SLIP, by: account.ownerId }] });
    expect(view.status).toBe('dealing');
    expect(Date.now() - started).toBeLessThan(5_000);
    const outbox = await t.db.pool.query<{ sent_at: Date | null; attempts: number }>('SELECT sent_at, attempts FROM email_outbox WHERE idempotency_key = $1', [`topup:${input.orderNumber}:submitted:1`]);
    expect(outbox.rows[0]?.sent_at ?? null).toBeNull();
    await h.terminate('test over');
  });
  noMail.close();
});
