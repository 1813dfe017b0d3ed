/**
 * The figures a benchmark measured, in a form `npm run bench` can judge against the goals (bench/lib/goals.ts) and
 * keep as JSON: each with its unit, the same run's reference and the ratio to it where there is one, the conditions
 * that make it comparable (sizes, concurrency), and the machine's load average when it was taken (the machine is
 * often shared, so a figure without its load cannot be read).
 *
 * A benchmark calls `recordFigure`; when run by `npm run bench` (which sets BENCH_FIGURES_FILE) the figure is
 * appended there as one JSON line, and a benchmark run alone only prints its tables.
 */
import fs from 'node:fs';
import os from 'node:os';
import { z } from 'zod';

/** The environment variable naming the JSON-lines file figures are appended to. */
export const FIGURES_FILE_ENV = 'BENCH_FIGURES_FILE';

export const ZFigure = z.object({
  /** Stable name, e.g. `ledger.hot.movementsPerSecond`; goals and comparisons refer to it. */
  id: z.string().min(1),
  /** What it is, for people. */
  label: z.string().min(1),
  value: z.number(),
  unit: z.string(),
  /** The figure divided by a reference measured in the same run (the machine's load hits both alike). */
  ratio: z.object({ value: z.number(), of: z.string() }).optional(),
  /** Sizes and settings that make the figure comparable with another run's, e.g. `{ orders: 1000000 }`. */
  conditions: z.record(z.string(), z.union([z.number(), z.string()])).default({}),
  /** os.loadavg() (1, 5 and 15 minutes) when the figure was taken. */
  loadAverage: z.tuple([z.number(), z.number(), z.number()]),
  /** The benchmark script that measured it. */
  script: z.string(),
});
export type Figure = z.infer<typeof ZFigure>;

/** What a benchmark passes: the load average and the script are filled in here. */
export type FigureInput = Omit<Figure, 'loadAverage' | 'script' | 'conditions'> & { conditions?: Figure['conditions'] };

/** The load average now, rounded to two decimals. */
export function loadAverage(): [number, number, number] {
  const [a, b, c] = os.loadavg().map((v) => Math.round(v * 100) / 100);
  return [a!, b!, c!];
}

/** The load average as a table cell: "1 min / 5 min". */
export function loadCell(load: readonly number[]): string {
  return `${load[0]!.toFixed(2)} / ${load[1]!.toFixed(2)}`;
}

function scriptName(): string {
  const main = process.argv[1] ?? 'bench';
  return main.replace(/^.*\//, '').replace(/\.js$/, '');
}

/** Records one figure (appended to BENCH_FIGURES_FILE when set) and answers it as stored. */
export function recordFigure(input: FigureInput): Figure {
  const figure = ZFigure.parse({ ...input, loadAverage: loadAverage(), script: scriptName() });
  const file = process.env[FIGURES_FILE_ENV];
  if (file) fs.appendFileSync(file, `${JSON.stringify(figure)}\n`);
  return figure;
}

/** Reads a JSON-lines figures file (missing file: no figures). */
export function readFiguresFile(file: string): Figure[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => ZFigure.parse(JSON.parse(line)));
}
