/**
 * Ops against the `npm start` stack: an order submitted over HTTP is found the way the runbook (docs/operations.md) finds
 * it (a visibility query on OrderStatus, AccountId and StatusChangedAt), and the Prometheus endpoints of the
 * API and the worker count it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevStack } from '../../scripts/dev-stack';
import { isolatedStackEnv } from '../../scripts/stack-env';
import { orderWorkflowId } from '../../workflows/definitions';
import { sampleValue } from '../helpers/prometheus';
import { eventually } from '../helpers/eventually';
import { SLIP_PNG } from '../helpers/slips';

const OWNER = { authorization: 'Bearer demo-acme-owner-token' };
const PNG = SLIP_PNG;

let stop: (() => Promise<void>) | undefined;
let api: string;
let workerMetrics: string;
let connection: Connection;
let temporal: Client;
let orderNumber: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = path.join(process.env.TOPUP_TEST_RUN_DIR!, 'ops-stack');
  fs.mkdirSync(dataDir, { recursive: true });
  const stack = await isolatedStackEnv(dataDir);
  api = stack.apiUrl;
  workerMetrics = stack.workerMetricsUrl;
  stop = await startDevStack(stack.env);
  connection = await Connection.connect({ address: stack.temporalAddress });
  temporal = new Client({ connection });
}, 170_000);

afterAll(async () => {
  await connection?.close();
  await stop?.();
}, 60_000);

/** The workflow ids a visibility query lists, as the UI's filter box or `temporal workflow list --query` would. */
async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of temporal.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

test('When a customer submits an order over HTTP, then ops find it Dealing by OrderStatus and AccountId in Temporal visibility', async () => {
  const created = await fetch(`${api}/v1/orders`, { method: 'POST', headers: { ...OWNER, 'content-type': 'application/json' }, body: JSON.stringify({ wallet: 'credit', amount: 500_000 }) });
  expect(created.status).toBe(201);
  orderNumber = String(((await created.json()) as { orderNumber: string }).orderNumber);
  const form = new FormData();
  form.append('slip', new Blob([PNG], { type: 'image/png' }), 'slip.png');
  const submitted = await fetch(`${api}/v1/orders/${orderNumber}/slip`, { method: 'POST', headers: OWNER, body: form });
  expect(submitted.status).toBe(201);
  expect(await submitted.json()).toMatchObject({ status: 'dealing' });

  const workflowId = orderWorkflowId(orderNumber);
  const dealing = await eventually(() => listIds("OrderStatus = 'dealing' AND AccountId = 'acc_acme'"), (ids) => ids.includes(workflowId));
  expect(dealing).toContain(workflowId);
  expect(await listIds("OrderStatus = 'dealing' AND AccountId = 'acc_nusa'")).not.toContain(workflowId);

  // The runbook's "Dealing for more than 20 hours": not this order yet, but it would be once its time came.
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();
  expect(await listIds(`OrderStatus = 'dealing' AND StatusChangedAt < '${hoursAgo(20)}'`)).not.toContain(workflowId);
  expect(await listIds(`OrderStatus = 'dealing' AND StatusChangedAt < '${hoursAgo(-1)}'`)).toContain(workflowId);
});

test('When orders move, then the API counts them on /metrics and the worker serves the Temporal SDK metrics', async () => {
  const apiMetrics = await (await fetch(`${api}/metrics`)).text();
  expect(sampleValue(apiMetrics, 'topup_orders', { status: 'dealing' })).toBeGreaterThanOrEqual(1);
  expect(sampleValue(apiMetrics, 'http_request_duration_seconds_count', { method: 'POST', route: '/v1/orders/:orderNumber/slip', status_code: '201' })).toBeGreaterThanOrEqual(1);
  expect(apiMetrics).not.toContain(orderNumber);

  const sdk = await (await fetch(workerMetrics)).text();
  expect(sampleValue(sdk, 'temporal_activity_execution_latency_count', { activity_type: 'recordOrder' })).toBeGreaterThanOrEqual(1);
  expect(sampleValue(sdk, 'temporal_workflow_task_execution_latency_count', { workflow_type: 'topupOrder' })).toBeGreaterThanOrEqual(1);
});

/** The command lines of this stack's processes running `script` (found by their DATA_DIR, as other stacks run too). */
function stackProcesses(script: string): string[][] {
  return stackProcessesWithEnv(script).map((p) => p.cmdline);
}

/** The command lines and environments of this stack's processes running `script`. */
function stackProcessesWithEnv(script: string): Array<{ cmdline: string[]; environ: string[] }> {
  const found: Array<{ cmdline: string[]; environ: string[] }> = [];
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (cmdline.some((a) => a.endsWith(script)) && environ.includes(`DATA_DIR=${dataDir}`)) found.push({ cmdline, environ });
    } catch {
      // A process that ended meanwhile, or one we may not read.
    }
  }
  return found;
}

test('When npm start runs the worker, then its heap is bounded by WORKER_HEAP_MB (512 MiB by default) and its young generation by WORKER_SEMI_SPACE_MB (4 MiB by default)', () => {
  const workers = stackProcesses('dist/worker/main.js');
  expect(workers).toHaveLength(1);
  expect(workers[0]).toContain('--max-old-space-size=512');
  expect(workers[0]).toContain('--max-semi-space-size=4');
});

test('When npm start runs the worker, then glibc malloc is held to two arenas (MALLOC_ARENA_MAX)', () => {
  const workers = stackProcessesWithEnv('dist/worker/main.js');
  expect(workers).toHaveLength(1);
  expect(workers[0]!.environ).toContain('MALLOC_ARENA_MAX=2');
});

test('When npm start runs the API, then its young generation is bounded by API_SEMI_SPACE_MB (16 MiB by default)', () => {
  const apis = stackProcesses('dist/api/main.js');
  expect(apis).toHaveLength(1);
  expect(apis[0]).toContain('--max-semi-space-size=16');
});
