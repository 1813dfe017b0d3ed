/**
 * `npm start`: the whole stack on embedded defaults. The Temporal dev server (SQLite under `.data/`, UI on
 * :8233, search attributes registered), PostgreSQL (embedded unless DATABASE_URL), an SMTP sink (unless
 * SMTP_URL), then the worker and the API as child processes. Ctrl-C stops them in reverse order.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Pool } from 'pg';
import { loadPolicy } from '../config/policy-file';
import { projectRoot } from '../config/paths';
import { loadSettings, type Settings } from '../config/settings';
import { migrate } from '../db/migrate';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions';
import { seedDemoData, type DemoCredential } from './demo-seed';
import { waitForPort } from './net';
import { startSmtpSink } from './smtp-sink';
import { explainMissingServer, resolveTemporalCli } from './temporal-binaries';

type Stopper = () => Promise<void>;

/** The stack's own processes that a fault campaign may kill (scripts/faults/). */
export type StackProcessName = 'temporal' | 'postgres' | 'worker' | 'api' | 'gateway';

/** One child of the stack that can be killed with SIGKILL and started again on the same ports and data. */
export interface StackProcess {
  readonly name: StackProcessName;
  /** The running child (a new one after each restart). */
  child(): ChildProcess;
  /** SIGKILL to the child and all its descendants (PostgreSQL's server processes too); resolves once none is left. */
  kill(): Promise<void>;
  /** Starts it again with the same settings: the same ports, the same SQLite file and PostgreSQL cluster. */
  restart(): Promise<void>;
}

/** Stops the whole stack when called; `processes` are its restartable children. */
export type DevStack = Stopper & { processes: Partial<Record<StackProcessName, StackProcess>> };

interface Started {
  child: ChildProcess;
  stop: Stopper;
}

const searchAttributeArgs = SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`]);

/**
 * SQLite settings for the dev server, the best safe ones measured by bench/ceiling.ts (README, Benchmarks): WAL with
 * NORMAL sync flushes once per checkpoint instead of on every commit, about 1.5–2.5× the defaults' rate; it loses
 * nothing on a process kill, at worst the last commits on a power cut. A bigger cache, mmap or rarer checkpoints
 * gained nothing measurable, and synchronous=OFF (unsafe) was no faster.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL'];

function log(line: string): void {
  process.stdout.write(`[stack] ${line}\n`);
}

/** Pipes a child's output to ours, each line prefixed with its name. */
function prefixOutput(child: ChildProcess, name: string): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) process.stdout.write(`[${name}] ${l}\n`);
    });
  }
}

/** Stops a child with SIGTERM (SIGKILL after `graceMs`) and waits for it. */
function stopChild(child: ChildProcess, graceMs = 35_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function startTemporal(settings: Settings): Promise<{ address: string; stop: Stopper; child?: ChildProcess }> {
  const [host, portText] = settings.TEMPORAL_ADDRESS.split(':');
  const port = Number(portText);
  const dbFile = path.join(settings.DATA_DIR, 'temporal.sqlite');
  const cli = await resolveTemporalCli();
  if (cli.type === 'existing-path') {
    log(`Temporal dev server: ${cli.path} (${cli.source})`);
    const args = ['server', 'start-dev', '--ip', host ?? '127.0.0.1', '--port', String(port), '--ui-port', String(settings.TEMPORAL_UI_PORT)];
    args.push('--db-filename', dbFile, '--namespace', settings.TEMPORAL_NAMESPACE, '--log-level', 'error', ...searchAttributeArgs);
    for (const p of DEV_SERVER_SQLITE_PRAGMAS) args.push('--sqlite-pragma', p);
    const child = spawn(cli.path, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    prefixOutput(child, 'temporal');
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the Temporal dev server exited with code ${code}`))));
    await Promise.race([waitForPort(port, host, 120_000), exited]);
    await Promise.race([waitForPort(settings.TEMPORAL_UI_PORT, host, 60_000), exited]);
    return { address: settings.TEMPORAL_ADDRESS, stop: () => stopChild(child, 10_000), child };
  }
  log('No Temporal CLI could be built here; trying the SDK download.');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: { ip: host, port, ui: true, uiPort: settings.TEMPORAL_UI_PORT, dbFilename: dbFile, namespace: settings.TEMPORAL_NAMESPACE, searchAttributes: SEARCH_ATTRIBUTES },
    });
    return { address: env.address, stop: () => env.teardown() };
  } catch (err) {
    throw explainMissingServer('cli', err);
  }
}

async function startPostgres(settings: Settings): Promise<{ url: string; stop: Stopper; child?: ChildProcess }> {
  if (settings.DATABASE_URL) return { url: settings.DATABASE_URL, stop: async () => undefined };
  const dataDir = path.join(settings.DATA_DIR, 'postgres');
  const { child, stop } = startNodeChild('postgres', 'db/embedded-server.js', {
    ...process.env,
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(settings.EMBEDDED_PG_PORT),
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const m = /^ready (\S+)$/m.exec(chunk.toString('utf8'));
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited with code ${code}`)));
  });
  log(`PostgreSQL (embedded, data in ${dataDir}): ${url.replace(/:[^:@/]+@/, ':***@')}`);
  return { url, stop, child };
}

async function startMail(settings: Settings): Promise<{ url: string; stop: Stopper }> {
  if (settings.SMTP_URL) return { url: settings.SMTP_URL, stop: async () => undefined };
  const mailDir = path.join(settings.DATA_DIR, 'mail');
  const sink = await startSmtpSink({ port: settings.SMTP_SINK_PORT, mailDir });
  log(`SMTP sink: ${sink.url}, every message saved under ${mailDir}`);
  return { url: sink.url, stop: () => sink.close() };
}

/**
 * The sandbox payment gateway (unless PAYMENT_GATEWAY_URL names a real one), calling back the API. It keeps its
 * state in SANDBOX_GATEWAY_DATA_FILE (default `<DATA_DIR>/sandbox-gateway.jsonl`), so a restart loses nothing.
 */
async function startGateway(settings: Settings): Promise<{ url: string; stop: Stopper; child?: ChildProcess }> {
  if (settings.PAYMENT_GATEWAY_URL) return { url: settings.PAYMENT_GATEWAY_URL, stop: async () => undefined };
  const { child, stop } = startNodeChild('gateway', 'scripts/sandbox-gateway.js', {
    ...process.env,
    SANDBOX_GATEWAY_PORT: String(settings.SANDBOX_GATEWAY_PORT),
    SANDBOX_GATEWAY_DATA_FILE: settings.SANDBOX_GATEWAY_DATA_FILE ?? path.join(settings.DATA_DIR, 'sandbox-gateway.jsonl'),
    PAYMENT_PROVIDER_API_KEY: settings.PAYMENT_PROVIDER_API_KEY,
    PAYMENT_CALLBACK_URL: `http://127.0.0.1:${settings.PORT}/v1/payments/callback`,
    PAYMENT_CALLBACK_SECRET: settings.PAYMENT_CALLBACK_SECRET,
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the sandbox gateway exited with code ${code}`))));
  await Promise.race([waitForPort(settings.SANDBOX_GATEWAY_PORT, '127.0.0.1', 30_000), exited]);
  return { url: `http://127.0.0.1:${settings.SANDBOX_GATEWAY_PORT}`, stop, child };
}

function startNodeChild(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Started {
  const child = spawn(process.execPath, [...nodeArgs, path.join(projectRoot(), 'dist', script)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  prefixOutput(child, name);
  return { child, stop: () => stopChild(child) };
}

/** Live (not zombie) processes: pid → [parent pid, process group]. Linux /proc; used only by `kill()`. */
function liveProcesses(): Map<number, [number, number]> {
  const found = new Map<number, [number, number]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (state !== 'Z') found.set(Number(entry), [Number(ppid), Number(pgid)]);
  }
  return found;
}

/** The child's process group and every descendant (PostgreSQL's server processes each lead a session of their own). */
function processTree(root: number): number[] {
  const procs = liveProcesses();
  const tree = new Set<number>([...procs].filter(([, [, pgid]]) => pgid === root).map(([pid]) => pid));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, [ppid]] of procs) {
      if (!tree.has(pid) && (tree.has(ppid) || ppid === root)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return [...tree];
}

/** SIGKILLs the child (spawned detached, so it leads a process group), its group and all its descendants, and waits until none is left. */
async function killGroup(child: ChildProcess): Promise<void> {
  const root = child.pid;
  if (root === undefined) return;
  const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const victims = processTree(root);
  for (const pid of [root, ...victims]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
  const alive = () => {
    const procs = liveProcesses();
    return victims.some((pid) => procs.has(pid));
  };
  while (alive()) await new Promise((r) => setTimeout(r, 50));
}

/** Wraps a started child so it can be killed and started again by `start`. */
function restartable(name: StackProcessName, first: Started, start: () => Promise<Started>): { process: StackProcess; stop: Stopper } {
  let current = first;
  return {
    stop: () => current.stop(),
    process: {
      name,
      child: () => current.child,
      kill: () => killGroup(current.child),
      async restart() {
        current = await start();
      },
    },
  };
}

function printBanner(settings: Settings, creds: DemoCredential[], gatewayUrl: string): void {
  const lines = [
    '',
    'Top-up stack is up.',
    `  API          http://localhost:${settings.PORT}   (GET /healthz)`,
    `  Web console  http://localhost:${settings.PORT}/  (sign in with a token below)`,
    `  Temporal UI  http://localhost:${settings.TEMPORAL_UI_PORT}`,
    `  Temporal     ${settings.TEMPORAL_ADDRESS} (namespace ${settings.TEMPORAL_NAMESPACE})`,
    `  Gateway      ${gatewayUrl}${settings.PAYMENT_GATEWAY_URL ? '' : ' (sandbox: POST /v1/invoices/{ref}/simulate-payment pays an invoice)'}`,
    `  Mail         ${settings.SMTP_URL ? settings.SMTP_URL : path.join(settings.DATA_DIR, 'mail') + '/*.eml'}`,
    `  Metrics      http://localhost:${settings.PORT}/metrics (API), http://localhost:${settings.WORKER_METRICS_PORT}/metrics (worker)`,
    '',
    'Demo credentials (Authorization: Bearer <token>):',
    ...creds.map((c) => `  ${c.role.padEnd(8)} ${c.username.padEnd(16)} ${c.token}${c.account ? `  (account ${c.account})` : ''}`),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** Starts everything; resolves with a function that stops it all in reverse order. */
export async function startDevStack(env: NodeJS.ProcessEnv = process.env): Promise<DevStack> {
  const settings = loadSettings(env);
  loadPolicy(settings.TOPUP_POLICY_FILE); // fail fast on a bad policy file, before anything starts
  fs.mkdirSync(settings.DATA_DIR, { recursive: true });
  const stoppers: Stopper[] = [];
  const stopAll: Stopper = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err: unknown) => log(`stop failed: ${String(err)}`));
    stoppers.length = 0;
  };
  try {
    const [temporal, pg, mail, gateway] = await Promise.all([startTemporal(settings), startPostgres(settings), startMail(settings), startGateway(settings)]);
    stoppers.push(temporal.stop, pg.stop, mail.stop, gateway.stop);
    const processes: DevStack['processes'] = {};
    const track = (name: StackProcessName, started: Started, start: () => Promise<Started>): Started => {
      const r = restartable(name, started, start);
      processes[name] = r.process;
      return { child: started.child, stop: r.stop };
    };
    if (temporal.child) stoppers[0] = track('temporal', { child: temporal.child, stop: temporal.stop }, () => startTemporal(settings).then(asStarted)).stop;
    if (pg.child) stoppers[1] = track('postgres', { child: pg.child, stop: pg.stop }, () => startPostgres(settings).then(asStarted)).stop;
    if (gateway.child) stoppers[3] = track('gateway', { child: gateway.child, stop: gateway.stop }, () => startGateway(settings).then(asStarted)).stop;
    const pool = new Pool({ connectionString: pg.url, max: 2 });
    let creds: DemoCredential[];
    try {
      const applied = await migrate(pool);
      if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
      creds = await seedDemoData(pool);
    } finally {
      await pool.end();
    }
    const childEnv = { ...env, DATABASE_URL: pg.url, SMTP_URL: mail.url, TEMPORAL_ADDRESS: temporal.address, PAYMENT_GATEWAY_URL: gateway.url };
    // A bounded heap keeps the worker's memory flat with many orders open (bench/open-orders.ts).
    const startWorker = async () => startNodeChild('worker', 'worker/main.js', childEnv, [`--max-old-space-size=${settings.WORKER_HEAP_MB}`]);
    const startApi = async () => {
      const api = startNodeChild('api', 'api/main.js', childEnv);
      const apiExited = new Promise<never>((_, reject) => api.child.once('exit', (code) => reject(new Error(`the API exited with code ${code}`))));
      await Promise.race([waitForPort(settings.PORT, '127.0.0.1', 60_000), apiExited]).catch(async (err: unknown) => {
        await api.stop();
        throw err;
      });
      return api;
    };
    stoppers.push(track('worker', await startWorker(), startWorker).stop);
    stoppers.push(track('api', await startApi(), startApi).stop);
    printBanner(settings, creds, gateway.url);
    return Object.assign(stopAll, { processes });
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function asStarted(s: { stop: Stopper; child?: ChildProcess }): Started {
  if (!s.child) throw new Error('restarted without a child process');
  return { child: s.child, stop: s.stop };
}

/** Runs the stack until SIGINT/SIGTERM. */
export function main(): void {
  startDevStack().then(
    (stop) => {
      let stopping = false;
      const onSignal = () => {
        if (stopping) return;
        stopping = true;
        log('stopping…');
        void stop().then(() => process.exit(0));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
