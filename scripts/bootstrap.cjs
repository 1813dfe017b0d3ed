#!/usr/bin/env node
/**
 * The entry point of the README's commands. Plain JavaScript with no dependencies, because on a fresh clone
 * nothing is installed yet. In order:
 *   1. for `test`: the Debian packages the tests need (scripts/install-system-packages.sh, which CI runs too);
 *   2. Node 24: under an older Node it fetches the pinned one once (scripts/node-runtime.cjs) and runs itself
 *      again under it, with it first on PATH, so npm ci, tsc, jest, the stack and its children all run on it;
 *   3. the npm packages when they are missing or stale, the TypeScript compiled (and, for start and test, the
 *      web console built);
 *   4. the command: start | start-cluster | test | jest | migrate | admin | temporal-install | check-ledger | test-faults | bench.
 * In a built image (the Dockerfile's: dist/ and the production packages, no TypeScript sources) steps 2 and 3
 * are skipped and the one-off commands run what dist/ holds, e.g. `docker-compose run --rm api npm run admin -- …`.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const runtime = require('./node-runtime.cjs');

const root = path.resolve(__dirname, '..');
const dist = (...parts) => path.join(root, 'dist', ...parts);
const COMMANDS = ['start', 'start-cluster', 'test', 'jest', 'migrate', 'admin', 'temporal-install', 'check-ledger', 'test-faults', 'bench'];
/** A built image has no tsconfig.json: nothing to install or compile, and only the one-off commands make sense there. */
const fromSources = fs.existsSync(path.join(root, 'tsconfig.json'));
const IMAGE_COMMANDS = ['migrate', 'admin', 'check-ledger'];

function log(line) {
  process.stdout.write(`[bootstrap] ${line}\n`);
}

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (res.error) throw res.error;
  if (res.status !== 0) process.exit(res.status === null ? 1 : res.status);
}

/** Runs a script of this package under this Node. */
function runNode(script, args = []) {
  run(process.execPath, [script, ...args]);
}

/** As root, installs the Debian packages the tests need when they are missing; otherwise stops naming the command. */
function installSystemPackages() {
  run('bash', [path.join(__dirname, 'install-system-packages.sh')]);
}

/**
 * Runs this script again under the pinned Node and exits as it exits. Signals are passed on (a Ctrl-C reaches
 * both processes; the commands treat a second SIGINT like the first).
 */
async function rerunUnderPinnedNode() {
  let node;
  try {
    node = await runtime.ensurePinnedNode({ log: (line) => log(line) });
  } catch (err) {
    process.stderr.write(`[bootstrap] Node ${runtime.MIN_NODE_VERSION} or newer is needed (this is ${process.version}) and could not be fetched: ${err.message}\n`);
    process.exit(1);
  }
  log(`running on Node ${runtime.PINNED_NODE_VERSION} (${node}); this machine's Node is ${process.version}`);
  const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` };
  const child = spawn(node, [__filename, ...process.argv.slice(2)], { stdio: 'inherit', env });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  child.once('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}

/** npm ci when node_modules is missing or older than the lock file. */
function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log(`installing npm packages (npm ci, Node ${process.version})…`);
  const npm = runtime.npmCommand();
  run(npm.cmd, [...npm.args, 'ci', '--no-audit', '--no-fund']);
}

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function build() {
  runNode(tsc, ['-p', 'tsconfig.json']);
}

/** The web console (web/): its browser code and Vite config type-checked, then built by Vite into dist/web. */
function buildWebConsole() {
  runNode(tsc, ['-p', 'web/tsconfig.json']);
  runNode(tsc, ['-p', 'web/tsconfig.node.json']);
  runNode(path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), ['build', '--config', 'web/vite.config.mts', '--logLevel', 'warn']);
}

/** ESLint (eslint.config.mjs): floating promises, the dependency rules between the folders, import cycles. */
function lint() {
  runNode(path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), ['.']);
}

function runCommand(command, rest) {
  if (fromSources) {
    ensureDependencies();
    // The test command lints first: any error fails it before anything is built or run.
    if (command === 'test') lint();
    build();
  } else if (!IMAGE_COMMANDS.includes(command)) {
    process.stderr.write(`[bootstrap] this is a built image (no TypeScript sources): it runs ${IMAGE_COMMANDS.join(', ')}; ${command} needs a clone of the repository\n`);
    process.exit(2);
  }
  switch (command) {
    case 'start':
      buildWebConsole();
      require(dist('scripts', 'dev-stack.js')).main();
      break;
    case 'start-cluster': {
      // The production topology (scripts/cluster/): it builds the Temporal server, its SQL tool and the UI server on
      // first use, like the CLI.
      buildWebConsole();
      const { startClusterStack } = require(dist('scripts', 'cluster', 'cluster-stack.js'));
      // One of several workers or API processes that dies is started again, as a process manager would.
      require(dist('scripts', 'dev-stack.js')).main(() => startClusterStack(), 'restart-it');
      break;
    }
    case 'test':
      // The browser tests drive the built console.
      buildWebConsole();
      // Build or find the Temporal servers before jest starts, so a first-run build is not timed as a test.
      runNode(dist('scripts', 'temporal-binaries.js'));
      runNode(path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), rest);
      break;
    case 'jest':
      // Some test files on the project's Node, e.g. `npm run jest -- test/ledger.test.ts` (no web console build).
      runNode(path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), rest);
      break;
    case 'migrate':
      runNode(dist('scripts', 'migrate-cli.js'));
      break;
    case 'admin':
      runNode(dist('scripts', 'admin-cli.js'), rest);
      break;
    case 'temporal-install':
      runNode(dist('scripts', 'temporal-binaries.js'));
      break;
    case 'check-ledger':
      runNode(dist('scripts', 'check-ledger.js'));
      break;
    case 'test-faults':
      runNode(dist('scripts', 'temporal-binaries.js'));
      runNode(dist('scripts', 'faults', 'campaign.js'), rest);
      break;
    case 'bench':
      runNode(dist('bench', 'run-all.js'), rest);
      break;
  }
}

const command = process.argv[2];
if (!COMMANDS.includes(command)) {
  console.error(`usage: bootstrap.cjs ${COMMANDS.join('|')}`);
  process.exit(2);
}
// Before anything slow, so a user who cannot install them learns at once what to run.
if (command === 'test') installSystemPackages();
if (runtime.isTooOld(process.versions.node)) void rerunUnderPinnedNode();
else runCommand(command, process.argv.slice(3));
