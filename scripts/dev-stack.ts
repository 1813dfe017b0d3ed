/**
 * `npm start`: the whole stack on embedded defaults. The Temporal dev server (SQLite under `.data/`, UI on
 * :8233, search attributes registered), PostgreSQL (embedded unless DATABASE_URL), an SMTP sink (unless
 * SMTP_URL), the sandbox gateway (unless PAYMENT_GATEWAY_URL), then the worker and the API as child processes.
 *
 * Before anything starts, every port the stack will listen on is checked; a part that cannot start (its port
 * taken, a crash) stops the whole start with one line naming it and the setting to change. "Top-up stack is
 * up" is printed only once every URL it prints answers. Ctrl-C stops the parts in reverse order and waits
 * until every process of the stack has exited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { Connection } from '@temporalio/client';
import { temporal as proto } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Pool } from 'pg';
import { loadPolicy } from '../config/policy-file';
import { projectRoot } from '../config/paths';
import { loadSettings, SettingsError, type Settings } from '../config/settings';
import { migrate } from '../db/migrate';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions';
import { seedDemoData, type DemoCredential } from './demo-seed';
import { socketAddress } from '../worker/runtime';
import { portInUse, waitForHttp, waitForPort } from './net';
import { startSmtpSink } from './smtp-sink';
import { explainMissingServer, resolveTemporalCli, TemporalBinaryMissingError } from './temporal-binaries';

/** Stops something the stack started. */
export type Stopper = () => Promise<void>;

/** The stack's own processes: the fault campaign (scripts/faults/) may kill and restart them. */
export type StackProcessName = 'temporal' | 'postgres' | 'gateway' | 'worker' | 'api';

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

/** A child process the stack started, and how to stop it. */
export interface Started {
  child: ChildProcess;
  stop: Stopper;
}

/**
 * A part of the stack that could not start. The message is the one line `npm start` ends with: the part, what
 * went wrong, and the setting that changes it.
 */
export class StackStartError extends Error {
  override name = 'StackStartError';
}

/** How each part is named in messages, and the settings that move it elsewhere or replace it. */
const PARTS: Record<StackProcessName | 'smtp', { label: string; settings: string }> = {
  temporal: { label: 'the Temporal dev server', settings: 'TEMPORAL_ADDRESS, TEMPORAL_UI_PORT or TEMPORAL_CLI_PATH' },
  postgres: { label: 'embedded PostgreSQL', settings: 'EMBEDDED_PG_PORT, or DATABASE_URL to use another PostgreSQL' },
  smtp: { label: 'the SMTP sink', settings: 'SMTP_SINK_PORT, or SMTP_URL to use another mail server' },
  gateway: { label: 'the sandbox gateway', settings: 'SANDBOX_GATEWAY_PORT, or PAYMENT_GATEWAY_URL to use another gateway' },
  worker: { label: 'the worker', settings: 'WORKER_METRICS_PORT, or the setting its output names' },
  api: { label: 'the API', settings: 'PORT, or the setting its output names' },
};

/** Rejects when `child` exits: a part that died while starting, its own output already printed above. */
function exitOf(child: ChildProcess, part: keyof typeof PARTS): Promise<never> {
  return new Promise((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new StackStartError(`${PARTS[part].label} exited while starting (${signal ?? `code ${code}`}; its output is above); check ${PARTS[part].settings}`)),
    ),
  );
}

/** `work` (waiting for a part to answer), turned into a StackStartError naming the part when it fails. */
export async function startingPart<T>(part: keyof typeof PARTS, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof StackStartError || err instanceof TemporalBinaryMissingError) throw err;
    throw new StackStartError(`${PARTS[part].label} did not come up (${err instanceof Error ? err.message : String(err)}); check ${PARTS[part].settings}`);
  }
}

/** A port the stack will listen on, who listens there and the setting that chooses it. */
interface PortClaim {
  part: keyof typeof PARTS;
  setting: string;
  port: number;
  /** Where the part listens; undefined: every interface. */
  host: string | undefined;
}

function portClaims(settings: Settings): PortClaim[] {
  const [temporalHost, temporalPort] = settings.TEMPORAL_ADDRESS.split(':');
  const claims: PortClaim[] = [
    { part: 'temporal', setting: 'TEMPORAL_ADDRESS', port: Number(temporalPort), host: temporalHost },
    { part: 'temporal', setting: 'TEMPORAL_UI_PORT', port: settings.TEMPORAL_UI_PORT, host: temporalHost },
  ];
  if (!settings.DATABASE_URL) claims.push({ part: 'postgres', setting: 'EMBEDDED_PG_PORT', port: settings.EMBEDDED_PG_PORT, host: '127.0.0.1' });
  if (!settings.SMTP_URL) claims.push({ part: 'smtp', setting: 'SMTP_SINK_PORT', port: settings.SMTP_SINK_PORT, host: '127.0.0.1' });
  if (!settings.PAYMENT_GATEWAY_URL) claims.push({ part: 'gateway', setting: 'SANDBOX_GATEWAY_PORT', port: settings.SANDBOX_GATEWAY_PORT, host: '127.0.0.1' });
  claims.push({ part: 'worker', setting: 'WORKER_METRICS_PORT', port: settings.WORKER_METRICS_PORT, host: '0.0.0.0' });
  claims.push({ part: 'api', setting: 'PORT', port: settings.PORT, host: undefined });
  return claims;
}

/**
 * Refuses to start when a port of the stack is taken (a stack still running, another program) or named twice.
 * Checked before anything starts, so nothing half-started is left behind and no other program's answer on
 * that port is mistaken for ours.
 */
export async function checkPorts(settings: Settings): Promise<void> {
  const claims = portClaims(settings);
  const problems: string[] = [];
  claims.forEach((claim, i) => {
    const twin = claims.slice(0, i).find((c) => c.port === claim.port);
    if (twin) problems.push(`${twin.setting} and ${claim.setting} are both ${claim.port} (give each its own port)`);
  });
  for (const claim of claims) {
    if (problems.some((p) => p.includes(` ${claim.port} `))) continue;
    if (await portInUse(claim.port, claim.host)) {
      problems.push(`${PARTS[claim.part].label} cannot listen on port ${claim.port}: another process holds it (set ${claim.setting} to a free port, or stop that process)`);
    }
  }
  if (problems.length) throw new StackStartError(problems.join('; '));
}

const searchAttributeArgs = SEARCH_ATTRIBUTES.flatMap((sa) => ['--search-attribute', `${sa.name}=${sa.type === 'DATETIME' ? 'Datetime' : 'Keyword'}`]);

/**
 * SQLite settings for the dev server, the best safe ones measured by bench/ceiling.ts (docs/benchmarks.md): WAL with
 * NORMAL sync flushes once per checkpoint instead of on every commit, about 1.5–2.5× the defaults' rate; it loses
 * nothing on a process kill, at worst the last commits on a power cut. A bigger cache, mmap or rarer checkpoints
 * gained nothing measurable, and synchronous=OFF (unsafe) was no faster.
 */
export const DEV_SERVER_SQLITE_PRAGMAS = ['journal_mode=WAL', 'synchronous=NORMAL'];

/** One line of the stack's own output. */
export function log(line: string): void {
  process.stdout.write(`[stack] ${line}\n`);
}

/** Pipes a child's output to ours, each line prefixed with its name. */
export function prefixOutput(child: ChildProcess, name: string): void {
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

const isRunning = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/**
 * Stops a child with SIGTERM (SIGKILL to its whole tree after `graceMs`) and waits until it and every
 * process it started have exited, so a stopped stack holds no port.
 */
export async function stopChild(child: ChildProcess, graceMs = 35_000): Promise<void> {
  if (child.pid === undefined) return;
  const tree = processTree(child.pid);
  if (isRunning(child)) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void killGroup(child), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
  await waitUntilGone(tree, 10_000);
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
    const stop = () => stopChild(child, 10_000);
    try {
      await startingPart('temporal', Promise.race([waitForPort(port, host, 120_000).then(() => waitForPort(settings.TEMPORAL_UI_PORT, host, 60_000)), exitOf(child, 'temporal')]));
    } catch (err) {
      await stop();
      throw err;
    }
    return { address: settings.TEMPORAL_ADDRESS, stop, child };
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

/** The embedded PostgreSQL as a child process (unless DATABASE_URL is set). */
export async function startPostgres(settings: Settings): Promise<{ url: string; stop: Stopper; child?: ChildProcess }> {
  if (settings.DATABASE_URL) return { url: settings.DATABASE_URL, stop: async () => undefined };
  const dataDir = path.join(settings.DATA_DIR, 'postgres');
  const { child, stop } = startNodeChild('postgres', 'db/embedded-server.js', {
    ...process.env,
    EMBEDDED_PG_DIR: dataDir,
    EMBEDDED_PG_PORT: String(settings.EMBEDDED_PG_PORT),
  });
  const ready = new Promise<{ url: string; cluster: string }>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const m = /^ready (\S+) (.+)$/m.exec(chunk.toString('utf8'));
      if (m?.[1] && m[2]) resolve({ url: m[1], cluster: m[2] });
    });
  });
  try {
    const { url, cluster } = await startingPart('postgres', Promise.race([ready, exitOf(child, 'postgres')]));
    log(`PostgreSQL (embedded, data in ${cluster}): ${url.replace(/:[^:@/]+@/, ':***@')}`);
    return { url, stop, child };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The SMTP sink (unless SMTP_URL is set). */
export async function startMail(settings: Settings): Promise<{ url: string; stop: Stopper }> {
  if (settings.SMTP_URL) return { url: settings.SMTP_URL, stop: async () => undefined };
  const mailDir = path.join(settings.DATA_DIR, 'mail');
  const sink = await startingPart('smtp', startSmtpSink({ port: settings.SMTP_SINK_PORT, mailDir }));
  log(`SMTP sink: ${sink.url}, every message saved under ${mailDir}`);
  return { url: sink.url, stop: () => sink.close() };
}

/**
 * The sandbox payment gateway (unless PAYMENT_GATEWAY_URL names a real one), calling back the API. It keeps its
 * state in SANDBOX_GATEWAY_DATA_FILE (default `<DATA_DIR>/sandbox-gateway.jsonl`), so a restart loses nothing.
 */
export async function startGateway(settings: Settings): Promise<{ url: string; stop: Stopper; child?: ChildProcess }> {
  if (settings.PAYMENT_GATEWAY_URL) return { url: settings.PAYMENT_GATEWAY_URL, stop: async () => undefined };
  const { child, stop } = startNodeChild('gateway', 'scripts/sandbox-gateway.js', {
    ...process.env,
    SANDBOX_GATEWAY_PORT: String(settings.SANDBOX_GATEWAY_PORT),
    SANDBOX_GATEWAY_DATA_FILE: settings.SANDBOX_GATEWAY_DATA_FILE ?? path.join(settings.DATA_DIR, 'sandbox-gateway.jsonl'),
    PAYMENT_PROVIDER_API_KEY: settings.PAYMENT_PROVIDER_API_KEY,
    PAYMENT_CALLBACK_URL: `http://127.0.0.1:${settings.PORT}/v1/payments/callback`,
    PAYMENT_CALLBACK_SECRET: settings.PAYMENT_CALLBACK_SECRET,
  });
  // It says so itself once listening: a port answering could be another program's.
  const listening = new Promise<void>((resolve) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('[sandbox-gateway] listening on')) resolve();
    });
  });
  try {
    await startingPart('gateway', Promise.race([listening, exitOf(child, 'gateway'), timeout(30_000, 'no "listening" line after 30 s')]));
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${settings.SANDBOX_GATEWAY_PORT}`, stop, child };
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(what)), ms).unref());
}

/**
 * How `npm start` and the cluster profile start a worker: a bounded heap and young generation (WORKER_HEAP_MB,
 * WORKER_SEMI_SPACE_MB), and glibc's malloc held to two arenas (MALLOC_ARENA_MAX, unless the environment sets it):
 * with its default (8 per core) the worker's native memory, its threads' and the Temporal core's, kept about
 * 40 MiB more with 1,000 orders open (bench/open-orders.ts). The compose file starts it the same way.
 */
export function workerStart(settings: Settings, env: NodeJS.ProcessEnv): { nodeArgs: string[]; env: NodeJS.ProcessEnv } {
  return {
    nodeArgs: [`--max-old-space-size=${settings.WORKER_HEAP_MB}`, `--max-semi-space-size=${settings.WORKER_SEMI_SPACE_MB}`],
    env: { ...env, MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2' },
  };
}

/** Starts `dist/<script>` with Node as a detached child whose output is prefixed with `name`. */
export function startNodeChild(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Started {
  // process.execPath: the children run on the Node this stack runs on (Node 24 through scripts/bootstrap.cjs).
  const child = spawn(process.execPath, [...nodeArgs, path.join(projectRoot(), 'dist', script)], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  prefixOutput(child, name);
  return { child, stop: () => stopChild(child) };
}

/**
 * Resolves once the worker with this pid polls the task queue: it has bundled its workflows, connected to
 * Temporal and PostgreSQL, and will take orders.
 */
export async function waitForWorkerPolling(settings: Settings, address: string, pid: number, timeoutMs: number): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { pollers } = await connection.workflowService.describeTaskQueue({
        namespace: settings.TEMPORAL_NAMESPACE,
        taskQueue: { name: settings.TEMPORAL_TASK_QUEUE, kind: proto.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
        taskQueueType: proto.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      if (pollers.some((p) => p.identity?.startsWith(`${pid}@`))) return;
      if (Date.now() > deadline) throw new Error(`it did not poll task queue ${settings.TEMPORAL_TASK_QUEUE} within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await connection.close();
  }
}

/** Live (not zombie) processes: pid → [parent pid, process group]. Linux /proc. */
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

/** Waits until none of `pids` is alive; those still alive after `graceMs` get SIGKILL. */
async function waitUntilGone(pids: number[], graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const procs = liveProcesses();
    const alive = pids.filter((pid) => procs.has(pid));
    if (!alive.length) return;
    if (Date.now() > deadline) {
      for (const pid of alive) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGKILLs the child (spawned detached, so it leads a process group), its group and all its descendants, and waits until none is left. */
export async function killGroup(child: ChildProcess): Promise<void> {
  const root = child.pid;
  if (root === undefined) return;
  const exited = isRunning(child) ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
  const victims = processTree(root);
  for (const pid of [root, ...victims]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
  await waitUntilGone(victims, 0);
}

/** Wraps a started child so it can be killed and started again by `start`. */
export function restartable(name: StackProcessName, first: Started, start: () => Promise<Started>): { process: StackProcess; stop: Stopper } {
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

const credentialLine = (c: DemoCredential, secret: string) => `  ${c.role.padEnd(8)} ${c.username.padEnd(16)} ${secret}${c.account ? `  (account ${c.account})` : ''}`;

/** The banner's sign-in lines: role, username, the password, and the customer's account (a service signs in with a key only). */
export function demoSignInLines(creds: DemoCredential[]): string[] {
  return creds.flatMap((c) => (c.password === null ? [] : [credentialLine(c, c.password)]));
}

/** The banner's API key lines: role, username, the key, and the customer's account. */
export function demoApiKeyLines(creds: DemoCredential[]): string[] {
  return creds.flatMap((c) => (c.apiKey === null ? [] : [credentialLine(c, c.apiKey)]));
}

/** What the banner prints: each URL with how to tell that it answers. */
export interface StackUrls {
  api: string;
  webConsole: string | null;
  temporalUi: string;
  gateway: string;
  /** The SMTP server's URL: the sink's, or SMTP_URL. */
  mail: string;
  apiMetrics: string;
  workerMetrics: string;
}

export function stackUrls(settings: Settings, gatewayUrl: string, mailUrl: string): StackUrls {
  const api = `http://localhost:${settings.PORT}`;
  return {
    api,
    // The console is served only once built (npm start builds it; a stack started from the tests may not).
    webConsole: fs.existsSync(path.join(projectRoot(), 'dist', 'web', 'index.html')) ? `${api}/` : null,
    temporalUi: `http://localhost:${settings.TEMPORAL_UI_PORT}`,
    gateway: gatewayUrl,
    mail: mailUrl,
    apiMetrics: `${api}/metrics`,
    workerMetrics: `http://${socketAddress(settings.WORKER_METRICS_HOST, settings.WORKER_METRICS_PORT)}/metrics`,
  };
}

/** Resolves once the SMTP server at `url` (smtp:// or smtps://) greets with 220. */
function smtpGreets(url: string, timeoutMs: number): Promise<void> {
  const { protocol, hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = protocol === 'smtps:' ? tls.connect(Number(port || 465), hostname, { servername: hostname }) : net.connect(Number(port || 25), hostname);
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no greeting within ${timeoutMs} ms`)));
    socket.once('error', fail);
    socket.once('data', (chunk: Buffer) => {
      socket.end('QUIT\r\n');
      if (chunk.toString('utf8').startsWith('220')) resolve();
      else fail(new Error(`it greeted "${chunk.toString('utf8').trim()}"`));
    });
  });
}

/** Checks that every URL the banner prints answers; the first that does not stops the start, named. */
export async function checkUrlsAnswer(settings: Settings, urls: StackUrls): Promise<void> {
  const within = 30_000;
  const checks: Array<[string, string, Promise<void>]> = [
    ['the API', `${urls.api}/readyz (PostgreSQL and Temporal seen from the API)`, waitForHttp(`${urls.api}/readyz`, within)],
    ['the API', urls.apiMetrics, waitForHttp(urls.apiMetrics, within)],
    ['the Temporal UI', urls.temporalUi, waitForHttp(urls.temporalUi, within)],
    // The gateway has no health route: any HTTP answer is the gateway answering.
    ['the payment gateway', urls.gateway, waitForHttp(urls.gateway, within, (status) => status > 0)],
    ['the worker', urls.workerMetrics, waitForHttp(urls.workerMetrics, within)],
  ];
  if (urls.webConsole) checks.push(['the web console', urls.webConsole, waitForHttp(urls.webConsole, within)]);
  checks.push([settings.SMTP_URL ? 'the mail server' : 'the SMTP sink', urls.mail, smtpGreets(urls.mail, within)]);
  const results = await Promise.allSettled(checks.map(([, , check]) => check));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${checks[i]![0]} does not answer at ${checks[i]![1]} (${r.reason instanceof Error ? r.reason.message : String(r.reason)})`] : []));
  if (failed.length) throw new StackStartError(failed.join('; '));
}

/** What a profile shows in the banner instead of the dev server's lines (the cluster profile's server and processes). */
export interface BannerOverrides {
  /** The Temporal line: address, namespace and what serves it. */
  temporal?: string;
  /** The Metrics line. */
  metrics?: string;
}

/** Prints the "stack is up" banner: the URLs and the demo credentials, the same format for every profile. */
export function printBanner(settings: Settings, creds: DemoCredential[], urls: StackUrls, overrides: BannerOverrides = {}): void {
  const lines = [
    '',
    'Top-up stack is up.',
    `  API          ${urls.api}   (GET /healthz)`,
    `  Web console  ${urls.webConsole ? `${urls.webConsole}  (sign in with a username and password below)` : 'not built (npm start builds it into dist/web)'}`,
    `  Temporal UI  ${urls.temporalUi}`,
    `  Temporal     ${overrides.temporal ?? `${settings.TEMPORAL_ADDRESS} (namespace ${settings.TEMPORAL_NAMESPACE})`}`,
    `  Gateway      ${urls.gateway}${settings.PAYMENT_GATEWAY_URL ? '' : ' (sandbox: POST /v1/invoices/{ref}/simulate-payment pays an invoice)'}`,
    `  Mail         ${settings.SMTP_URL ? settings.SMTP_URL : path.join(settings.DATA_DIR, 'mail') + '/*.eml'}`,
    `  Metrics      ${overrides.metrics ?? `${urls.apiMetrics} (API), ${urls.workerMetrics} (worker)`}`,
    '',
    'Demo sign-in (web console, POST /v1/session): role, username, password',
    ...demoSignInLines(creds),
    '',
    'Demo API keys (Authorization: Bearer <key>): role, username, key',
    ...demoApiKeyLines(creds),
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
  await checkPorts(settings);
  fs.mkdirSync(settings.DATA_DIR, { recursive: true });
  const stoppers: Stopper[] = [];
  const stopAll: Stopper = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err: unknown) => log(`stop failed: ${String(err)}`));
    stoppers.length = 0;
  };
  try {
    // Every part's stop is kept once it has started, and all four are waited for, so when one fails the
    // others are stopped too rather than left running.
    const keep = <T extends { stop: Stopper }>(part: Promise<T>) => part.then((p) => (stoppers.push(p.stop), p));
    const parts = [keep(startTemporal(settings)), keep(startPostgres(settings)), keep(startMail(settings)), keep(startGateway(settings))] as const;
    await Promise.allSettled(parts);
    const [temporal, pg, mail, gateway] = await Promise.all(parts);
    const processes: DevStack['processes'] = {};
    const track = (name: StackProcessName, started: Started, start: () => Promise<Started>): Started => {
      const r = restartable(name, started, start);
      processes[name] = r.process;
      stoppers[stoppers.indexOf(started.stop)] = r.stop;
      return { child: started.child, stop: r.stop };
    };
    if (temporal.child) track('temporal', { child: temporal.child, stop: temporal.stop }, () => startTemporal(settings).then(asStarted));
    if (pg.child) track('postgres', { child: pg.child, stop: pg.stop }, () => startPostgres(settings).then(asStarted));
    if (gateway.child) track('gateway', { child: gateway.child, stop: gateway.stop }, () => startGateway(settings).then(asStarted));
    const pool = new Pool({ connectionString: pg.url, max: 2 });
    let creds: DemoCredential[];
    try {
      const applied = await migrate(pool);
      if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
      creds = await seedDemoData(pool, settings.PASSWORD_LINK_SECRET);
    } finally {
      await pool.end();
    }
    const childEnv = { ...env, DATABASE_URL: pg.url, SMTP_URL: mail.url, TEMPORAL_ADDRESS: temporal.address, PAYMENT_GATEWAY_URL: gateway.url, WEBHOOK_URLS: env.WEBHOOK_URLS ?? 'https-or-local-http' };
    // A bounded heap and young generation keep the worker's memory flat with many orders open (bench/open-orders.ts).
    const startWorker = (untilPolling: boolean) => async () => {
      const start = workerStart(settings, childEnv);
      const worker = startNodeChild('worker', 'worker/main.js', start.env, start.nodeArgs);
      if (untilPolling) {
        const polling = waitForWorkerPolling(settings, temporal.address, worker.child.pid!, 180_000);
        await startingPart('worker', Promise.race([polling, exitOf(worker.child, 'worker')])).catch(async (err: unknown) => {
          await worker.stop();
          throw err;
        });
      }
      return worker;
    };
    const startApi = async () => {
      const api = startNodeChild('api', 'api/main.js', childEnv, [`--max-semi-space-size=${settings.API_SEMI_SPACE_MB}`]);
      await startingPart('api', Promise.race([waitForHttp(`http://127.0.0.1:${settings.PORT}/healthz`, 60_000), exitOf(api.child, 'api')])).catch(async (err: unknown) => {
        await api.stop();
        throw err;
      });
      return api;
    };
    // The first start waits until the worker polls; a restart (the fault campaign's) does not, as before.
    const worker = await startWorker(true)();
    stoppers.push(worker.stop);
    track('worker', worker, startWorker(false));
    const api = await startApi();
    stoppers.push(api.stop);
    track('api', api, startApi);
    const urls = stackUrls(settings, gateway.url, mail.url);
    await checkUrlsAnswer(settings, urls);
    printBanner(settings, creds, urls);
    return Object.assign(stopAll, { processes });
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export function asStarted(s: { stop: Stopper; child?: ChildProcess }): Started {
  if (!s.child) throw new Error('restarted without a child process');
  return { child: s.child, stop: s.stop };
}

/** The line `npm start` ends with when the stack cannot start: what and why, never a stack trace. */
function startFailure(err: unknown): string {
  if (err instanceof SettingsError || err instanceof TemporalBinaryMissingError) return err.message;
  return `[stack] cannot start: ${err instanceof Error ? err.message : String(err)}`;
}

/** A started stack as `main` runs it: its stop, and its restartable processes (one or several of a kind). */
export type RunningStack = Stopper & { processes: Partial<Record<StackProcessName, StackProcess | readonly (StackProcess & { label?: string })[]>> };

/** What `main` does when a process of the stack exits on its own after the start. */
export type OnProcessExit = 'stop-the-stack' | 'restart-it';

/**
 * Runs a stack (by default `npm start`'s) until SIGINT/SIGTERM/SIGHUP, then stops it and exits once every process
 * of it has exited. A part that exits on its own after the start stops the rest too (exit code 1), rather than
 * leaving a stack with a hole in it; or, with `restart-it` (the cluster profile, where another process of the same
 * kind keeps serving), is started again, as a process manager would.
 */
export function main(start: () => Promise<RunningStack> = () => startDevStack(), onExit: OnProcessExit = 'stop-the-stack'): void {
  let stack: RunningStack | undefined;
  let signalled: NodeJS.Signals | undefined;
  let stopping = false;
  const stopAndExit = (code: number, why: string) => {
    if (stopping || !stack) return;
    stopping = true;
    log(why);
    void stack().then(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stack) return stopAndExit(0, `stopping (${signal})…`);
    // While starting: the start finishes or fails first, then everything it started is stopped.
    if (!signalled) log(`${signal} while starting: stopping as soon as the parts started so far can be stopped…`);
    signalled ??= signal;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const watch = (proc: StackProcess & { label?: string }) => {
    proc.child().once('exit', (code, signal) => {
      const what = `${proc.label ?? PARTS[proc.name].label} exited (${signal ?? `code ${code}`})`;
      if (onExit === 'stop-the-stack') return stopAndExit(1, `${what}; stopping the stack`);
      if (stopping) return;
      log(`${what}; restarting it`);
      void proc
        .kill()
        .then(() => proc.restart())
        .then(
          () => watch(proc),
          (err: unknown) => stopAndExit(1, `${proc.label ?? PARTS[proc.name].label} could not be restarted (${err instanceof Error ? err.message : String(err)}); stopping the stack`),
        );
    });
  };
  start().then(
    (started) => {
      stack = started;
      if (signalled) return stopAndExit(0, `stopping (${signalled})…`);
      for (const proc of Object.values(started.processes).flat()) watch(proc);
    },
    (err: unknown) => {
      process.stderr.write(`${startFailure(err)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
