/**
 * The ceiling: how many of the smallest workflows per second the Temporal server completes on this machine,
 * measured by one harness for both kinds (a no-op workflow, and one with a single no-op activity): a bench
 * worker with the SDK's default settings on its own task queue, and a client keeping `concurrency` workflows in
 * flight (start, then wait for the result). Runs alternate the two kinds so noise hits both alike.
 */
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from '../activities';
import { median } from './stats';
import { runConcurrently } from './run-concurrently';

/** The bench workflows, by their exported names in bench/workflows.ts. */
export const CEILING_WORKFLOWS = ['noopWorkflow', 'oneActivityWorkflow'] as const;
export type CeilingWorkflow = (typeof CEILING_WORKFLOWS)[number];

/** What to measure. */
export interface CeilingOptions {
  address: string;
  namespace?: string;
  /** Workflows per run. */
  workflows: number;
  /** Workflows in flight at once. */
  concurrency: number;
  /** Runs of each kind; the median is the figure. */
  runs: number;
}

/** One kind's rates, run by run, and their median (workflows completed per second). */
export interface CeilingResult {
  perSecond: number[];
  median: number;
  failed: number;
}

let runtimeInstalled = false;
let bundle: Promise<string> | undefined;

/** A quiet SDK runtime (warnings only), installed once per process before any worker. */
export function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
}

function benchBundle(): Promise<string> {
  const silent = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: silent }).then((b) => b.code);
  return bundle;
}

/** Measures both kinds against the server at `opts.address`. */
export async function measureCeiling(opts: CeilingOptions): Promise<Record<CeilingWorkflow, CeilingResult>> {
  installQuietRuntime();
  const namespace = opts.namespace ?? 'default';
  const taskQueue = `bench-ceiling-${randomBytes(4).toString('hex')}`;
  const [code, nativeConnection, connection] = await Promise.all([
    benchBundle(),
    NativeConnection.connect({ address: opts.address }),
    Connection.connect({ address: opts.address }),
  ]);
  const client = new Client({ connection, namespace });
  const worker = await Worker.create({ connection: nativeConnection, namespace, taskQueue, workflowBundle: { code }, activities });
  const results: Record<CeilingWorkflow, CeilingResult> = { noopWorkflow: empty(), oneActivityWorkflow: empty() };
  const batch = async (kind: CeilingWorkflow, count: number, tag: string) =>
    runConcurrently(count, opts.concurrency, async (i) => {
      await client.workflow.execute(kind, { taskQueue, workflowId: `${taskQueue}-${tag}-${kind}-${i}`, args: [] });
    });
  try {
    await worker.runUntil(async () => {
      // Warm-up (not counted): the worker's first tasks load the bundle into its V8 context.
      for (const kind of CEILING_WORKFLOWS) await batch(kind, Math.min(50, opts.workflows), 'warmup');
      for (let run = 0; run < opts.runs; run++) {
        for (const kind of CEILING_WORKFLOWS) {
          const r = await batch(kind, opts.workflows, `run${run}`);
          results[kind].perSecond.push((opts.workflows - r.failed) / (r.elapsedMs / 1000));
          results[kind].failed += r.failed;
          if (r.failed) process.stderr.write(`ceiling ${kind}: ${r.failed} failed, e.g. ${r.errors[0]}\n`);
        }
      }
    });
  } finally {
    await Promise.all([nativeConnection.close(), connection.close()]);
  }
  for (const kind of CEILING_WORKFLOWS) results[kind].median = median(results[kind].perSecond);
  return results;
}

function empty(): CeilingResult {
  return { perSecond: [], median: Number.NaN, failed: 0 };
}
