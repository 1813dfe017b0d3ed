#!/usr/bin/env node
/**
 * The entry point of the README's commands. Plain JavaScript with no dependencies, because on a fresh clone
 * nothing is installed yet: it installs the npm packages when they are missing or stale, compiles the
 * TypeScript (and, for start and test, builds the web console), then runs the command (start | test | migrate |
 * temporal-install | check-ledger | test-faults).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (res.error) throw res.error;
  if (res.status !== 0) process.exit(res.status === null ? 1 : res.status);
}

/** npm ci when node_modules is missing or older than the lock file. */
function ensureDependencies() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  console.log('[bootstrap] installing npm packages (npm ci)…');
  run(npm, ['ci', '--no-audit', '--no-fund']);
}

function build() {
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
}

/** The web console (web/): its browser code and Vite config type-checked, then built by Vite into dist/web. */
function buildWebConsole() {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  run(process.execPath, [tsc, '-p', 'web/tsconfig.json']);
  run(process.execPath, [tsc, '-p', 'web/tsconfig.node.json']);
  run(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.mts', '--logLevel', 'warn']);
}

/** ESLint (eslint.config.mjs): floating promises, the dependency rules between the folders, import cycles. */
function lint() {
  run(process.execPath, [path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.']);
}

const command = process.argv[2];
const rest = process.argv.slice(3);
ensureDependencies();
// The test command lints first: any error fails it before anything is built or run.
if (command === 'test') lint();
build();
switch (command) {
  case 'start':
    buildWebConsole();
    require(path.join(root, 'dist', 'scripts', 'dev-stack.js')).main();
    break;
  case 'test':
    // The browser tests drive the built console.
    buildWebConsole();
    // Build or find the Temporal servers before jest starts, so a first-run build is not timed as a test.
    run(process.execPath, [path.join(root, 'dist', 'scripts', 'temporal-binaries.js')]);
    run(process.execPath, [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...rest]);
    break;
  case 'migrate':
    run(process.execPath, [path.join(root, 'dist', 'scripts', 'migrate-cli.js')]);
    break;
  case 'temporal-install':
    run(process.execPath, [path.join(root, 'dist', 'scripts', 'temporal-binaries.js')]);
    break;
  case 'check-ledger':
    run(process.execPath, [path.join(root, 'dist', 'scripts', 'check-ledger.js')]);
    break;
  case 'test-faults':
    run(process.execPath, [path.join(root, 'dist', 'scripts', 'temporal-binaries.js')]);
    run(process.execPath, [path.join(root, 'dist', 'scripts', 'faults', 'campaign.js'), ...rest]);
    break;
  default:
    console.error('usage: bootstrap.cjs start|test|migrate|temporal-install|check-ledger|test-faults');
    process.exit(2);
}
