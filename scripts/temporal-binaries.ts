/**
 * Finds (or builds) the two Temporal servers on a machine that may have no internet.
 *
 * Resolution order, the same for `npm start`, the tests and CI:
 *   1. an explicit path: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH;
 *   2. the project cache `.temporal/` (git-ignored), then the per-user cache `~/.cache/topup-payments/`,
 *      both keyed by the pinned version, so a fresh clone on the same machine reuses an earlier build;
 *   3. a local build when the toolchain is present: the CLI with `go install` from its Go module,
 *      the Java test server with Maven from Maven Central;
 *   4. the SDK's own download (machines with internet).
 * A file lock keeps parallel processes (jest workers, `npm start` beside `npm test`) from building twice.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { projectRoot } from '../config/paths';

/** Pinned Temporal CLI (dev server + Web UI). v1.5.1 is the newest release whose module `go install` accepts. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** Pinned Java time-skipping test server (io.temporal:temporal-test-server). */
export const TEST_SERVER_VERSION = '1.38.0';

const projectCache = path.join(projectRoot(), '.temporal');
const userCache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'topup-payments');

/** Where an executable came from, for the log line that tells a developer what ran. */
export type BinarySource = 'env' | 'project-cache' | 'user-cache' | 'built' | 'sdk-download';

/** A resolved server executable: a path we own, or "let the SDK download it". */
export type ResolvedExecutable =
  | { type: 'existing-path'; path: string; source: BinarySource }
  | { type: 'cached-download'; source: 'sdk-download' };

/** Raised when no way of getting a server works; the message says what is missing and how to fix it. */
export class TemporalBinaryMissingError extends Error {
  override name = 'TemporalBinaryMissingError';
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function hasCommand(cmd: string): boolean {
  return spawnSync(cmd, ['-version'], { stdio: 'ignore' }).error === undefined;
}

/** Links `target` into the project cache so `.temporal/` shows what this clone uses. */
function linkIntoProject(name: string, target: string): string {
  const link = path.join(projectCache, name);
  fs.mkdirSync(projectCache, { recursive: true });
  try {
    if (fs.readlinkSync(link) === target) return link;
    fs.rmSync(link, { force: true });
  } catch {
    fs.rmSync(link, { force: true, recursive: true });
  }
  fs.symlinkSync(target, link);
  return link;
}

async function withBuildLock<T>(name: string, build: () => T): Promise<T> {
  fs.mkdirSync(userCache, { recursive: true });
  const release = await lockfile.lock(userCache, {
    lockfilePath: path.join(userCache, `${name}.lock`),
    stale: 60_000,
    update: 10_000,
    retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 },
  });
  try {
    return build();
  } finally {
    await release();
  }
}

function cliCachePath(): string {
  return path.join(userCache, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

function buildCli(target: string): void {
  const gobin = path.dirname(target);
  fs.mkdirSync(gobin, { recursive: true });
  const ldflags = `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION.slice(1)}`;
  process.stderr.write(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} from its Go module (first run only, a few minutes)…\n`);
  execFileSync('go', ['install', '-ldflags', ldflags, `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
  });
}

/**
 * Resolves the Temporal CLI (dev server with the Web UI), building it with Go if needed.
 * Returns `cached-download` only when no toolchain can build it, so the SDK may try its own download.
 */
export async function resolveTemporalCli(): Promise<ResolvedExecutable> {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new TemporalBinaryMissingError(`TEMPORAL_CLI_PATH=${fromEnv} is not an executable file.`);
    return { type: 'existing-path', path: fromEnv, source: 'env' };
  }
  const projectLink = path.join(projectCache, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  if (isExecutable(projectLink)) return { type: 'existing-path', path: projectLink, source: 'project-cache' };
  const cached = cliCachePath();
  if (isExecutable(cached)) {
    return { type: 'existing-path', path: linkIntoProject(`temporal-cli-${TEMPORAL_CLI_VERSION}`, cached), source: 'user-cache' };
  }
  if (hasCommand('go')) {
    await withBuildLock('temporal-cli', () => {
      if (!isExecutable(cached)) buildCli(cached);
    });
    return { type: 'existing-path', path: linkIntoProject(`temporal-cli-${TEMPORAL_CLI_VERSION}`, cached), source: 'built' };
  }
  return { type: 'cached-download', source: 'sdk-download' };
}

function testServerDir(): string {
  return path.join(userCache, `temporal-test-server-${TEST_SERVER_VERSION}`);
}

/** The Maven project that names the test server and lets Maven resolve its dependencies. */
function testServerPom(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.topup</groupId>
  <artifactId>temporal-test-server-deps</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * The wrapper the SDK starts as `<wrapper> <port>`. It must `exec` so the JVM is the process the SDK kills
 * at teardown (otherwise the JVM outlives the test and holds its port), and it starts the JVM in its fastest
 * mode (C1 only, serial GC, class-data sharing) because the SDK gives the server only seconds to answer.
 */
function testServerWrapper(dir: string): string {
  const jsa = path.join(dir, 'app.jsa');
  return `#!/bin/sh
# Generated by scripts/temporal-binaries.ts: Temporal time-skipping test server ${TEST_SERVER_VERSION}.
CDS=""
if [ -f "${jsa}" ]; then CDS="-XX:SharedArchiveFile=${jsa} -Xshare:auto"; fi
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx512m $CDS -cp "${path.join(dir, 'lib')}/*" io.temporal.testserver.TestServer "$@"
`;
}

/** Dumps a class-data-sharing archive by starting the server once, so later starts load classes faster. */
function writeClassDataArchive(dir: string): void {
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const script = `java -XX:ArchiveClassesAtExit="${path.join(dir, 'app.jsa')}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "${path.join(dir, 'lib')}/*" io.temporal.testserver.TestServer ${port} & pid=$!
for i in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && break; sleep 0.2; done
kill -TERM $pid; wait $pid; exit 0`;
  spawnSync('bash', ['-c', script], { stdio: 'ignore', timeout: 60_000 });
}

function buildTestServer(dir: string): void {
  process.stderr.write(`Fetching the Temporal test server ${TEST_SERVER_VERSION} and its dependencies with Maven (first run only)…\n`);
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const pom = path.join(staging, 'pom.xml');
  fs.writeFileSync(pom, testServerPom());
  execFileSync(
    'mvn',
    ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(staging, 'lib')}`, '-DincludeScope=runtime'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
  writeClassDataArchive(dir);
  const wrapper = path.join(dir, 'test-server');
  fs.writeFileSync(wrapper, testServerWrapper(dir), { mode: 0o755 });
}

/**
 * Resolves the time-skipping test server as an executable for
 * `TestWorkflowEnvironment.createTimeSkipping({ server: { executable } })`.
 */
export async function resolveTestServer(): Promise<ResolvedExecutable> {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new TemporalBinaryMissingError(`TEMPORAL_TEST_SERVER_PATH=${fromEnv} is not an executable file.`);
    return { type: 'existing-path', path: fromEnv, source: 'env' };
  }
  const name = `temporal-test-server-${TEST_SERVER_VERSION}`;
  const projectLink = path.join(projectCache, name, 'test-server');
  if (isExecutable(projectLink)) return { type: 'existing-path', path: projectLink, source: 'project-cache' };
  const dir = testServerDir();
  const wrapper = path.join(dir, 'test-server');
  if (isExecutable(wrapper)) {
    linkIntoProject(name, dir);
    return { type: 'existing-path', path: projectLink, source: 'user-cache' };
  }
  if (hasCommand('java') && hasCommand('mvn')) {
    await withBuildLock('temporal-test-server', () => {
      if (!isExecutable(wrapper)) buildTestServer(dir);
    });
    linkIntoProject(name, dir);
    return { type: 'existing-path', path: projectLink, source: 'built' };
  }
  return { type: 'cached-download', source: 'sdk-download' };
}

/** The SDK's executable option for a resolved server. */
export function toSdkExecutable(resolved: ResolvedExecutable): { type: 'existing-path'; path: string } | { type: 'cached-download' } {
  return resolved.type === 'existing-path' ? { type: 'existing-path', path: resolved.path } : { type: 'cached-download' };
}

/** Wraps a failed server start in an error that says what is missing and how to fix it. */
export function explainMissingServer(which: 'cli' | 'test-server', cause: unknown): TemporalBinaryMissingError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const fix =
    which === 'cli'
      ? `Set TEMPORAL_CLI_PATH to a Temporal CLI binary, or install Go >= 1.25 so it is built from github.com/temporalio/cli@${TEMPORAL_CLI_VERSION}, or give this machine internet access for the SDK download.`
      : `Set TEMPORAL_TEST_SERVER_PATH to a test-server executable, or install Java 17+ and Maven so io.temporal:temporal-test-server:${TEST_SERVER_VERSION} is fetched, or give this machine internet access for the SDK download.`;
  return new TemporalBinaryMissingError(`The Temporal ${which === 'cli' ? 'CLI (dev server)' : 'time-skipping test server'} could not be started: ${detail}\n${fix}`);
}

/** `npm run temporal:install`: resolve (and build) both servers, print where they are. */
export async function installTemporalBinaries(): Promise<void> {
  const cli = await resolveTemporalCli();
  const testServer = await resolveTestServer();
  for (const [label, r] of [['Temporal CLI', cli], ['Temporal test server', testServer]] as const) {
    process.stdout.write(`${label}: ${r.type === 'existing-path' ? `${r.path} (${r.source})` : 'SDK download at first use'}\n`);
  }
}

if (require.main === module) {
  installTemporalBinaries().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
