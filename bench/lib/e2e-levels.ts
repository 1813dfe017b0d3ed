/**
 * One level of the end-to-end benchmark: `orders` bank-transfer top-ups over HTTP, `concurrency` at a time
 * (create → payment method → slip upload → approve → Paid with the ledger posting, the PDF receipt and the email),
 * with each call's latency and the CPU time each kind of the stack's processes spent. bench/e2e.ts runs levels on
 * one stack; bench/engines.ts on both engines.
 */
import type { BenchStack, Engine } from './bench-stack';
import { EmailWatcher } from './email-watcher';
import { callJson, expectStatus, pngSlipOfSize, uploadSlip } from './http';
import { childPids, treeCpuSeconds } from './process-memory';
import { runConcurrently } from './run-concurrently';

/** The API calls of an order, in order. */
export const CALLS = ['create', 'payment-method', 'slip', 'approve'] as const;
type Call = (typeof CALLS)[number];
/** Series besides the calls: approve → the "paid" email sent (the last step of Paid), and the whole order. */
export type Series = Call | 'approve-to-paid' | 'order';

/** The kinds of process whose CPU a level reports. */
export const PROCESS_KINDS = ['api', 'worker', 'temporal', 'postgres'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

/**
 * How each kind is found among the benchmark's children, by engine: the cluster has two API and two worker
 * processes, and its Temporal is the server plus the UI server (idle here, counted for honesty).
 */
const PROCESS_SCRIPTS: Record<Engine, Record<ProcessKind, string[]>> = {
  dev: { api: ['dist/api/main.js'], worker: ['dist/worker/main.js'], temporal: ['start-dev'], postgres: ['dist/db/embedded-server.js'] },
  cluster: { api: ['dist/api/main.js'], worker: ['dist/worker/main.js'], temporal: ['temporal-server-', 'temporal-ui-server-'], postgres: ['dist/db/embedded-server.js'] },
};

/** The pids of each kind of the stack's processes (children of this process). */
export function processPids(engine: Engine): Record<ProcessKind, number[]> {
  const pids = Object.fromEntries(PROCESS_KINDS.map((k) => [k, PROCESS_SCRIPTS[engine][k].flatMap((script) => childPids(script))])) as Record<ProcessKind, number[]>;
  for (const k of PROCESS_KINDS) if (pids[k].length === 0) throw new Error(`no ${k} process of the ${engine} stack found`);
  return pids;
}

/** One level's figures. */
export interface LevelResult {
  concurrency: number;
  orders: number;
  failed: number;
  ordersPerSecond: number;
  latencies: Record<Series, number[]>;
  /** The orders that reached Paid. */
  orderNumbers: string[];
  cpuSeconds: Record<ProcessKind, number>;
}

const SMALL_SLIP = pngSlipOfSize(40 * 1024);

/**
 * One order through the whole bank-transfer path; pushes each call's latency. Approve answers once the wallet is
 * credited and the receipt stored; the "paid" email (receipt attached) goes after the answer, so the order is
 * done, and approve-to-Paid measured, when that email is sent.
 */
async function oneOrder(stack: BenchStack, emails: EmailWatcher, i: number, latencies: LevelResult['latencies'], paid: string[]): Promise<void> {
  const { owners, finance } = stack.credentials;
  const owner = owners[i % owners.length]!;
  const start = performance.now();
  const created = expectStatus('create', await callJson(stack.api, 'POST', '/v1/orders', owner, { wallet: 'credit', amount: 100_000 + i }), 201);
  const n = String(created.body.orderNumber);
  const method = expectStatus('payment-method', await callJson(stack.api, 'POST', `/v1/orders/${n}/payment-method`, owner, { paymentMethod: 'bank_transfer' }), 200);
  const slip = expectStatus('slip', await uploadSlip(stack.api, n, owner, SMALL_SLIP), 201);
  const approvedAt = Date.now();
  const approved = expectStatus('approve', await callJson(stack.api, 'POST', `/v1/orders/${n}/approve`, finance[i % finance.length]!, { checkResult: 'Matches the slip' }), 200);
  if (approved.body.status !== 'paid') throw new Error(`order ${n} answered ${String(approved.body.status)} to approve`);
  const emailSentAt = await emails.sent(`topup:${n}:paid`);
  latencies['approve-to-paid'].push(emailSentAt.getTime() - approvedAt);
  latencies.create.push(created.ms);
  latencies['payment-method'].push(method.ms);
  latencies.slip.push(slip.ms);
  latencies.approve.push(approved.ms);
  latencies.order.push(performance.now() - start);
  paid.push(n);
}

function cpuNow(pids: Record<ProcessKind, number[]>): Record<ProcessKind, number> {
  return Object.fromEntries(PROCESS_KINDS.map((k) => [k, pids[k].reduce((sum, pid) => sum + treeCpuSeconds(pid), 0)])) as Record<ProcessKind, number>;
}

/** Runs `orders` orders, `concurrency` at a time; order numbers' amounts start at `offset`. */
export async function runLevel(stack: BenchStack, pids: Record<ProcessKind, number[]>, concurrency: number, orders: number, offset: number): Promise<LevelResult> {
  const latencies: LevelResult['latencies'] = { create: [], 'payment-method': [], slip: [], approve: [], 'approve-to-paid': [], order: [] };
  const emails = new EmailWatcher(stack.pool);
  const orderNumbers: string[] = [];
  const cpuBefore = cpuNow(pids);
  const r = await runConcurrently(orders, concurrency, (i) => oneOrder(stack, emails, offset + i, latencies, orderNumbers));
  const cpuAfter = cpuNow(pids);
  if (r.failed) process.stderr.write(`e2e ${stack.engine} c=${concurrency}: ${r.failed} orders failed, e.g. ${r.errors.join('; ')}\n`);
  const cpuSeconds = Object.fromEntries(PROCESS_KINDS.map((k) => [k, cpuAfter[k] - cpuBefore[k]])) as Record<ProcessKind, number>;
  return { concurrency, orders, failed: r.failed, ordersPerSecond: (orders - r.failed) / (r.elapsedMs / 1000), latencies, orderNumbers, cpuSeconds };
}
