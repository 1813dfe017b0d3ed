/**
 * The statement CSV export of a long wallet: `--rows` movements (1,000,000 by default) written as the ledger writes
 * them, then `GET /v1/wallets/credit/statement.csv` from the real API process (dist/api/main.js, on an
 * embedded PostgreSQL and a Temporal dev server), read to its end by a client. Prints the rows and bytes received,
 * the time, and the API process's resident memory before and at its highest while it streamed (sampled every
 * 20 ms from /proc): the export is a server-side cursor piped through csv-stringify, so the growth must stay under
 * 50 MB however many rows there are. `--slow-kbps` also reads a second export at that pace, to show that a slow
 * client makes the API wait (backpressure) rather than buffer. The API runs as `npm start` runs it, with
 * `--max-semi-space-size` of API_SEMI_SPACE_MB (16); `--semi-space-mb 0` leaves Node's default, under which the young
 * generation alone grows the process by some 100 MB while what is live stays flat (run the API with --trace-gc to see).
 *
 *   node dist/bench/statement-csv.js [--rows 1000000] [--slow-kbps 2000] [--slow-seconds 10] [--semi-space-mb 16]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Pool } from 'pg';
import { parseFlags } from './lib/args';
import { benchAccountId, seedBenchAccounts } from './lib/bench-accounts';
import { startBenchDatabase } from './lib/embedded-db';
import { processMemory } from './lib/process-memory';
import { runMain } from './lib/run-main';
import { fmt, printTable } from './lib/stats';
import { startBenchDevServer } from './lib/temporal-dev-server';
import { makeTempDir } from './lib/temp-dir';
import { freePort, waitForHttp } from '../scripts/net';

/** The goal of issue 21: the API's memory grows less than this while it streams the export. */
const GOAL_MIB = 50;
const SEED_CHUNK = 100_000;

/**
 * Writes `rows` movements on the wallet as the ledger would (each entry with its postings summing to zero and the
 * wallet's parts after it), in bulk: a top-up, then a usage charge of the same amount with a service, and again. One
 * movement at a time through ledger_post would take an hour for a million; the statement reads the same columns.
 */
async function seedMovements(pool: Pool, accountId: string, rows: number): Promise<void> {
  const started = performance.now();
  await pool.query(`INSERT INTO wallets (account_id, wallet) VALUES ($1, 'credit') ON CONFLICT DO NOTHING`, [accountId]);
  for (let first = 1; first <= rows; first += SEED_CHUNK) {
    const last = Math.min(rows, first + SEED_CHUNK - 1);
    await pool.query(
      `WITH e AS (
         INSERT INTO journal_entries (idempotency_key, kind, account_id, wallet, amount, order_number, allow_negative, memo, service, recharge_after, gift_after, unbilled_after)
         SELECT 'bench-statement-' || g, CASE WHEN g % 2 = 1 THEN 'topup' ELSE 'usage' END, $1, 'credit', 1000 + ((g + 1) / 2) % 7,
                CASE WHEN g % 2 = 1 THEN lpad(g::text, 13, '9') END, CASE WHEN g % 2 = 1 THEN NULL ELSE true END,
                CASE WHEN g % 2 = 0 THEN 'request ' || g END, CASE WHEN g % 2 = 0 THEN (ARRAY['ocr', 'liveness', 'face-match'])[1 + g % 3] END,
                CASE WHEN g % 2 = 1 THEN 1000 + ((g + 1) / 2) % 7 ELSE 0 END, 0, 0
           FROM generate_series($2::int, $3::int) AS g ORDER BY g
         RETURNING id, kind, amount)
       INSERT INTO postings (entry_id, ledger_account, account_id, wallet, amount)
       SELECT e.id, p.ledger_account, p.account_id, 'credit', p.amount FROM e CROSS JOIN LATERAL (VALUES
         ('wallet:recharge', $1, CASE WHEN e.kind = 'topup' THEN e.amount ELSE -e.amount END),
         (CASE WHEN e.kind = 'topup' THEN 'cash:received' ELSE 'revenue:usage' END, NULL, CASE WHEN e.kind = 'topup' THEN -e.amount ELSE e.amount END)
       ) AS p(ledger_account, account_id, amount)`,
      [accountId, first, last],
    );
    process.stdout.write(`\rseeding: ${fmt(last)} of ${fmt(rows)} movements (${fmt((performance.now() - started) / 1000, 0)} s)`);
  }
  // The wallet's parts after its last entry: an odd count ends on a top-up.
  await pool.query(
    `UPDATE wallets w SET recharge = e.recharge_after FROM (SELECT recharge_after FROM journal_entries WHERE account_id = $1 AND wallet = 'credit' ORDER BY id DESC LIMIT 1) e
      WHERE w.account_id = $1 AND w.wallet = 'credit'`,
    [accountId],
  );
  process.stdout.write('\n');
}

/** The real API process on `port`. */
function startApi(env: Record<string, string>, nodeArgs: string[]): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, path.join(__dirname, '..', 'api', 'main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', process.env.BENCH_API_OUTPUT ? 'inherit' : 'ignore', 'inherit'] });
  child.once('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') process.stderr.write(`the API exited with ${code ?? signal}\n`);
  });
  return child;
}

interface ExportRun {
  rows: number;
  bytes: number;
  seconds: number;
  baselineMiB: number;
  peakMiB: number;
}

/** Reads the export to its end (at `kbps` when given, for `limitSeconds`), sampling the API's memory all along. */
async function readExport(url: string, token: string, apiPid: number, pace?: { kbps: number; limitSeconds: number }): Promise<ExportRun> {
  const baselineMiB = processMemory(apiPid).rssMiB;
  let peakMiB = baselineMiB;
  const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, processMemory(apiPid).rssMiB)), 20);
  const started = performance.now();
  const controller = new AbortController();
  let bytes = 0;
  let newlines = 0;
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    if (res.status !== 200 || !res.body) throw new Error(`the export answered ${res.status}: ${await res.text()}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) newlines += 1;
      if (pace) {
        const elapsed = (performance.now() - started) / 1000;
        if (elapsed > pace.limitSeconds) {
          controller.abort();
          break;
        }
        const due = (bytes / 1024 / pace.kbps) * 1000 - (performance.now() - started);
        if (due > 0) await new Promise((r) => setTimeout(r, due));
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err;
  } finally {
    clearInterval(sampler);
  }
  peakMiB = Math.max(peakMiB, processMemory(apiPid).rssMiB);
  // The first line is the header.
  return { rows: Math.max(0, newlines - 1), bytes, seconds: (performance.now() - started) / 1000, baselineMiB, peakMiB };
}

async function main(): Promise<void> {
  const flags = parseFlags('node dist/bench/statement-csv.js', { rows: 1_000_000, 'slow-kbps': 2000, 'slow-seconds': 10, 'semi-space-mb': 16 });
  const tmp = makeTempDir('statement-csv');
  const db = await startBenchDatabase(4);
  const temporal = await startBenchDevServer([], path.join(tmp.dir, 'temporal'));
  let api: ChildProcess | null = null;
  try {
    const { owners } = await seedBenchAccounts(db.pool, 1, 0);
    const accountId = benchAccountId(0);
    await seedMovements(db.pool, accountId, flags.rows);
    await db.pool.query('VACUUM ANALYZE journal_entries');
    const port = await freePort();
    api = startApi({ DATABASE_URL: db.url, TEMPORAL_ADDRESS: temporal.address, PORT: String(port), LOG_LEVEL: 'warn', DATA_DIR: tmp.dir }, flags['semi-space-mb'] > 0 ? [`--max-semi-space-size=${flags['semi-space-mb']}`] : []);
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`, 120_000);
    const token = owners[0]!;
    // Warm: the routes, the pool and the statement's plan, as a running API has them.
    const page = await fetch(`${base}/v1/wallets/credit/statement?pageSize=100`, { headers: { authorization: `Bearer ${token}` } });
    const total = ((await page.json()) as { total: number }).total;
    await readExport(`${base}/v1/wallets/credit/statement.csv?from=2000-01-01&to=2000-01-01`, token, api.pid!);

    const full = await readExport(`${base}/v1/wallets/credit/statement.csv`, token, api.pid!);
    if (full.rows !== total) throw new Error(`the export had ${full.rows} rows; the statement has ${total}`);
    const runs: [string, ExportRun][] = [['full read', full]];
    if (flags['slow-kbps'] > 0) {
      runs.push([`slow client (${fmt(flags['slow-kbps'])} kB/s, first ${flags['slow-seconds']} s)`, await readExport(`${base}/v1/wallets/credit/statement.csv`, token, api.pid!, { kbps: flags['slow-kbps'], limitSeconds: flags['slow-seconds'] })]);
    }
    printTable(
      `Statement CSV export of ${fmt(total)} movements from the API process (dist/api/main.js, ${flags['semi-space-mb'] > 0 ? `--max-semi-space-size=${flags['semi-space-mb']}` : "Node's default semi-space"}); resident memory sampled every 20 ms`,
      ['read', 'rows', 'MB', 'seconds', 'rows/s', 'API RSS before (MiB)', 'API RSS peak (MiB)', 'growth (MiB)'],
      runs.map(([name, r]) => [name, fmt(r.rows), fmt(r.bytes / 1e6, 1), fmt(r.seconds, 1), fmt(r.rows / r.seconds), fmt(r.baselineMiB, 1), fmt(r.peakMiB, 1), fmt(r.peakMiB - r.baselineMiB, 1)]),
    );
    const growth = Math.max(...runs.map(([, r]) => r.peakMiB - r.baselineMiB));
    process.stdout.write(`\nGoal: the API's memory grows less than ${GOAL_MIB} MB while it streams: ${growth < GOAL_MIB ? 'met' : 'MISSED'} (largest growth ${fmt(growth, 1)} MiB).\n`);
    if (growth >= GOAL_MIB) throw new Error(`the API's memory grew ${fmt(growth, 1)} MiB while it streamed the export`);
  } finally {
    if (api && api.exitCode === null) {
      const exited = new Promise((r) => api!.once('exit', r));
      api.kill('SIGTERM');
      await exited;
    }
    await temporal.stop();
    await db.stop();
    tmp.remove();
  }
}

runMain(main);
