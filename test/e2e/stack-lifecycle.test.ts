/**
 * `npm start` as a user meets it: the compiled stack (`node dist/scripts/dev-stack.js`, what `npm start` runs
 * after building) as a real process on free ports. A part that cannot start stops the whole start with one line
 * naming it and its setting; "up" means every printed URL answers, on Node 24; stopping waits for every
 * process; and a project in a folder only root can enter still starts as root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import { portInUse } from '../../scripts/net';
import { isolatedStackEnv, type IsolatedStack } from '../../scripts/stack-env';
import { sampleValue } from '../helpers/prometheus';

const runDir = () => process.env.TOPUP_TEST_RUN_DIR!;
const asRoot = process.getuid?.() === 0;

/** The stack as a child process, its output collected. */
interface StackRun {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves once the banner is printed; rejects if the stack exits first. */
  up(timeoutMs?: number): Promise<void>;
}

function runStack(env: NodeJS.ProcessEnv, root = projectRoot()): StackRun {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'scripts', 'dev-stack.js')], { env, cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async up(timeoutMs = 150_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes('Top-up stack is up.')) {
        if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}:\n${out}`);
        if (Date.now() > deadline) throw new Error(`the stack was not up after ${timeoutMs} ms:\n${out}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

/** Every live descendant of `pid` (children, their children, …), from /proc. */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z') parentOf.set(Number(entry), Number(ppid));
    } catch {
      // gone meanwhile
    }
  }
  const found = new Set<number>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parentOf) {
      if (!found.has(child) && (parent === pid || found.has(parent))) {
        found.add(child);
        grew = true;
      }
    }
  }
  return [...found];
}

/** Whether `pid` is a live (not zombie) process. */
function alive(pid: number): boolean {
  try {
    return !/\) Z /.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The ports a stack of `stack` listens on, by setting. */
function stackPorts(stack: IsolatedStack): Record<string, number> {
  const e = stack.env;
  return {
    PORT: Number(e.PORT),
    TEMPORAL_ADDRESS: Number(e.TEMPORAL_ADDRESS!.split(':')[1]),
    TEMPORAL_UI_PORT: Number(e.TEMPORAL_UI_PORT),
    EMBEDDED_PG_PORT: Number(e.EMBEDDED_PG_PORT),
    SMTP_SINK_PORT: Number(e.SMTP_SINK_PORT),
    SANDBOX_GATEWAY_PORT: Number(e.SANDBOX_GATEWAY_PORT),
    WORKER_METRICS_PORT: Number(e.WORKER_METRICS_PORT),
  };
}

async function holdPort(port: number, host?: string): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ port, host }, resolve));
  return server;
}

function freshDataDir(name: string): string {
  const dir = path.join(runDir(), name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('When a part of the stack cannot start', () => {
  test('then with the gateway and API ports held by another process, the start stops at once with one line naming both and their settings, and never says up', async () => {
    const stack = await isolatedStackEnv(freshDataDir('ports-held'));
    const ports = stackPorts(stack);
    const held = [await holdPort(ports.SANDBOX_GATEWAY_PORT!, '127.0.0.1'), await holdPort(ports.PORT!)];
    try {
      const run = runStack(stack.env);
      expect(await run.exited).toBe(1);
      const lines = run.output().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^\[stack\] cannot start: /);
      expect(lines[0]).toContain(`the sandbox gateway cannot listen on port ${ports.SANDBOX_GATEWAY_PORT}: another process holds it (set SANDBOX_GATEWAY_PORT to a free port`);
      expect(lines[0]).toContain(`the API cannot listen on port ${ports.PORT}: another process holds it (set PORT to a free port`);
      expect(run.output()).not.toContain('Top-up stack is up');
      // Nothing was started: no port of the stack is taken but the two held ones.
      for (const [setting, port] of Object.entries(ports)) {
        if (setting !== 'PORT' && setting !== 'SANDBOX_GATEWAY_PORT') expect({ setting, inUse: await portInUse(port, '127.0.0.1') }).toEqual({ setting, inUse: false });
      }
    } finally {
      for (const s of held) await new Promise((resolve) => s.close(resolve));
    }
  }, 60_000);

  test('then when the Temporal dev server crashes at start, the start ends with one line naming it and its settings, after stopping every part it had started', async () => {
    const stack = await isolatedStackEnv(freshDataDir('temporal-crash'));
    const run = runStack({ ...stack.env, TEMPORAL_CLI_PATH: '/bin/false' });
    const pids = new Set<number>();
    // The parts started meanwhile (PostgreSQL, the gateway), recorded while the start is under way.
    const watch = setInterval(() => descendants(run.child.pid!).forEach((p) => pids.add(p)), 50);
    const code = await run.exited;
    clearInterval(watch);
    expect(code).toBe(1);
    const last = run.output().trim().split('\n').at(-1);
    expect(last).toBe('[stack] cannot start: the Temporal dev server exited while starting (code 1; its output is above); check TEMPORAL_ADDRESS, TEMPORAL_UI_PORT or TEMPORAL_CLI_PATH');
    expect(run.output()).not.toMatch(/\n\s+at /);
    expect(run.output()).not.toContain('Top-up stack is up');
    expect(pids.size).toBeGreaterThan(0);
    expect([...pids].filter(alive)).toEqual([]);
    const ports = stackPorts(stack);
    for (const setting of ['EMBEDDED_PG_PORT', 'SANDBOX_GATEWAY_PORT', 'SMTP_SINK_PORT']) {
      expect({ setting, inUse: await portInUse(ports[setting]!, '127.0.0.1') }).toEqual({ setting, inUse: false });
    }
  }, 120_000);
});

test('When the stack says it is up, then every URL it printed answers, the API, the worker and this test run on Node 24, and SIGTERM ends it only after every process of it has exited', async () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  const stack = await isolatedStackEnv(freshDataDir('lifecycle'));
  const run = runStack(stack.env);
  try {
    await run.up();
    const banner = run.output().slice(run.output().indexOf('Top-up stack is up.'));
    const urls = [...new Set(banner.match(/https?:\/\/[^\s)]+/g))];
    expect(urls.length).toBeGreaterThanOrEqual(5); // API, Temporal UI, gateway, API and worker metrics (and the console when built)
    for (const url of urls) {
      // The API's own line says where to ask: GET /healthz.
      const res = await fetch(url === `http://localhost:${stack.env.PORT}` ? `${url}/healthz` : url);
      // The sandbox gateway has no page of its own: a request without its API key gets its JSON 401.
      if (url === `http://127.0.0.1:${stack.env.SANDBOX_GATEWAY_PORT}`) expect({ url, status: res.status, body: await res.json() }).toMatchObject({ url, status: 401, body: { error: { code: 'unauthorized' } } });
      else expect({ url, status: res.status }).toEqual({ url, status: 200 });
    }
    expect(banner).toContain(`http://localhost:${stack.env.PORT}   (GET /healthz)`);

    const apiMetrics = await (await fetch(`${stack.apiUrl}/metrics`)).text();
    const workerMetrics = await (await fetch(stack.workerMetricsUrl)).text();
    const major = process.versions.node.split('.')[0]!;
    expect(sampleValue(apiMetrics, 'nodejs_version_info', { version: process.version, major })).toBe(1);
    expect(sampleValue(workerMetrics, 'nodejs_version_info', { version: process.version, major })).toBe(1);
  } finally {
    const processes = descendants(run.child.pid!);
    expect(processes.length).toBeGreaterThanOrEqual(5); // Temporal, PostgreSQL (and its server processes), gateway, worker, API
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    // By the time it has exited, so has every process it started, and every port is free again.
    expect(processes.filter(alive)).toEqual([]);
    for (const [setting, port] of Object.entries(stackPorts(stack))) {
      expect({ setting, inUse: await portInUse(port, '127.0.0.1') }).toEqual({ setting, inUse: false });
    }
  }
}, 240_000);

/**
 * A copy of the compiled project inside a folder only its owner can enter (mode 0700), like a clone under /root:
 * package.json, dist, the migrations and node_modules.
 */
function privateProjectCopy(): string {
  const outer = freshDataDir('private');
  fs.chmodSync(outer, 0o700);
  const copy = path.join(outer, 'topup');
  fs.mkdirSync(path.join(copy, 'db'), { recursive: true });
  const root = projectRoot();
  fs.copyFileSync(path.join(root, 'package.json'), path.join(copy, 'package.json'));
  fs.cpSync(path.join(root, 'db', 'migrations'), path.join(copy, 'db', 'migrations'), { recursive: true });
  fs.cpSync(path.join(root, 'dist'), path.join(copy, 'dist'), { recursive: true, verbatimSymlinks: true });
  // Nothing in the stack writes under node_modules, so hard links (quick, no space) stand in for a copy.
  try {
    execFileSync('cp', ['-al', path.join(root, 'node_modules'), path.join(copy, 'node_modules')]);
  } catch {
    execFileSync('cp', ['-a', path.join(root, 'node_modules'), path.join(copy, 'node_modules')]);
  }
  return copy;
}

test('When the project sits in a folder only root can enter and the stack starts as root, then it serves /healthz, with PostgreSQL and its cluster where the postgres user can reach them', async () => {
  const copy = privateProjectCopy();
  const sharedDir = freshDataDir('pg-shared');
  const dataDir = path.join(copy, '.data');
  const stack = await isolatedStackEnv(dataDir);
  const run = runStack({ ...stack.env, EMBEDDED_PG_SHARED_DIR: sharedDir }, copy);
  try {
    await run.up();
    expect((await fetch(`${stack.apiUrl}/healthz`)).status).toBe(200);
    const postgres = descendants(run.child.pid!).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('-D'));
    expect(postgres.length).toBeGreaterThan(0);
    const serverBinary = fs.readlinkSync(`/proc/${postgres[0]}/exe`);
    if (asRoot) {
      // The server runs as postgres, from a copy of the binaries and on a cluster in the shared folder that .data/postgres links to.
      expect(fs.statSync(`/proc/${postgres[0]}`).uid).toBe(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })));
      expect(serverBinary.startsWith(path.join(sharedDir, 'binaries') + path.sep)).toBe(true);
      expect(fs.lstatSync(path.join(dataDir, 'postgres')).isSymbolicLink()).toBe(true);
      expect(fs.realpathSync(path.join(dataDir, 'postgres')).startsWith(path.join(sharedDir, 'clusters') + path.sep)).toBe(true);
    } else {
      // Not root: PostgreSQL runs as this user, which can enter its own folder; nothing is moved.
      expect(serverBinary.startsWith(copy + path.sep)).toBe(true);
      expect(fs.lstatSync(path.join(dataDir, 'postgres')).isDirectory()).toBe(true);
    }
  } finally {
    run.child.kill('SIGTERM');
    const code = await run.exited;
    // The stack's own lines say why when it did not end cleanly.
    expect({ code, output: code === 0 ? '' : run.output() }).toEqual({ code: 0, output: '' });
  }
}, 240_000);
