/**
 * A run of `npm run bench` as JSON (bench/results/<time>-<commit>.json): the figures, each goal's verdict, the
 * machine and its load; and the summary tables printed from it, alone or beside an earlier run's figures.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../config/paths';
import { ZFigure, loadCell, type Figure } from './figures';
import { GOALS, figureCell, judgeGoals, latestById, targetCell } from './goals';
import { fmt, printTable } from './stats';

const ZScriptRun = z.object({
  name: z.string(),
  flags: z.array(z.string()).default([]),
  exitCode: z.number(),
  seconds: z.number(),
  loadBefore: z.tuple([z.number(), z.number(), z.number()]),
  loadAfter: z.tuple([z.number(), z.number(), z.number()]),
});
export type ScriptRun = z.infer<typeof ZScriptRun>;

export const ZBenchResults = z.object({
  startedAt: z.string(),
  finishedAt: z.string(),
  commit: z.string(),
  node: z.string(),
  cpus: z.number(),
  memoryGiB: z.number(),
  scripts: z.array(ZScriptRun),
  figures: z.array(ZFigure),
  verdicts: z.array(z.object({ goal: z.string(), verdict: z.string() })),
});
export type BenchResults = z.infer<typeof ZBenchResults>;

/** The folder results are written to. */
export function resultsDir(): string {
  return path.join(projectRoot(), 'bench', 'results');
}

function currentCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot(), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: projectRoot(), encoding: 'utf8' }).trim() !== '';
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

/** Builds the results of a run from its figures and scripts. */
export function buildResults(startedAt: Date, scripts: ScriptRun[], figures: Figure[]): BenchResults {
  return {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: currentCommit(),
    node: process.version,
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    scripts,
    figures,
    verdicts: judgeGoals(figures).map((r) => ({ goal: r.goal.id, verdict: r.verdict })),
  };
}

/** Writes the results under bench/results/ and answers the file's path. */
export function writeResults(results: BenchResults): string {
  const dir = resultsDir();
  fs.mkdirSync(dir, { recursive: true });
  const stamp = results.startedAt.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
  const file = path.join(dir, `${stamp}-${results.commit}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

/** Reads a results file, naming the file when it is not one. */
export function readResults(file: string): BenchResults {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--compare: ${file} could not be read as JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = ZBenchResults.safeParse(raw);
  if (!parsed.success) throw new Error(`--compare: ${file} is not a bench results file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

function ratioCell(f: Figure | undefined): string {
  return f?.ratio ? `${fmt(f.ratio.value * 100, 1)} % of ${f.ratio.of}` : '–';
}

/** A change between two values as a cell, e.g. "2,484 → 5,210 (+110 %)". */
export function changeCell(before: Figure | undefined, after: Figure | undefined): string {
  if (!before && !after) return '–';
  if (!before || !after) return before ? `${figureCell(before)} → not run` : 'new';
  const pct = before.value === 0 ? Number.NaN : ((after.value - before.value) / Math.abs(before.value)) * 100;
  const sign = pct > 0 ? '+' : '';
  const differ = Object.keys({ ...before.conditions, ...after.conditions }).filter((k) => before.conditions[k] !== after.conditions[k]);
  const note = differ.length ? `; not comparable: ${differ.map((k) => `${k} ${String(before.conditions[k] ?? '–')} → ${String(after.conditions[k] ?? '–')}`).join(', ')}` : '';
  return `${figureCell(before)} → ${figureCell(after)} (${Number.isFinite(pct) ? `${sign}${fmt(pct, 0)} %` : 'n/a'}${note})`;
}

/** Prints the goals table (and, with `earlier`, each goal's figures then and now), then every other figure. */
export function printSummary(results: BenchResults, earlier?: { file: string; results: BenchResults }): void {
  const byId = latestById(results.figures);
  const before = earlier ? latestById(earlier.results.figures) : undefined;
  const judged = judgeGoals(results.figures);
  printTable(
    `Goals of issue 22 (commit ${results.commit}, ${results.cpus} cores, Node ${results.node}; load average 1 / 5 min when each figure was taken)`,
    ['goal', 'target', 'before (issue 22)', 'measured', 'same-run ratio', 'load', 'verdict', ...(earlier ? [`change vs ${path.basename(earlier.file)}`] : [])],
    judged.map((r) => {
      const main = r.figures[0];
      const ratio = r.goal.ratioOf ? byId.get(r.goal.ratioOf) : undefined;
      const size = r.goal.size ? byId.get(r.goal.size.figure)?.conditions[r.goal.size.condition] : undefined;
      const measured = r.figures.map(figureCell).join(', ') + (size !== undefined ? ` (at ${fmt(Number(size))} ${r.goal.size!.condition})` : '');
      return [
        r.goal.title,
        targetCell(r.goal),
        r.goal.before,
        measured,
        ratioCell(ratio),
        main ? loadCell(main.loadAverage) : '–',
        r.verdict === 'met' ? 'met' : `**${r.verdict}**`,
        ...(before ? [r.goal.conditions.map((c) => changeCell(before.get(c.figure), byId.get(c.figure))).join('; ')] : []),
      ];
    }),
  );
  const inGoals = new Set(GOALS.flatMap((g) => g.conditions.map((c) => c.figure)));
  const others = [...byId.values()].filter((f) => !inGoals.has(f.id));
  if (others.length) {
    printTable(
      'Other figures',
      ['figure', 'measured', 'same-run ratio', 'conditions', 'load', ...(earlier ? ['change'] : [])],
      others.map((f) => [
        `${f.label} (\`${f.id}\`)`,
        figureCell(f),
        ratioCell(f),
        Object.entries(f.conditions).map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : v}`).join(', ') || '–',
        loadCell(f.loadAverage),
        ...(before ? [changeCell(before.get(f.id), f)] : []),
      ]),
    );
  }
}
