/**
 * Determinism: recorded histories of every bank-transfer path (test/histories/, written by
 * `RECORD_HISTORIES=1 npx jest test/bank-transfer-workflow.test.ts`) replay cleanly on today's workflow code.
 * A change that breaks one needs `patched()`, not a new recording.
 */
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

const dir = path.join(__dirname, 'histories');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

test('When the recorded histories of every path are replayed, then none fails with a nondeterminism error', async () => {
  expect(files.sort()).toEqual(
    expect.arrayContaining(['never-submitted-closed.json', 'review-window-expired.json', 'reject-edit-approve.json', 'reject-delete.json', 'payment-failure-final.json']),
  );
  const histories = files.map((f) => ({
    workflowId: path.basename(f, '.json'),
    history: temporal.api.history.v1.History.fromObject(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as object),
  }));
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: process.env.TOPUP_WORKFLOW_BUNDLE! } }, histories)) {
    results.push({ workflowId: result.workflowId, error: result.error ? String(result.error) : null });
  }
  expect(results).toEqual(files.map((f) => ({ workflowId: path.basename(f, '.json'), error: null })));
});
