/**
 * A Temporal dev server for a benchmark: the CLI `npm start` uses (scripts/temporal-binaries.ts), on free
 * ports, its SQLite file in a fresh folder, with the SQLite pragmas under test and no Web UI.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from '../../scripts/net';
import { resolveTemporalCli } from '../../scripts/temporal-binaries';

/** A running dev server. */
export interface BenchDevServer {
  address: string;
  stop(): Promise<void>;
}

/** Starts `temporal server start-dev` with `pragmas` (each `name=value`) and its database in `dir`. */
export async function startBenchDevServer(pragmas: readonly string[], dir: string): Promise<BenchDevServer> {
  const cli = await resolveTemporalCli();
  if (cli.type !== 'existing-path') throw new Error('the benchmarks need the Temporal CLI: run `npm run temporal:install` first');
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--headless', '--log-level', 'error'];
  args.push('--db-filename', path.join(dir, 'temporal.sqlite'));
  for (const p of pragmas) args.push('--sqlite-pragma', p);
  const child = spawn(cli.path, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the dev server exited with ${code}: ${stderr.trim()}`))));
  exited.catch(() => undefined);
  await Promise.race([waitForPort(port, '127.0.0.1', 120_000), exited]);
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
