/**
 * autocannon in its own process (so the API under test keeps its core to itself), its JSON report parsed.
 * Latencies are autocannon's: whole milliseconds.
 */
import { execFile } from 'node:child_process';
import { z } from 'zod';

const ZReport = z.object({
  duration: z.number(),
  errors: z.number(),
  timeouts: z.number(),
  non2xx: z.number(),
  latency: z.object({ p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() }),
  requests: z.object({ average: z.number(), total: z.number() }),
});

/** What one load run gave. */
export type LoadReport = z.infer<typeof ZReport>;

/** How to load the URL: connections, and a duration (s) or a number of requests. */
export interface LoadOptions {
  url: string;
  token: string;
  connections: number;
  durationSeconds?: number;
  amount?: number;
}

/** Runs autocannon against `url` with a bearer token and answers its report. */
export function loadTest(opts: LoadOptions): Promise<LoadReport> {
  const args = [require.resolve('autocannon/autocannon.js'), '-j', '-n', '-c', String(opts.connections), '-H', `authorization=Bearer ${opts.token}`];
  if (opts.amount !== undefined) args.push('-a', String(opts.amount));
  else args.push('-d', String(opts.durationSeconds ?? 10));
  args.push(opts.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`autocannon failed: ${err.message}\n${stderr}`));
      try {
        resolve(ZReport.parse(JSON.parse(stdout)));
      } catch (parseErr) {
        reject(new Error(`autocannon's report could not be read: ${String(parseErr)}\n${stdout.slice(0, 500)}`));
      }
    });
  });
}
