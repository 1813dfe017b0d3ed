/**
 * What a password costs (api/accounts/passwords.ts): one argon2id hash (setting a password) and one verify (a
 * sign-in), alone, then `--concurrency` at once, as a burst of sign-ins would run them on libuv's thread pool. And how
 * long the event loop is held meanwhile (it should not be: the hashing runs off the main thread).
 *
 *   npm run bench -- password-hash
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ARGON2_OPTIONS, hashPassword, verifyPassword } from '../api/accounts/passwords';
import { parseFlags } from './lib/args';
import { runMain } from './lib/run-main';
import { fmt, summarize } from './lib/stats';

const flags = parseFlags('password-hash: argon2id hash and verify times', { runs: 20, concurrency: 8 });

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

runMain(async () => {
  const { memoryCost, timeCost, parallelism } = ARGON2_OPTIONS;
  process.stdout.write(`argon2id m=${memoryCost} KiB t=${timeCost} p=${parallelism}; ${flags.runs} runs; libuv pool ${process.env.UV_THREADPOOL_SIZE ?? 4} threads\n`);
  const password = 'a passphrase of ordinary length';
  const hash = await hashPassword(password);
  const hashes: number[] = [];
  const verifies: number[] = [];
  for (let i = 0; i < flags.runs; i += 1) {
    hashes.push(await timed(() => hashPassword(password)));
    verifies.push(await timed(() => verifyPassword(hash, password)));
  }
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const burstStart = performance.now();
  const burst = await Promise.all(Array.from({ length: flags.concurrency }, () => timed(() => verifyPassword(hash, password))));
  const burstMs = performance.now() - burstStart;
  loop.disable();
  const line = (name: string, samples: number[]) => {
    const s = summarize(samples);
    process.stdout.write(`${name.padEnd(34)} p50 ${fmt(s.p50, 1)}  p95 ${fmt(s.p95, 1)}  max ${fmt(s.max, 1)} ms\n`);
  };
  line('hash (set a password), alone', hashes);
  line('verify (sign in), alone', verifies);
  line(`verify, ${flags.concurrency} at once (each)`, burst);
  process.stdout.write(`${flags.concurrency} verifies at once: ${fmt(burstMs, 0)} ms in all, ${fmt((flags.concurrency / burstMs) * 1000, 1)} sign-ins/s; event loop delay meanwhile p99 ${fmt(loop.percentile(99) / 1e6, 1)} ms\n`);
});
