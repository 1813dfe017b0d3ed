/**
 * `npm run bench`: every benchmark at its small default size, one after another, each in its own process (so
 * one's memory and CPU never count in another's figures); then one summary table with each goal of issue 22, its
 * figure, the same run's ratio, the load average and met / not met, and the figures written as JSON under
 * bench/results/. Sizes are each script's flags; see docs/benchmarks.md.
 *
 *   npm run bench                                  # all, about 12 minutes
 *   npm run bench -- ledger api                    # some of them
 *   npm run bench -- api --orders=1000000          # a benchmark's own flags (--name=value) follow its name
 *   npm run bench -- ledger --compare FILE         # and each figure's change since an earlier run's FILE
 *   npm run bench -- --results NEW --compare OLD   # no run: the change between two results files
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIGURES_FILE_ENV, loadAverage, loadCell, readFiguresFile } from './lib/figures';
import { buildResults, printSummary, readResults, writeResults, type ScriptRun } from './lib/results';
import { fmt } from './lib/stats';

const BENCHMARKS = ['ceiling', 'e2e', 'engines', 'failover', 'ledger', 'api', 'open-orders', 'slip-inspection', 'password-hash', 'statement-csv'] as const;

function runScript(name: string, flags: string[], figuresFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, `${name}.js`), ...flags], { stdio: 'inherit', env: { ...process.env, [FIGURES_FILE_ENV]: figuresFile } });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function runBenchmarks(selected: Array<{ name: string; flags: string[] }>): Promise<{ scripts: ScriptRun[]; figuresFile: string }> {
  const figuresFile = path.join(os.tmpdir(), `bench-figures-${process.pid}-${Date.now()}.jsonl`);
  const scripts: ScriptRun[] = [];
  const start = performance.now();
  for (const { name, flags } of selected) {
    const loadBefore = loadAverage();
    process.stdout.write(`\n=== bench/${name}${flags.length ? ` ${flags.join(' ')}` : ''} (load average ${loadCell(loadBefore)}) ===\n`);
    const t = performance.now();
    const exitCode = await runScript(name, flags, figuresFile);
    const seconds = (performance.now() - t) / 1000;
    const loadAfter = loadAverage();
    process.stdout.write(`=== bench/${name}: ${exitCode === 0 ? 'done' : `FAILED (exit ${exitCode})`} in ${fmt(seconds, 1)} s (load average ${loadCell(loadAfter)}) ===\n`);
    scripts.push({ name, flags, exitCode, seconds, loadBefore, loadAfter });
  }
  const failed = scripts.filter((s) => s.exitCode !== 0).map((s) => s.name);
  process.stdout.write(`\nAll benchmarks: ${fmt((performance.now() - start) / 1000, 1)} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
  return { scripts, figuresFile };
}

/** The command line: run-all's options, the benchmarks named, and each one's own flags (`--name=value` after it). */
function parseCommandLine(argv: string[]): { compare?: string; results?: string; help: boolean; selected: Array<{ name: string; flags: string[] }> } {
  const out: ReturnType<typeof parseCommandLine> = { help: false, selected: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--help') out.help = true;
    else if (arg === '--compare' || arg === '--results') {
      const value = argv[(i += 1)];
      if (!value) throw new Error(`${arg} needs a results file`);
      out[arg === '--compare' ? 'compare' : 'results'] = value;
    } else if (arg.startsWith('--')) {
      const last = out.selected[out.selected.length - 1];
      if (!last || !arg.includes('=')) throw new Error(`${arg}: a benchmark's flag is written --name=value after the benchmark's name`);
      last.flags.push(arg);
    } else {
      if (!(BENCHMARKS as readonly string[]).includes(arg)) throw new Error(`unknown benchmark "${arg}"; known: ${BENCHMARKS.join(', ')}`);
      out.selected.push({ name: arg, flags: [] });
    }
  }
  return out;
}

async function main(): Promise<void> {
  const args = parseCommandLine(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`npm run bench [-- NAME [--flag=value…]…] [--compare RESULTS.json] [--results RESULTS.json]\nbenchmarks: ${BENCHMARKS.join(', ')}\n`);
    return;
  }
  const earlier = args.compare ? { file: args.compare, results: readResults(args.compare) } : undefined;
  if (args.results) {
    if (args.selected.length) throw new Error('--results prints a stored run; name no benchmarks with it');
    printSummary(readResults(args.results), earlier);
    return;
  }
  const startedAt = new Date();
  const { scripts, figuresFile } = await runBenchmarks(args.selected.length ? args.selected : BENCHMARKS.map((name) => ({ name, flags: [] })));
  const figures = readFiguresFile(figuresFile);
  fs.rmSync(figuresFile, { force: true });
  const results = buildResults(startedAt, scripts, figures);
  printSummary(results, earlier);
  const file = writeResults(results);
  process.stdout.write(`\nFigures written to ${path.relative(process.cwd(), file)} (compare a later run with: npm run bench -- --compare ${path.relative(process.cwd(), file)})\n`);
  if (scripts.some((s) => s.exitCode !== 0)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
