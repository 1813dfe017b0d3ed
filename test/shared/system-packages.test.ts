/**
 * scripts/install-system-packages.sh, the one script `npm test` and CI use for the Debian packages the tests
 * need. It decides from what is on PATH (and `id -u`), so each case runs it on a PATH of our making. The
 * machine's real packages are never removed or installed here: that would change the machine under every other
 * test. So `apt-get` is a recorder that puts the packages' commands on that PATH (the real check, on a machine
 * with the packages removed, is in docs/development.md under "What the machine needs").
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../config/paths';

const SCRIPT = path.join(projectRoot(), 'scripts', 'install-system-packages.sh');
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

/** A folder (enterable by everyone) holding a PATH: `id`, `bash`, `sh`, `env`, plus `present` commands that do nothing. */
function fakePath(present: string[]): string {
  const dir = fs.mkdtempSync(path.join(process.env.TOPUP_TEST_RUN_DIR!, 'path-'));
  fs.chmodSync(dir, 0o755);
  for (const tool of ['id', 'bash', 'sh', 'env', 'cat', 'mkdir', 'touch', 'chmod']) {
    const real = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
    if (real) fs.symlinkSync(real, path.join(dir, tool));
  }
  for (const cmd of present) fs.symlinkSync('/bin/true', path.join(dir, cmd));
  return dir;
}

/** An `apt-get` that records its arguments and, on `install`, puts the named packages' commands on PATH. */
function recordingAptGet(dir: string): string {
  const log = path.join(dir, 'apt-get.log');
  fs.writeFileSync(
    path.join(dir, 'apt-get'),
    `#!/bin/sh
echo "$*" >> "${log}"
[ "$1" = update ] && exit 0
for p in "$@"; do
  case "$p" in
    poppler-utils) touch "${dir}/pdftoppm"; chmod +x "${dir}/pdftoppm" ;;
    docker-compose) touch "${dir}/docker-compose"; chmod +x "${dir}/docker-compose" ;;
    chromium) touch "${dir}/chromium"; chmod +x "${dir}/chromium" ;;
  esac
done
`,
    { mode: 0o755 },
  );
  return log;
}

/** A Node that `uid` may run: this one, unless it sits in a folder that user cannot enter (root's cache), then the system's. */
function nodeFor(uid: number | undefined): string {
  const candidates = [process.execPath, '/usr/local/bin/node', '/usr/bin/node'];
  const runnable = candidates.find((node) => spawnSync(node, ['--version'], uid === undefined ? {} : { uid, gid: uid }).status === 0);
  if (!runnable) throw new Error(`no Node that uid ${uid} can run among ${candidates.join(', ')}`);
  return runnable;
}

function runScript(pathDir: string, args: string[] = [], opts: { uid?: number; chromium?: string } = {}) {
  // Another user runs a copy in the PATH folder: the project may sit in a folder only root can enter (a clone under /root).
  const script = opts.uid === undefined ? SCRIPT : path.join(pathDir, 'install-system-packages.sh');
  if (script !== SCRIPT) fs.copyFileSync(SCRIPT, script);
  const res = spawnSync('/bin/bash', [script, ...args], {
    encoding: 'utf8',
    env: { PATH: pathDir, CHROMIUM_PATH: opts.chromium ?? path.join(pathDir, 'chromium') },
    ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test('When pdftoppm, docker-compose and chromium are missing, then --check names their Debian packages and installs nothing', () => {
  const dir = fakePath(['go', 'java', 'mvn']);
  recordingAptGet(dir);
  expect(runScript(dir, ['--check'])).toEqual({ code: 0, stdout: 'poppler-utils docker-compose chromium\n', stderr: '' });
  expect(fs.existsSync(path.join(dir, 'apt-get.log'))).toBe(false);
});

test('When the Temporal toolchains are missing too, then --check names golang-go, openjdk-17-jre-headless and maven as well', () => {
  const dir = fakePath(['pdftoppm', 'docker-compose', 'chromium']);
  expect(runScript(dir, ['--check'])).toEqual({ code: 0, stdout: 'golang-go openjdk-17-jre-headless maven\n', stderr: '' });
});

test('When everything is there, then the script does nothing and succeeds', () => {
  const dir = fakePath(['go', 'java', 'mvn', 'pdftoppm', 'docker-compose', 'chromium']);
  const log = recordingAptGet(dir);
  expect(runScript(dir)).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(runScript(dir, ['--check'])).toEqual({ code: 0, stdout: '', stderr: '' });
  expect(fs.existsSync(log)).toBe(false);
});

test('When a user other than root lacks packages, then the script stops at once with the exact command to run and calls no apt-get', () => {
  const dir = fakePath(['go', 'java', 'mvn', 'docker-compose']);
  const log = recordingAptGet(dir);
  const run = runScript(dir, [], asRoot ? { uid: NOBODY } : {});
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(
    '[system] missing Debian packages: poppler-utils chromium. Install them as root, then run the command again: sudo apt-get update && sudo apt-get install -y poppler-utils chromium\n',
  );
  expect(fs.existsSync(log)).toBe(false);
});

test('When root lacks packages, then apt-get update runs once, then one install of exactly the missing ones', () => {
  const dir = fakePath(['go', 'java', 'mvn', 'docker-compose']);
  const log = recordingAptGet(dir);
  // Root as the script sees it (`id -u` prints 0), whoever runs the suite.
  fs.rmSync(path.join(dir, 'id'));
  fs.writeFileSync(path.join(dir, 'id'), '#!/bin/sh\necho 0\n', { mode: 0o755 });
  const run = runScript(dir);
  expect(run).toEqual({ code: 0, stdout: '[system] installing Debian packages: poppler-utils chromium\n', stderr: '' });
  expect(fs.readFileSync(log, 'utf8')).toBe('update -qq\ninstall -y -qq poppler-utils chromium\n');
});

test('When a user other than root runs npm test on a machine lacking packages, then bootstrap stops before installing anything else', () => {
  // bootstrap and its two helpers, where any user can read them (the project itself may sit in a private folder).
  const dir = fakePath(['go', 'java', 'mvn', 'pdftoppm', 'docker-compose']);
  const copy = fs.mkdtempSync(path.join(process.env.TOPUP_TEST_RUN_DIR!, 'bootstrap-'));
  fs.chmodSync(copy, 0o755);
  fs.mkdirSync(path.join(copy, 'scripts'));
  for (const f of ['bootstrap.cjs', 'node-runtime.cjs', 'install-system-packages.sh']) fs.copyFileSync(path.join(projectRoot(), 'scripts', f), path.join(copy, 'scripts', f));
  fs.copyFileSync(path.join(projectRoot(), 'package.json'), path.join(copy, 'package.json'));
  const log = recordingAptGet(dir);
  const started = Date.now();
  const res = spawnSync(nodeFor(asRoot ? NOBODY : undefined), [path.join(copy, 'scripts', 'bootstrap.cjs'), 'test'], {
    encoding: 'utf8',
    cwd: copy,
    env: { PATH: dir, CHROMIUM_PATH: path.join(dir, 'chromium'), HOME: copy },
    ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
  });
  expect({ code: res.status, stdout: res.stdout, stderr: res.stderr }).toEqual({
    code: 1,
    stdout: '',
    stderr: '[system] missing Debian packages: chromium. Install them as root, then run the command again: sudo apt-get update && sudo apt-get install -y chromium\n',
  });
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(fs.existsSync(path.join(copy, 'node_modules'))).toBe(false);
  expect(fs.existsSync(log)).toBe(false);
});
