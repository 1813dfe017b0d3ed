/**
 * `npm run bench`: every benchmark at its small default size, one after another, each in its own process (so
 * one's memory and CPU never count in another's figures). Sizes are each script's flags; see docs/benchmarks.md.
 *
 *   npm run bench                 # all, about 5 minutes
 *   npm run bench -- ledger api   # some of them
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fmt } from './lib/stats';

const BENCHMARKS = ['ceiling', 'e2e', 'engines', 'failover', 'ledger', 'api', 'open-orders', 'slip-inspection', 'password-hash', 'statement-csv'] as const;

function runScript(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, `${name}.js`)], { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const w of wanted) if (!(BENCHMARKS as readonly string[]).includes(w)) throw new Error(`unknown benchmark "${w}"; known: ${BENCHMARKS.join(', ')}`);
  const selected = wanted.length ? wanted : [...BENCHMARKS];
  const start = performance.now();
  const failed: string[] = [];
  for (const name of selected) {
    process.stdout.write(`\n=== bench/${name} ===\n`);
    const t = performance.now();
    const code = await runScript(name);
    process.stdout.write(`=== bench/${name}: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${fmt((performance.now() - t) / 1000, 1)} s ===\n`);
    if (code !== 0) failed.push(name);
  }
  process.stdout.write(`\nAll benchmarks: ${fmt((performance.now() - start) / 1000, 1)} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
  if (failed.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
