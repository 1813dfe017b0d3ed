/**
 * Finds (or builds) the Temporal binaries on a machine that may have no internet: the CLI (dev server) and the
 * Java time-skipping test server, and for the cluster profile (scripts/cluster/) the Temporal server, its SQL
 * schema tool and the UI server.
 *
 * Resolution order, the same for `npm start`, `npm run start:cluster`, the tests and CI:
 *   1. an explicit path: TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH / TEMPORAL_SERVER_PATH /
 *      TEMPORAL_SQL_TOOL_PATH / TEMPORAL_UI_SERVER_PATH;
 *   2. the project cache `.temporal/` (git-ignored), then the per-user cache `~/.cache/topup-payments/`,
 *      both keyed by the pinned version, so a fresh clone on the same machine reuses an earlier build;
 *   3. a local build when the toolchain is present: the Go binaries with `go install` from their modules,
 *      the Java test server with Maven from Maven Central;
 *   4. for the CLI and the test server, the SDK's own download (machines with internet); the SDK downloads
 *      no cluster binary, so for those a missing toolchain is an error that says what to install.
 * A file lock keeps parallel processes (jest workers, `npm start` beside `npm test`) from building twice.
 */
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { projectRoot } from '../config/paths';

/** Pinned Temporal CLI (dev server + Web UI). v1.5.1 is the newest release whose module `go install` accepts. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
/** Pinned Java time-skipping test server (io.temporal:temporal-test-server). */
export const TEST_SERVER_VERSION = '1.38.0';
/**
 * Pinned Temporal server for the cluster profile and docker-compose.yml (test/e2e/compose.test.ts holds them
 * equal). Its SQL tool comes from the same module and version, so the schemas it carries match the server.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
/** Pinned Temporal UI server: v2.55.0 is the newest whose module builds with the Go toolchain here. It embeds the UI's assets. */
export const TEMPORAL_UI_VERSION = 'v2.55.0';

const projectCache = path.join(projectRoot(), '.temporal');
/** The per-user cache of built binaries (`$XDG_CACHE_HOME/topup-payments`, else `~/.cache/topup-payments`). */
export const userCache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'topup-payments');

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

/** True for an existing file this process may execute. */
export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** True when `cmd` can be started (it is on PATH). */
export function hasCommand(cmd: string): boolean {
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

/** Runs `build` holding the per-user cache's lock named `name`, so parallel processes build once. */
export async function withBuildLock<T>(name: string, build: () => Promise<T>): Promise<T> {
  fs.mkdirSync(userCache, { recursive: true });
  const release = await lockfile.lock(userCache, {
    lockfilePath: path.join(userCache, `${name}.lock`),
    stale: 60_000,
    update: 10_000,
    retries: { retries: 600, minTimeout: 1000, maxTimeout: 1000 },
  });
  try {
    return await build();
  } finally {
    await release();
  }
}

/**
 * Runs a build tool to its end without blocking the event loop: the build lock above refreshes its file on a
 * timer, and a build that held the loop for longer than `stale` (a Go build takes minutes) lost its lock to a
 * second process, which then built into the same staging folder.
 */
export function runTool(command: string, args: readonly string[], options: SpawnOptions = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** A Go program built with `go install` from its module at a pinned version, cached per user under `dir/file`. */
interface GoBinary {
  /** What it is, for messages. */
  label: string;
  /** The variable naming an existing binary instead. */
  envVar: string;
  /** `module/path/cmd/x`, without the version. */
  packagePath: string;
  version: string;
  /** The cache folder (under the per-user cache) and the project link's name: name and version. */
  dir: string;
  /** The file name in the cache folder. */
  file: string;
  /** What `go install` names the binary (the last element of the package path). */
  builtName: string;
  ldflags?: string;
}

const CLI: GoBinary = {
  label: 'Temporal CLI',
  envVar: 'TEMPORAL_CLI_PATH',
  packagePath: 'github.com/temporalio/cli/cmd/temporal',
  version: TEMPORAL_CLI_VERSION,
  dir: `temporal-cli-${TEMPORAL_CLI_VERSION}`,
  file: 'temporal',
  builtName: 'temporal',
  ldflags: `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION.slice(1)}`,
};

/** The Temporal server: frontend, history, matching and worker services in one process (`start`). */
const SERVER: GoBinary = {
  label: 'Temporal server',
  envVar: 'TEMPORAL_SERVER_PATH',
  packagePath: 'go.temporal.io/server/cmd/server',
  version: TEMPORAL_SERVER_VERSION,
  dir: `temporal-server-${TEMPORAL_SERVER_VERSION}`,
  file: 'temporal-server',
  builtName: 'server',
};

/** temporal-sql-tool: creates the databases and applies the schemas it carries inside the binary. */
const SQL_TOOL: GoBinary = {
  label: 'Temporal SQL tool',
  envVar: 'TEMPORAL_SQL_TOOL_PATH',
  packagePath: 'go.temporal.io/server/cmd/tools/sql',
  version: TEMPORAL_SERVER_VERSION,
  dir: `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`,
  file: 'temporal-sql-tool',
  builtName: 'sql',
};

/** The Temporal UI server (its binary is also called `server`, hence the rename). */
const UI_SERVER: GoBinary = {
  label: 'Temporal UI server',
  envVar: 'TEMPORAL_UI_SERVER_PATH',
  packagePath: 'github.com/temporalio/ui-server/v2/cmd/server',
  version: TEMPORAL_UI_VERSION,
  dir: `temporal-ui-server-${TEMPORAL_UI_VERSION}`,
  file: 'temporal-ui-server',
  builtName: 'server',
};

async function buildGoBinary(bin: GoBinary, target: string): Promise<void> {
  const staging = `${path.dirname(target)}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  process.stderr.write(`Building the ${bin.label} ${bin.version} from its Go module (first run only, a few minutes)…\n`);
  await runTool('go', ['install', '-ldflags', `-s -w ${bin.ldflags ?? ''}`.trim(), `${bin.packagePath}@${bin.version}`], {
    env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' },
  });
  fs.renameSync(path.join(staging, bin.builtName), path.join(staging, bin.file));
  fs.rmSync(path.dirname(target), { recursive: true, force: true });
  fs.renameSync(staging, path.dirname(target));
}

/** Resolves a Go binary by the order above, building it when Go is present; undefined when it cannot. */
async function resolveGoBinary(bin: GoBinary): Promise<{ path: string; source: BinarySource } | undefined> {
  const fromEnv = process.env[bin.envVar];
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new TemporalBinaryMissingError(`${bin.envVar}=${fromEnv} is not an executable file.`);
    return { path: fromEnv, source: 'env' };
  }
  const projectLink = path.join(projectCache, bin.dir);
  if (isExecutable(projectLink)) return { path: projectLink, source: 'project-cache' };
  const cached = path.join(userCache, bin.dir, bin.file);
  if (isExecutable(cached)) return { path: linkIntoProject(bin.dir, cached), source: 'user-cache' };
  if (!hasCommand('go')) return undefined;
  await withBuildLock(bin.dir, async () => {
    if (!isExecutable(cached)) await buildGoBinary(bin, cached);
  });
  return { path: linkIntoProject(bin.dir, cached), source: 'built' };
}

/**
 * Resolves the Temporal CLI (dev server with the Web UI), building it with Go if needed.
 * Returns `cached-download` only when no toolchain can build it, so the SDK may try its own download.
 */
export async function resolveTemporalCli(): Promise<ResolvedExecutable> {
  const found = await resolveGoBinary(CLI);
  return found ? { type: 'existing-path', ...found } : { type: 'cached-download', source: 'sdk-download' };
}

/** A cluster binary that was found or built. */
export interface ClusterBinary {
  path: string;
  source: BinarySource;
}

async function resolveClusterBinary(bin: GoBinary): Promise<ClusterBinary> {
  const found = await resolveGoBinary(bin);
  if (found) return found;
  throw new TemporalBinaryMissingError(
    `The ${bin.label} ${bin.version} is not built yet and Go is not installed. Install Go >= 1.25 so it is built from ${bin.packagePath}@${bin.version}, or set ${bin.envVar} to a binary of that version.`,
  );
}

/** The Temporal server binary of the cluster profile. */
export const resolveTemporalServer = (): Promise<ClusterBinary> => resolveClusterBinary(SERVER);
/** temporal-sql-tool, same version as the server. */
export const resolveTemporalSqlTool = (): Promise<ClusterBinary> => resolveClusterBinary(SQL_TOOL);
/** The Temporal UI server. */
export const resolveTemporalUiServer = (): Promise<ClusterBinary> => resolveClusterBinary(UI_SERVER);

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
async function writeClassDataArchive(dir: string): Promise<void> {
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const script = `java -XX:ArchiveClassesAtExit="${path.join(dir, 'app.jsa')}" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "${path.join(dir, 'lib')}/*" io.temporal.testserver.TestServer ${port} & pid=$!
for i in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/${port}) 2>/dev/null && break; sleep 0.2; done
kill -TERM $pid; wait $pid; exit 0`;
  // Best effort: without the archive the server only starts slower.
  await runTool('bash', ['-c', script], { stdio: 'ignore', timeout: 60_000 }).catch(() => undefined);
}

async function buildTestServer(dir: string): Promise<void> {
  process.stderr.write(`Fetching the Temporal test server ${TEST_SERVER_VERSION} and its dependencies with Maven (first run only)…\n`);
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  const pom = path.join(staging, 'pom.xml');
  fs.writeFileSync(pom, testServerPom());
  await runTool('mvn', ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${path.join(staging, 'lib')}`, '-DincludeScope=runtime']);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
  await writeClassDataArchive(dir);
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
    await withBuildLock('temporal-test-server', async () => {
      if (!isExecutable(wrapper)) await buildTestServer(dir);
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

/** `npm run temporal:install`: resolve (and build) every Temporal binary and PostgreSQL's client programs, print where they are. */
export async function installTemporalBinaries(): Promise<void> {
  const cli = await resolveTemporalCli();
  const testServer = await resolveTestServer();
  for (const [label, r] of [['Temporal CLI', cli], ['Temporal test server', testServer]] as const) {
    process.stdout.write(`${label}: ${r.type === 'existing-path' ? `${r.path} (${r.source})` : 'SDK download at first use'}\n`);
  }
  for (const bin of [SERVER, SQL_TOOL, UI_SERVER]) {
    const r = await resolveClusterBinary(bin);
    process.stdout.write(`${bin.label}: ${r.path} (${r.source})\n`);
  }
  // The cluster's backups and the restore test need pg_dump of the embedded server's version.
  // Required here, not imported at the top: that module builds on this one's cache helpers.
  const { resolvePostgresClientTools } = require('./postgres-client-tools') as typeof import('./postgres-client-tools');
  process.stdout.write(`PostgreSQL client programs: ${(await resolvePostgresClientTools()).binDir}\n`);
}

if (require.main === module) {
  installTemporalBinaries().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
