/**
 * Benchmark 3, the ledger: movements per second (top-ups and usage charges alternating) on one hot wallet and
 * spread over --wallets wallets, directly against an embedded PostgreSQL with a pool, by two paths in the same run:
 * `single`, each movement its own transaction (creditTopup / recordUsage, ledger_post), and `batched`, movements
 * grouped as the usage route groups them (MovementBatcher: --window-ms, --max-batch; ledger_post_batch), so the
 * batched figure comes with its ratio to the single one. Deadlocks counted; checkLedger run after all.
 *
 *   node dist/bench/ledger.js [--hot 2000] [--spread 5000] [--wallets 1000] [--concurrency 20] [--pool 20] [--runs 3]
 *   node dist/bench/ledger.js --paths batched --window-ms 1 --max-batch 64 --concurrency 100
 */
import type { Pool } from 'pg';
import { checkLedger, creditTopup, recordUsage, type MovementRequest } from '../db/ledger/ledger';
import { MovementBatcher } from '../db/ledger/movement-batcher';
import { parseFlags } from './lib/args';
import { benchAccountId, insertBenchAccounts } from './lib/bench-accounts';
import { startBenchDatabase } from './lib/embedded-db';
import { childPid, treeCpuSeconds } from './lib/process-memory';
import { runConcurrently } from './lib/run-concurrently';
import { fmt, median, ms, printTable, summarize } from './lib/stats';
import { runMain } from './lib/run-main';
import { recordFigure } from './lib/figures';

let nextOrder = 1_000_000_000_000;

interface RunResult {
  movementsPerSecond: number;
  postingsPerSecond: number;
  latencies: number[];
  failed: number;
  deadlocks: number;
  /** CPU seconds per movement: this process (the pool and the ledger code) and PostgreSQL (all its processes). */
  cpuMs: { node: number; postgres: number };
}

async function count(pool: Pool, sql: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
}

/** How a movement reaches the ledger. */
type Path = 'single' | 'batched';
const PATHS: readonly Path[] = ['single', 'batched'];

/** Movement i on `accountId`'s credit wallet: even i a top-up, odd i a usage charge (credit may go negative). */
function movementOf(i: number, accountId: string): MovementRequest {
  if (i % 2 === 0) return { kind: 'topup', orderNumber: String(nextOrder++), accountId, wallet: 'credit', amount: 50_000 };
  return { kind: 'usage', accountId, wallet: 'credit', amount: 20_000 + (i % 7) * 5_000, idempotencyKey: `bench-usage-${nextOrder++}`, allowNegative: true };
}

/** Applies one movement by `path`; throws its refusal (none is expected here). */
function applier(pool: Pool, path: Path, batcher: MovementBatcher): (m: MovementRequest) => Promise<void> {
  if (path === 'batched') {
    return async (m) => {
      const answer = await batcher.submit(m);
      if (answer.status === 'refused') throw answer.error;
    };
  }
  return async (m) => {
    if (m.kind === 'topup') await creditTopup(pool, m);
    else if (m.kind === 'usage') await recordUsage(pool, m);
  };
}

/** `movements` movements on wallets chosen by `walletOf(i)`, each applied by `apply`. */
async function run(pool: Pool, movements: number, concurrency: number, walletOf: (i: number) => number, apply: (m: MovementRequest) => Promise<void>): Promise<RunResult> {
  const postingsBefore = await count(pool, 'SELECT count(*) AS n FROM postings');
  const deadlocksBefore = await count(pool, 'SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()');
  const latencies: number[] = [];
  let deadlocks = 0;
  const pgPid = childPid('bin/postgres');
  const cpuBefore = { node: process.cpuUsage(), postgres: treeCpuSeconds(pgPid) };
  const r = await runConcurrently(movements, concurrency, async (i) => {
    const accountId = benchAccountId(walletOf(i));
    const start = performance.now();
    try {
      await apply(movementOf(i, accountId));
    } catch (err) {
      if ((err as { code?: string }).code === '40P01') deadlocks += 1;
      throw err;
    }
    latencies.push(performance.now() - start);
  });
  if (r.failed) process.stderr.write(`ledger: ${r.failed} movements failed, e.g. ${r.errors.join('; ')}\n`);
  const postings = (await count(pool, 'SELECT count(*) AS n FROM postings')) - postingsBefore;
  const serverDeadlocks = (await count(pool, 'SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()')) - deadlocksBefore;
  const seconds = r.elapsedMs / 1000;
  const nodeCpu = process.cpuUsage(cpuBefore.node);
  const cpuMs = { node: (nodeCpu.user + nodeCpu.system) / 1000 / movements, postgres: ((treeCpuSeconds(pgPid) - cpuBefore.postgres) * 1000) / movements };
  return { movementsPerSecond: (movements - r.failed) / seconds, postingsPerSecond: postings / seconds, latencies, failed: r.failed, deadlocks: Math.max(deadlocks, serverDeadlocks), cpuMs };
}

/** The statements PostgreSQL spent its time on during the measured runs (pg_stat_statements), per movement. */
async function printStatementProfile(pool: Pool, results: Map<string, RunResult[]>): Promise<void> {
  const movements = [...results.values()].flat().reduce((a, r) => a + r.latencies.length, 0);
  const stats = await pool.query<{ query: string; calls: string; plan: number; exec: number }>(
    `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls, total_plan_time AS plan, total_exec_time AS exec
       FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY total_plan_time + total_exec_time DESC LIMIT 20`,
  );
  printTable(
    `PostgreSQL time per movement by statement (pg_stat_statements over ${fmt(movements)} movements; the commit's WAL flush is not a statement)`,
    ['statement', 'calls per movement', 'plan µs', 'exec µs'],
    stats.rows.map((r) => [
      `\`${r.query.slice(0, 90)}${r.query.length > 90 ? '…' : ''}\``,
      fmt(Number(r.calls) / movements, 2),
      fmt((r.plan * 1000) / movements),
      fmt((r.exec * 1000) / movements),
    ]),
  );
}

/**
 * The goal figures are the batched path's (the usage route's), each with its ratio to the single path measured in
 * the same run; the single path's are recorded beside them.
 */
function recordLedgerFigures(
  scenarios: Array<{ id: string; path: Path; name: string; movements: number }>,
  results: Map<string, RunResult[]>,
  flags: { concurrency: number; pool: number; runs: number; 'window-ms': number; 'max-batch': number },
): void {
  const rate = (s: { name: string }) => median(results.get(s.name)!.map((x) => x.movementsPerSecond));
  for (const s of scenarios) {
    const runs = results.get(s.name)!;
    const single = scenarios.find((o) => o.id === s.id && o.path === 'single');
    const batched = s.path === 'batched';
    const prefix = batched ? `ledger.${s.id}` : `ledger.${s.id}.single`;
    const conditions = { path: s.path, movements: s.movements, concurrency: flags.concurrency, pool: flags.pool, runs: flags.runs, ...(batched ? { windowMs: flags['window-ms'], maxBatch: flags['max-batch'] } : {}) };
    const ratio = batched && single ? { ratio: { value: rate(s) / rate(single), of: `one transaction a movement (${fmt(rate(single))}/s)` } } : {};
    recordFigure({ id: `${prefix}.movementsPerSecond`, label: `ledger, ${s.name}: movements/s (median of runs)`, value: rate(s), unit: 'movements/s', ...ratio, conditions });
    recordFigure({ id: `${prefix}.p99Ms`, label: `ledger, ${s.name}: p99 of a movement`, value: summarize(runs.flatMap((x) => x.latencies)).p99, unit: 'ms', conditions });
  }
}

async function main(): Promise<void> {
  const flags = parseFlags('Ledger postings per second, one hot wallet and spread over many.', {
    hot: 2000,
    spread: 5000,
    wallets: 1000,
    concurrency: 20,
    pool: 20,
    runs: 3,
    paths: 'single,batched',
    // The batched path's grouping, as USAGE_BATCH_WINDOW_MS and USAGE_BATCH_MAX set it for the usage route.
    'window-ms': 2,
    'max-batch': 50,
    // Diagnosis only: `off` shows what the commit's WAL flush costs; the service runs with `on`.
    'synchronous-commit': 'on',
    // 1: load pg_stat_statements and print where PostgreSQL's time went, statement by statement.
    profile: 0,
  });
  const db = await startBenchDatabase(flags.pool, { statementStats: flags.profile === 1 });
  try {
    if (flags['synchronous-commit'] === 'off') {
      await db.pool.query('ALTER SYSTEM SET synchronous_commit = off');
      await db.pool.query('SELECT pg_reload_conf()');
    }
    await insertBenchAccounts(db.pool, flags.wallets);
    const paths = flags.paths.split(',') as Path[];
    for (const p of paths) if (!PATHS.includes(p)) throw new Error(`--paths: unknown path "${p}"; known: ${PATHS.join(', ')}`);
    const batcher = new MovementBatcher(db.pool, {
      windowMs: flags['window-ms'],
      maxBatch: flags['max-batch'],
      onBatchFailed: (err) => process.stderr.write(`ledger: a batch failed as a whole: ${String(err)}\n`),
    });
    // Warm-up, not counted: the wallet rows exist and the plans are cached before the first measured run.
    for (const p of paths) await run(db.pool, Math.min(1000, flags.wallets), flags.concurrency, (i) => i % flags.wallets, applier(db.pool, p, batcher));
    if (flags.profile === 1) await db.pool.query('SELECT pg_stat_statements_reset()');
    const scenarios = paths.flatMap((path) => [
      { id: 'hot', path, name: `hot: 1 wallet, ${path}`, movements: flags.hot, walletOf: () => 0 },
      { id: 'spread', path, name: `spread: ${fmt(flags.wallets)} wallets, ${path}`, movements: flags.spread, walletOf: () => Math.floor(Math.random() * flags.wallets) },
    ]);
    const results = new Map<string, RunResult[]>(scenarios.map((s) => [s.name, []]));
    // Runs alternate the paths and scenarios, so a change in the machine's load hits each alike.
    for (let r = 0; r < flags.runs; r++) {
      for (const s of scenarios) results.get(s.name)!.push(await run(db.pool, s.movements, flags.concurrency, s.walletOf, applier(db.pool, s.path, batcher)));
    }
    const checkStart = performance.now();
    const violations = await checkLedger(db.pool);
    const checkMs = performance.now() - checkStart;
    const entries = await count(db.pool, 'SELECT count(*) AS n FROM journal_entries');
    const rows = scenarios.map((s) => {
      const runs = results.get(s.name)!;
      const lat = summarize(runs.flatMap((x) => x.latencies));
      return [
        s.name,
        fmt(s.movements),
        fmt(median(runs.map((x) => x.movementsPerSecond))),
        runs.map((x) => fmt(x.movementsPerSecond)).join(' / '),
        fmt(median(runs.map((x) => x.postingsPerSecond))),
        `${ms(lat.p50)} / ${ms(lat.p99)}`,
        `${fmt(median(runs.map((x) => x.cpuMs.node)), 2)} / ${fmt(median(runs.map((x) => x.cpuMs.postgres)), 2)}`,
        String(runs.reduce((a, x) => a + x.deadlocks, 0)),
        String(runs.reduce((a, x) => a + x.failed, 0)),
      ];
    });
    recordLedgerFigures(scenarios, results, flags);
    printTable(
      `Ledger (pool ${flags.pool}, ${flags.concurrency} in flight, synchronous_commit ${flags['synchronous-commit']}, batched: window ${flags['window-ms']} ms, at most ${flags['max-batch']}; median of ${flags.runs} runs; a movement is one journal entry with 2–3 posting rows)`,
      ['scenario', 'movements per run', 'movements/s', 'runs', 'posting rows/s', 'p50 / p99 ms', 'CPU ms per movement: node / PostgreSQL', 'deadlocks', 'failed'],
      rows,
    );
    process.stdout.write(`\ncheckLedger over ${fmt(entries)} entries: ${violations.length} violations (${fmt(checkMs)} ms)${violations.length ? `\n${violations.slice(0, 5).join('\n')}` : ''}\n`);
    if (flags.profile === 1) await printStatementProfile(db.pool, results);
    if (violations.length) process.exitCode = 1;
  } finally {
    await db.stop();
  }
}

runMain(main);
