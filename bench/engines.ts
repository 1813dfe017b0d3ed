/**
 * Both engines side by side, in one run: the `dev` stack (`npm start`: the Temporal dev server on SQLite, one
 * worker, one API process) and the `cluster` stack (`npm run start:cluster`: the Temporal server on PostgreSQL,
 * two workers, two API processes on one port). On each, one after the other on a fresh stack: the no-op ceiling
 * (bench/lib/ceiling.ts) with the Temporal server's CPU per workflow, then end-to-end bank-transfer top-ups at each
 * --concurrency (bench/lib/e2e-levels.ts) with every process's CPU per order. --rounds alternates the engines
 * again, so a change in the machine's load hits both.
 *
 *   node dist/bench/engines.js [--concurrency 20,100] [--orders 40,100] [--rounds 1] [--engines dev,cluster]
 */
import os from 'node:os';
import { parseFlags } from './lib/args';
import { startBenchStack, type Engine } from './lib/bench-stack';
import { measureCeiling } from './lib/ceiling';
import { PROCESS_KINDS, processPids, runLevel, type LevelResult, type ProcessKind } from './lib/e2e-levels';
import { treeCpuSeconds } from './lib/process-memory';
import { fmt, ms, printTable, summarize } from './lib/stats';
import { runMain } from './lib/run-main';

interface EngineRun {
  engine: Engine;
  noop: number;
  oneActivity: number;
  /** CPU ms of the Temporal server (and the UI server on the cluster) per workflow, during the ceiling runs. */
  serverCpuPerNoopMs: number;
  /** CPU ms of PostgreSQL per workflow during the ceiling runs (Temporal's persistence on the cluster; idle on the dev stack, whose server keeps SQLite in-process). */
  postgresCpuPerNoopMs: number;
  /** CPU ms of the benchmark's own worker and client per no-op workflow (this process). */
  benchCpuPerNoopMs: number;
  levels: LevelResult[];
}

const loadavg = () => os.loadavg().map((v) => fmt(v, 2)).join(' ');

async function runEngine(engine: Engine, flags: { concurrency: number[]; orders: number[]; 'ceiling-workflows': number; 'ceiling-runs': number }, offset: number): Promise<EngineRun> {
  const stack = await startBenchStack({ engine, accounts: 200, financeUsers: 20 });
  try {
    const pids = processPids(engine);
    // Warm-up, not counted: JIT, pools, the workers' workflow bundles, the server's caches.
    await runLevel(stack, pids, 5, 10, offset + 900_000);
    const cpuOf = (kind: ProcessKind) => () => pids[kind].reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
    const temporalCpu = cpuOf('temporal');
    const postgresCpu = cpuOf('postgres');
    const serverBefore = temporalCpu();
    const postgresBefore = postgresCpu();
    const benchBefore = process.cpuUsage();
    const ceiling = await measureCeiling({ address: stack.temporalAddress, workflows: flags['ceiling-workflows'], concurrency: 20, runs: flags['ceiling-runs'] });
    const bench = process.cpuUsage(benchBefore);
    // Per workflow of either kind (the ceiling runs both, plus a warm-up batch of each).
    const workflows = 2 * (flags['ceiling-runs'] * flags['ceiling-workflows'] + Math.min(50, flags['ceiling-workflows']));
    const serverCpuPerNoopMs = (1000 * (temporalCpu() - serverBefore)) / workflows;
    // PostgreSQL's backends that exit take their CPU out of the tree's sum: on the dev stack (idle here) that reads as a
    // fraction of a millisecond below zero.
    const postgresCpuPerNoopMs = Math.max(0, (1000 * (postgresCpu() - postgresBefore)) / workflows);
    const benchCpuPerNoopMs = (bench.user + bench.system) / 1000 / workflows;
    process.stdout.write(`${engine}: ceiling no-op ${fmt(ceiling.noopWorkflow.median, 1)}/s, one activity ${fmt(ceiling.oneActivityWorkflow.median, 1)}/s (load ${loadavg()})\n`);
    const levels: LevelResult[] = [];
    let next = offset;
    for (const [k, concurrency] of flags.concurrency.entries()) {
      const orders = flags.orders[k]!;
      const level = await runLevel(stack, pids, concurrency, orders, next);
      next += orders;
      levels.push(level);
      process.stdout.write(`${engine}: e2e c=${concurrency}: ${fmt(level.ordersPerSecond, 2)} orders/s over ${orders} orders (load ${loadavg()})\n`);
    }
    return { engine, noop: ceiling.noopWorkflow.median, oneActivity: ceiling.oneActivityWorkflow.median, serverCpuPerNoopMs, postgresCpuPerNoopMs, benchCpuPerNoopMs, levels };
  } finally {
    await stack.stop();
  }
}

async function main(): Promise<void> {
  const flags = parseFlags('Both Temporal engines side by side: the no-op ceiling and end-to-end top-ups on the dev stack and on the cluster profile.', {
    engines: 'dev,cluster',
    concurrency: [20, 100],
    orders: [40, 100],
    rounds: 1,
    'ceiling-workflows': 100,
    'ceiling-runs': 2,
  });
  if (flags.orders.length !== flags.concurrency.length) throw new Error('--orders needs one count per --concurrency level');
  const engines = flags.engines.split(',') as Engine[];
  for (const e of engines) if (e !== 'dev' && e !== 'cluster') throw new Error(`--engines: unknown engine "${e}"; known: dev, cluster`);
  process.stdout.write(`load average before: ${loadavg()} (${os.cpus().length} cores)\n`);
  const runs: EngineRun[] = [];
  for (let round = 0; round < flags.rounds; round++) {
    for (const [k, engine] of engines.entries()) runs.push(await runEngine(engine, flags, (round * engines.length + k) * 1_000_000));
  }
  process.stdout.write(`load average after: ${loadavg()}\n`);

  const perOrder = (l: LevelResult, kind: ProcessKind) => (1000 * l.cpuSeconds[kind]) / Math.max(1, l.orders - l.failed);
  printTable(
    'Ceiling: workflows completed per second (20 in flight), and the Temporal server\'s CPU per workflow',
    ['engine', 'no-op /s', 'one activity /s', 'CPU per workflow: Temporal server', 'PostgreSQL', 'bench worker + client'],
    runs.map((r) => [r.engine, fmt(r.noop, 1), fmt(r.oneActivity, 1), `${fmt(r.serverCpuPerNoopMs, 1)} ms`, `${fmt(r.postgresCpuPerNoopMs, 1)} ms`, `${fmt(r.benchCpuPerNoopMs, 1)} ms`]),
  );
  printTable(
    'End to end: bank-transfer top-ups over HTTP (create → payment method → 40 KB slip → approve → the "paid" email sent); whole order p50 / p99 ms',
    ['engine', 'concurrency', 'orders', 'orders/s', 'of its no-op ceiling', 'whole order', 'approve', ...PROCESS_KINDS.map((k) => `CPU ${k}`), 'CPU per order'],
    runs.flatMap((r) =>
      r.levels.map((l) => {
        const order = summarize(l.latencies.order);
        const approve = summarize(l.latencies.approve);
        const total = PROCESS_KINDS.reduce((sum, k) => sum + perOrder(l, k), 0);
        return [
          r.engine,
          String(l.concurrency),
          `${l.orders}${l.failed ? ` (${l.failed} failed)` : ''}`,
          fmt(l.ordersPerSecond, 2),
          `${fmt((100 * l.ordersPerSecond) / r.noop, 1)} %`,
          `${ms(order.p50)} / ${ms(order.p99)}`,
          `${ms(approve.p50)} / ${ms(approve.p99)}`,
          ...PROCESS_KINDS.map((k) => `${fmt(perOrder(l, k), 1)} ms`),
          `${fmt(total, 1)} ms`,
        ];
      }),
    ),
  );
}

runMain(main);
