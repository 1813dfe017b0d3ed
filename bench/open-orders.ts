/**
 * Benchmark 5, open orders: the workers' memory with --orders orders open and waiting (Unpaid, each with its
 * 120 h close timer pending) on the `npm start` stack (`--engine dev`, the default) or the cluster profile
 * (`--engine cluster`: two workers, the Temporal server on PostgreSQL, whose memory and database size are shown
 * too), with the worker settings in force, and how fast the server and the workflows still answer while they wait
 * (a `getOrder` query to each order's workflow, replayed when not cached, and plain server calls).
 *
 *   node dist/bench/open-orders.js [--orders 1000] [--concurrency 20] [--probes 50] [--engine dev|cluster] [--heap-mb N] [--semi-space-mb N] [--cache N]
 *   node dist/bench/open-orders.js --orders 10000 --engine cluster
 */
import { Client, Connection } from '@temporalio/client';
import { getOrderQuery, orderWorkflowId } from '../workflows/definitions';
import { loadSettings } from '../config/settings';
import { parseFlags } from './lib/args';
import { startBenchStack, type Engine } from './lib/bench-stack';
import { callJson, expectStatus } from './lib/http';
import { childPids, processCpuSeconds, processMemory, treePssMiB, type ProcessMemory } from './lib/process-memory';
import { runConcurrently } from './lib/run-concurrently';
import { fmt, ms, printTable, summarize } from './lib/stats';
import { runMain } from './lib/run-main';
import { recordFigure } from './lib/figures';

const WORKER = 'dist/worker/main.js';

/** The worker's settings: heap, young generation and workflow cache from --heap-mb, --semi-space-mb and --cache, 0 keeping the settings' defaults. */
function workerSettings(heapMb: number, semiSpaceMb: number, cache: number): string {
  const defaults = loadSettings({});
  const cached = cache || defaults.WORKER_MAX_CACHED_WORKFLOWS;
  const node = `node --max-old-space-size=${heapMb || defaults.WORKER_HEAP_MB} (WORKER_HEAP_MB) --max-semi-space-size=${semiSpaceMb || defaults.WORKER_SEMI_SPACE_MB} (WORKER_SEMI_SPACE_MB)`;
  return `${node}; maxCachedWorkflows ${fmt(cached)} (WORKER_MAX_CACHED_WORKFLOWS), SDK defaults otherwise: reuseV8Context, maxConcurrentWorkflowTaskExecutions 40, maxConcurrentActivityTaskExecutions 100; shutdownGraceTime 30 s`;
}

/** Waits until the workers have used under 5 % of a core for two seconds: every order's first tasks are done. */
async function untilWorkersIdle(pids: number[], timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const cpu = () => pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  for (;;) {
    const before = cpu();
    await new Promise((r) => setTimeout(r, 2000));
    if (cpu() - before < 0.1 || Date.now() > deadline) return;
  }
}

/** Latencies of reads while the orders wait: a query to the workflow (the worker answers) and the server alone. */
async function probe(client: Client, orderNumbers: string[], probes: number): Promise<{ rows: string[][]; liveP99: number }> {
  const pick = (i: number) => Math.floor((i * orderNumbers.length) / probes);
  const live: number[] = [];
  const describe: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < probes; i++) {
    const idx = pick(i);
    const handle = client.workflow.getHandle(orderWorkflowId(orderNumbers[idx]!));
    let start = performance.now();
    await handle.query(getOrderQuery);
    live.push(performance.now() - start);
    start = performance.now();
    await handle.describe();
    describe.push(performance.now() - start);
    start = performance.now();
    await client.workflow.count(`WorkflowType = 'topupOrder' AND ExecutionStatus = 'Running'`);
    count.push(performance.now() - start);
  }
  const row = (name: string, samples: number[]) => {
    const s = summarize(samples);
    return [name, String(s.n), ms(s.p50), ms(s.p95), ms(s.p99)];
  };
  return {
    rows: [row('getOrder query to the workflow (server → worker)', live), row('describe workflow (server only)', describe), row(`count running orders (server visibility)`, count)],
    liveP99: summarize(live).p99,
  };
}

function memoryCell(m: ProcessMemory): string {
  return `${fmt(m.rssMiB)} (peak ${fmt(m.peakRssMiB)})`;
}

async function main(): Promise<void> {
  const flags = parseFlags('Worker memory with many orders open and waiting on their timers.', {
    orders: 1000,
    concurrency: 20,
    probes: 50,
    accounts: 100,
    // The worker's WORKER_HEAP_MB (0: the setting's default).
    'heap-mb': 0,
    // The worker's WORKER_SEMI_SPACE_MB (0: the setting's default).
    'semi-space-mb': 0,
    // The worker's WORKER_MAX_CACHED_WORKFLOWS (0: the setting's default).
    cache: 0,
    engine: 'dev',
  });
  if (flags.engine !== 'dev' && flags.engine !== 'cluster') throw new Error('--engine: must be dev or cluster');
  const engine = flags.engine as Engine;
  const heapMb = flags['heap-mb'];
  const semiSpaceMb = flags['semi-space-mb'];
  const cache = flags.cache;
  const stack = await startBenchStack({
    engine,
    accounts: flags.accounts,
    financeUsers: 1,
    env: { ...(heapMb ? { WORKER_HEAP_MB: String(heapMb) } : {}), ...(semiSpaceMb ? { WORKER_SEMI_SPACE_MB: String(semiSpaceMb) } : {}), ...(cache ? { WORKER_MAX_CACHED_WORKFLOWS: String(cache) } : {}) },
  });
  const connection = await Connection.connect({ address: stack.temporalAddress });
  try {
    const client = new Client({ connection });
    const workerPids = childPids(WORKER);
    const [temporalPid] = childPids(engine === 'cluster' ? 'temporal-server-' : 'start-dev');
    const [postgresPid] = childPids('dist/db/embedded-server.js');
    if (!temporalPid || !postgresPid || workerPids.length === 0) throw new Error(`the ${engine} stack's processes were not found`);
    const workersMemory = () => workerPids.map(processMemory);
    const idle = workersMemory();
    const orderNumbers: string[] = [];
    const created = await runConcurrently(flags.orders, flags.concurrency, async (i) => {
      const owner = stack.credentials.owners[i % stack.credentials.owners.length]!;
      const answer = expectStatus('create', await callJson(stack.api, 'POST', '/v1/orders', owner, { wallet: 'credit', amount: 100_000 }), 201);
      orderNumbers[i] = String(answer.body.orderNumber);
    });
    if (created.failed) throw new Error(`${created.failed} orders could not be created, e.g. ${created.errors.join('; ')}`);
    process.stdout.write(`created ${fmt(flags.orders)} orders in ${fmt(created.elapsedMs / 1000, 1)} s (${fmt(flags.orders / (created.elapsedMs / 1000), 1)}/s)\n`);
    await untilWorkersIdle(workerPids);
    const running = await client.workflow.count(`WorkflowType = 'topupOrder' AND ExecutionStatus = 'Running'`);
    const waiting = workersMemory();
    const probes = await probe(client, orderNumbers, flags.probes);
    const afterProbes = workersMemory();
    const growth = waiting.reduce((sum, m, k) => sum + m.rssMiB - idle[k]!.rssMiB, 0);
    const temporalDb =
      engine === 'cluster'
        ? (await stack.pool.query<{ mib: number }>("SELECT (sum(pg_database_size(datname)) / 1048576.0)::float AS mib FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility')")).rows[0]?.mib
        : undefined;
    printTable(
      `Open orders on the ${engine} stack: ${fmt(running.count)} Unpaid orders running, each waiting on its 120 h timer (${workerPids.length} worker${workerPids.length > 1 ? 's' : ''}: ${workerSettings(heapMb, semiSpaceMb, cache)})`,
      ['worker RSS MiB: idle', `with ${fmt(flags.orders)} open`, 'after the probes', 'growth per open order, all workers (first load included)', `${engine === 'cluster' ? 'Temporal server' : 'dev server'} RSS MiB`, 'PostgreSQL PSS MiB (all its processes)', ...(temporalDb === undefined ? [] : ["Temporal's databases MiB"])],
      [
        [
          idle.map(memoryCell).join(' + '),
          waiting.map(memoryCell).join(' + '),
          afterProbes.map(memoryCell).join(' + '),
          `${fmt((growth * 1024) / flags.orders, 1)} KiB`,
          memoryCell(processMemory(temporalPid)),
          fmt(treePssMiB(postgresPid)),
          ...(temporalDb === undefined ? [] : [fmt(temporalDb, 1)]),
        ],
      ],
    );
    printTable(`While they wait: ${flags.probes} probes, spread over the open orders`, ['read', 'n', 'p50 ms', 'p95 ms', 'p99 ms'], probes.rows);
    const conditions = { orders: flags.orders, engine, workers: workerPids.length, probes: flags.probes };
    const rss = waiting.reduce((sum, m) => sum + m.rssMiB, 0);
    recordFigure({ id: 'openOrders.workerRssMiB', label: `worker RSS with the orders open (all workers)`, value: rss, unit: 'MiB', ratio: { value: rss / idle.reduce((sum, m) => sum + m.rssMiB, 0), of: 'the idle worker' }, conditions });
    recordFigure({ id: 'openOrders.liveReadP99Ms', label: 'live order read (getOrder query) p99 while they wait', value: probes.liveP99, unit: 'ms', conditions });
  } finally {
    await connection.close();
    await stack.stop();
  }
}

runMain(main);
