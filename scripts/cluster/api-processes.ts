/**
 * Several API processes serving one port, with Node's cluster module: the stack's process is the primary and
 * forks `dist/api/main.js` once per API process; each calls `listen(PORT)` as usual and gets the primary's
 * listening socket. Scheduling is SCHED_NONE: the kernel hands each connection to whichever process accepts
 * first, so the primary is not on the request path (no extra hop, no balancer process to size or to lose) and a
 * process that dies loses only the connections it had already accepted; the queue is the socket's, so the other
 * process takes every new connection at once. (Round-robin scheduling would send every connection through the
 * primary's event loop, which in the fault campaign and the benchmarks is also the load generator's.) In
 * production the API processes sit behind the load balancer instead (docs/production.md).
 */
import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import { prefixOutput, stopChild, type Started } from '../dev-stack';

cluster.schedulingPolicy = cluster.SCHED_NONE;

/**
 * The environment of a forked API process: `env` and nothing else. `cluster.fork(env)` adds its argument to the
 * primary's own environment, so variables the stack deliberately left out (a DATABASE_URL of the shell, in a test)
 * are blanked, which the settings read as unset.
 */
function forkEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const blanked = Object.fromEntries(Object.keys(process.env).filter((k) => !(k in env)).map((k) => [k, '']));
  return { ...blanked, ...env };
}

/** Starts API process number `n` (1-based) and resolves once it listens on the shared port. */
export async function startApiProcess(n: number, env: NodeJS.ProcessEnv, semiSpaceMb: number): Promise<Started> {
  cluster.setupPrimary({ exec: path.join(projectRoot(), 'dist', 'api', 'main.js'), args: [], execArgv: [`--max-semi-space-size=${semiSpaceMb}`], silent: true });
  const worker: Worker = cluster.fork(forkEnv(env));
  const child = worker.process;
  prefixOutput(child, `api-${n}`);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`API process ${n} exited with code ${code}`))));
  exited.catch(() => undefined);
  const listening = new Promise<void>((resolve) => worker.once('listening', () => resolve()));
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`API process ${n} did not listen within 60 s`)), 60_000).unref());
  const stop = () => stopChild(child);
  try {
    await Promise.race([listening, exited, timeout]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, stop };
}
