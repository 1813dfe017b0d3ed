/**
 * Benchmark 1, the ceiling: the Temporal dev server's own rate for a no-op workflow and for a workflow with one
 * no-op activity, under each set of SQLite pragmas named by --sets (each on a fresh server and database).
 *
 *   node dist/bench/ceiling.js [--workflows 100] [--concurrency 20] [--runs 2] [--sets sqlite-default,npm-start]
 *   node dist/bench/ceiling.js --sets sqlite-default,wal,wal-normal,wal-normal-cache,wal-normal-mmap,wal-normal-checkpoint,wal-off-UNSAFE
 */
import path from 'node:path';
import { DEV_SERVER_SQLITE_PRAGMAS } from '../scripts/dev-stack';
import { parseFlags } from './lib/args';
import { CEILING_WORKFLOWS, measureCeiling } from './lib/ceiling';
import { fmt, printTable } from './lib/stats';
import { startBenchDevServer } from './lib/temporal-dev-server';
import { makeTempDir } from './lib/temp-dir';
import { runMain } from './lib/run-main';

/** The pragma sets on trial; `npm-start` is whatever DEV_SERVER_SQLITE_PRAGMAS holds. */
export const PRAGMA_SETS: Record<string, readonly string[]> = {
  'sqlite-default': [],
  wal: ['journal_mode=WAL'],
  'wal-normal': ['journal_mode=WAL', 'synchronous=NORMAL'],
  'wal-normal-cache': ['journal_mode=WAL', 'synchronous=NORMAL', 'cache_size=-65536', 'temp_store=MEMORY'],
  'wal-normal-mmap': ['journal_mode=WAL', 'synchronous=NORMAL', 'mmap_size=268435456'],
  'wal-normal-checkpoint': ['journal_mode=WAL', 'synchronous=NORMAL', 'wal_autocheckpoint=10000'],
  // Not safe (a crash or power cut can corrupt the file): measured only to show what durability costs.
  'wal-off-UNSAFE': ['journal_mode=WAL', 'synchronous=OFF'],
  'npm-start': DEV_SERVER_SQLITE_PRAGMAS,
};

async function main(): Promise<void> {
  const flags = parseFlags('Temporal dev server ceiling under SQLite pragma sets.', {
    workflows: 100,
    concurrency: 20,
    runs: 2,
    sets: 'sqlite-default,npm-start',
  });
  const sets = flags.sets.split(',');
  for (const s of sets) if (!PRAGMA_SETS[s]) throw new Error(`--sets: unknown set "${s}"; known: ${Object.keys(PRAGMA_SETS).join(', ')}`);
  const tmp = makeTempDir('ceiling');
  const rows: string[][] = [];
  try {
    for (const name of sets) {
      const pragmas = PRAGMA_SETS[name]!;
      const server = await startBenchDevServer(pragmas, path.join(tmp.dir, name));
      try {
        const r = await measureCeiling({ address: server.address, workflows: flags.workflows, concurrency: flags.concurrency, runs: flags.runs });
        const cells = CEILING_WORKFLOWS.flatMap((k) => [fmt(r[k].median, 1), r[k].perSecond.map((v) => fmt(v, 0)).join(' / ')]);
        rows.push([name, pragmas.join(' ') || '(SQLite defaults: rollback journal, synchronous=FULL)', ...cells]);
        process.stdout.write(`ceiling ${name}: no-op ${fmt(r.noopWorkflow.median, 1)}/s, one activity ${fmt(r.oneActivityWorkflow.median, 1)}/s\n`);
      } finally {
        await server.stop();
      }
    }
  } finally {
    tmp.remove();
  }
  printTable(
    `Ceiling: workflows completed per second (${flags.workflows} per run, ${flags.concurrency} in flight, median of ${flags.runs} runs)`,
    ['set', 'pragmas', 'no-op /s', 'runs', 'one activity /s', 'runs'],
    rows,
  );
}

runMain(main);
