/**
 * Determinism: recorded histories of every order path (test/histories/, written by
 * `RECORD_HISTORIES=1 npm run jest -- test/bank-transfer/bank-transfer-workflow.test.ts test/online/online-order.test.ts test/online/online-gateway-outage.test.ts
 * test/webhooks/webhook-delivery.test.ts test/auto-topup/auto-topup.test.ts`) replay cleanly on today's workflow code.
 * The service is not released yet, so a change that breaks one is recorded anew (no order runs on the old code);
 * from the first release on, a change to live workflow logic goes behind `patched()` and the old histories stay.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HISTORIES_DIR, readHistory } from '../helpers/histories';
import { Worker } from '@temporalio/worker';

const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

test('When the recorded histories of every path are replayed, then none fails with a nondeterminism error', async () => {
  expect(files.sort()).toEqual(
    expect.arrayContaining([
      'never-submitted-closed.json',
      'review-window-expired.json',
      'reject-edit-approve.json',
      'approve-paid-in-one-activity.json',
      'approve-credit-and-paid-in-one-activity.json',
      'approve-credit-failed-then-two-steps.json',
      'reject-delete.json',
      'payment-failure-final.json',
      'online-paid-by-card.json',
      'online-paid-in-one-activity.json',
      'online-paid-late-approved.json',
      'online-paid-late-refunded.json',
      'online-issuing-recovered.json',
      'online-issuing-gave-up.json',
      'online-issuing-cancelled.json',
      'subscription-billing-unpaid.json',
      'webhook-retried-then-delivered.json',
      'webhook-failing-resumed.json',
      'auto-topup-burst-one-charge.json',
      'auto-topup-declined-paused-resumed.json',
    ]),
  );
  const histories = files.map((f) => ({
    workflowId: path.basename(f, '.json'),
    history: readHistory(f),
  }));
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TOPUP_WORKFLOW_BUNDLE! } }, histories)) {
    results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : null });
  }
  expect(results).toEqual(files.map((f) => ({ workflowId: path.basename(f, '.json'), error: null })));
});
