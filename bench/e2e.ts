/**
 * Benchmark 2, end to end: bank-transfer top-ups over HTTP against the `npm start` stack (create → payment
 * method → slip upload → approve → Paid with the ledger posting, the PDF receipt and the email), at each
 * concurrency of --concurrency, with the no-op workflow ceiling measured on the same dev server in the same
 * run; then 5 MB slip uploads with the API's memory.
 *
 *   node dist/bench/e2e.js [--concurrency 1,20,100] [--orders 10,40,100] [--upload-count 12] [--cpu-prof DIR]
 */
import path from 'node:path';
import { checkLedger } from '../db/ledger/ledger';
import { parseFlags } from './lib/args';
import { startBenchStack, type BenchStack } from './lib/bench-stack';
import { measureCeiling, type CeilingWorkflow } from './lib/ceiling';
import { CALLS, PROCESS_KINDS, processPids, runLevel, type LevelResult, type ProcessKind } from './lib/e2e-levels';
import { callJson, expectStatus, pngSlipOfSize, uploadSlip } from './lib/http';
import { childPid, processMemory } from './lib/process-memory';
import { runConcurrently } from './lib/run-concurrently';
import { fmt, median, ms, printTable, summarize } from './lib/stats';
import { runMain } from './lib/run-main';
import { recordFigure } from './lib/figures';
import { orderTasks, type OrderTasks } from './lib/order-history';

/** Paid orders, their ledger entries, receipts and sent emails, and the ledger's invariant, after the run. */
async function verify(stack: BenchStack): Promise<string> {
  const q = async (sql: string) => Number((await stack.pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const paid = await q(`SELECT count(*) AS n FROM orders WHERE account_id LIKE 'bench_acc_%' AND status = 'paid'`);
  const entries = await q(`SELECT count(*) AS n FROM journal_entries WHERE account_id LIKE 'bench_acc_%' AND kind = 'topup'`);
  const receipts = await q(`SELECT count(*) AS n FROM receipts r JOIN orders o USING (order_number) WHERE o.account_id LIKE 'bench_acc_%'`);
  const emails = await q(`SELECT count(*) AS n FROM email_outbox WHERE idempotency_key LIKE 'topup:%:paid' AND sent_at IS NOT NULL`);
  const violations = await checkLedger(stack.pool);
  return `${paid} orders Paid, ${entries} top-up ledger entries, ${receipts} receipts, ${emails} "paid" emails sent, ledger violations: ${violations.length}`;
}

async function uploads(stack: BenchStack, count: number, concurrency: number, megabytes: number): Promise<string[]> {
  const conditions = { uploads: count, concurrency, megabytes };
  const owner = stack.credentials.owners[0]!;
  const orderNumbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const created = expectStatus('create', await callJson(stack.api, 'POST', '/v1/orders', owner, { wallet: 'credit', amount: 500_000 }), 201);
    orderNumbers.push(String(created.body.orderNumber));
  }
  const content = pngSlipOfSize(megabytes * 1024 * 1024);
  const apiPid = childPid('dist/api/main.js');
  const before = processMemory(apiPid);
  const times: number[] = [];
  const r = await runConcurrently(count, concurrency, async (i) => {
    times.push(expectStatus('slip', await uploadSlip(stack.api, orderNumbers[i]!, owner, content), 201).ms);
  });
  const after = processMemory(apiPid);
  const s = summarize(times);
  recordFigure({ id: 'upload.p99Ms', label: `${megabytes} MB slip upload p99, ${concurrency} at once`, value: s.p99, unit: 'ms', conditions });
  recordFigure({ id: 'upload.p50Ms', label: `${megabytes} MB slip upload p50, ${concurrency} at once`, value: s.p50, unit: 'ms', conditions });
  recordFigure({ id: 'upload.apiRssGrowthMiB', label: 'API RSS growth while the uploads ran', value: after.rssMiB - before.rssMiB, unit: 'MiB', conditions });
  recordFigure({ id: 'upload.apiPeakRssMiB', label: 'API peak RSS after the uploads', value: after.peakRssMiB, unit: 'MiB', conditions });
  return [
    `${megabytes} MB`,
    `${count} (${concurrency} at once${r.failed ? `, ${r.failed} failed` : ''})`,
    ms(s.p50),
    ms(s.p95),
    ms(s.p99),
    `${fmt(before.rssMiB)} → ${fmt(after.rssMiB)} (peak ${fmt(after.peakRssMiB)}, before ${fmt(before.peakRssMiB)})`,
  ];
}

/** Each level's rate and its share of the same run's no-op ceiling. */
function recordLevels(levels: LevelResult[], noop: number): void {
  recordFigure({ id: 'e2e.ceiling.noopPerSecond', label: 'no-op workflow ceiling on the stack\'s dev server (median, before and after the levels)', value: noop, unit: 'workflows/s' });
  for (const l of levels) {
    const conditions = { concurrency: l.concurrency, orders: l.orders, failed: l.failed };
    const of = { of: `the no-op ceiling (${fmt(noop, 1)}/s)` };
    recordFigure({ id: `e2e.c${l.concurrency}.ordersPerSecond`, label: `end to end at concurrency ${l.concurrency}`, value: l.ordersPerSecond, unit: 'orders/s', ratio: { value: l.ordersPerSecond / noop, ...of }, conditions });
    recordFigure({ id: `e2e.c${l.concurrency}.ceilingShare`, label: `end to end at concurrency ${l.concurrency}, share of the no-op ceiling`, value: (100 * l.ordersPerSecond) / noop, unit: '%', conditions });
    const cpu = PROCESS_KINDS.reduce((sum, k) => sum + l.cpuSeconds[k], 0);
    recordFigure({ id: `e2e.c${l.concurrency}.cpuMsPerOrder`, label: `CPU per order at concurrency ${l.concurrency}, all processes`, value: (1000 * cpu) / Math.max(1, l.orders - l.failed), unit: 'ms', conditions });
  }
}

/** The tasks one order cost, from its history (issue 22, item 1). */
function printTasks(tasks: OrderTasks): void {
  printTable(
    'One order\'s history (the first order of the first level, read when its "paid" email was sent)',
    ['events', 'workflow tasks', 'activity tasks', 'activities by type', 'updates', 'timers', 'signals'],
    [[String(tasks.events), String(tasks.workflowTasks), String(tasks.activityTasks), Object.entries(tasks.activitiesByType).map(([k, v]) => `${k} ${v}`).join(', '), String(tasks.updates), String(tasks.timers), String(tasks.signals)]],
  );
  recordFigure({ id: 'e2e.order.workflowTasks', label: 'workflow tasks in one bank-transfer order\'s history', value: tasks.workflowTasks, unit: 'tasks' });
  recordFigure({ id: 'e2e.order.activityTasks', label: 'activity tasks in one bank-transfer order\'s history', value: tasks.activityTasks, unit: 'tasks' });
}

async function main(): Promise<void> {
  const flags = parseFlags('End-to-end bank-transfer top-ups over HTTP against the npm start stack.', {
    concurrency: [1, 20, 100],
    orders: [10, 40, 100],
    'ceiling-workflows': 100,
    'ceiling-concurrency': 20,
    'ceiling-runs': 2,
    'upload-count': 12,
    'upload-concurrency': 4,
    'upload-mb': 5,
    accounts: 200,
    'finance-users': 20,
    // A folder: the stack's Node processes write CPU profiles there (read them with profile-summary.js).
    'cpu-prof': '',
  });
  if (flags.orders.length !== flags.concurrency.length) throw new Error('--orders needs one count per --concurrency level');
  const profileDir = flags['cpu-prof'] ? path.resolve(flags['cpu-prof']) : '';
  if (profileDir) process.env.BENCH_CPU_PROF_DIR = profileDir;
  const preload = path.join(__dirname, 'lib', 'cpu-profile-preload.js');
  const stack = await startBenchStack({ accounts: flags.accounts, financeUsers: flags['finance-users'], ...(profileDir ? { nodeOptions: `--require ${preload}` } : {}) });
  try {
    const pids = processPids(stack.engine);
    // Warm-up, not counted: JIT, pools, the worker's workflow bundle.
    await runLevel(stack, pids, 5, 10, 1_000_000);
    const ceilingOptions = { address: stack.temporalAddress, workflows: flags['ceiling-workflows'], concurrency: flags['ceiling-concurrency'], runs: flags['ceiling-runs'] };
    const ceilingBefore = await measureCeiling(ceilingOptions);
    const levels: LevelResult[] = [];
    let offset = 0;
    for (const [k, concurrency] of flags.concurrency.entries()) {
      const orders = flags.orders[k]!;
      const level = await runLevel(stack, pids, concurrency, orders, offset);
      offset += orders;
      levels.push(level);
      process.stdout.write(`e2e c=${concurrency}: ${fmt(level.ordersPerSecond, 2)} orders/s over ${orders} orders\n`);
    }
    // The ceiling is measured before and after the levels, and its median over both brackets them in time.
    const ceilingAfter = await measureCeiling(ceilingOptions);
    const ceilingRuns = (kind: CeilingWorkflow) => [...ceilingBefore[kind].perSecond, ...ceilingAfter[kind].perSecond];
    const noop = median(ceilingRuns('noopWorkflow'));
    const oneActivity = median(ceilingRuns('oneActivityWorkflow'));
    process.stdout.write(`ceiling on this stack's dev server: no-op ${ceilingRuns('noopWorkflow').map((v) => fmt(v)).join(' / ')}/s, one activity ${ceilingRuns('oneActivityWorkflow').map((v) => fmt(v)).join(' / ')}/s\n`);
    const rows = levels.map((l) => [
      String(l.concurrency),
      `${l.orders}${l.failed ? ` (${l.failed} failed)` : ''}`,
      fmt(l.ordersPerSecond, 2),
      `${fmt((100 * l.ordersPerSecond) / noop, 1)} %`,
      ...[...CALLS, 'approve-to-paid' as const, 'order' as const].map((c) => {
        const s = summarize(l.latencies[c]);
        return `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)}`;
      }),
    ]);
    printTable(
      `End to end (no-op ceiling ${fmt(noop, 1)} workflows/s, one-activity ${fmt(oneActivity, 1)}/s: medians of ${ceilingRuns('noopWorkflow').length} runs on the same dev server before and after the levels); latencies p50 / p95 / p99 ms; approve answers once credited with the receipt stored, approve-to-Paid runs to the "paid" email sent`,
      ['concurrency', 'orders', 'orders/s', 'of no-op ceiling', 'create', 'payment-method', 'slip (40 KB)', 'approve', 'approve-to-Paid', 'whole order'],
      rows,
    );
    printTable(
      'CPU time per order, by process (descendants included)',
      ['concurrency', ...PROCESS_KINDS],
      levels.map((l) => [String(l.concurrency), ...PROCESS_KINDS.map((k: ProcessKind) => fmt((1000 * l.cpuSeconds[k]) / Math.max(1, l.orders - l.failed), 1) + ' ms')]),
    );
    recordLevels(levels, noop);
    printTasks(await orderTasks(stack.temporalAddress, levels[0]!.orderNumbers[0]!));
    process.stdout.write(`\nafter the run: ${await verify(stack)}\n`);
    const upload = await uploads(stack, flags['upload-count'], flags['upload-concurrency'], flags['upload-mb']);
    printTable('Slip upload (API process memory in MiB)', ['size', 'uploads', 'p50 ms', 'p95 ms', 'p99 ms', 'API RSS before → after'], [upload]);
  } finally {
    await stack.stop();
  }
}

runMain(main);
