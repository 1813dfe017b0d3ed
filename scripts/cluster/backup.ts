/**
 * Backups of the cluster's three databases with pg_dump, and their restore into another PostgreSQL server.
 *
 *   node dist/scripts/cluster/backup.js dump <dir>      # DATABASE_URL's server (or the embedded one of npm run start:cluster)
 *   node dist/scripts/cluster/backup.js restore <dir>   # into DATABASE_URL's server, where they are missing or empty
 *
 * Order matters, because each pg_dump is a consistent snapshot of one database only: Temporal's two are dumped
 * first and the app's last. Everything Temporal's snapshot records as done (an activity completed, so a credit
 * posted) then happened before the app's snapshot began, so the restored ledger is never behind the restored
 * workflows. It may be ahead (a credit whose activity completion came after Temporal's snapshot): the restored
 * workflow runs that activity again, and the ledger's idempotency key makes it a no-op. docs/production.md.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { resolvePostgresClientTools } from '../postgres-client-tools';
import { TEMPORAL_DATABASES } from './temporal-schema';

const run = promisify(execFile);

/** The databases in the order they are dumped: Temporal's, then the app's (named by its URL). */
export function backupOrder(appDatabase: string): string[] {
  return [...TEMPORAL_DATABASES.map((d) => d.name), appDatabase];
}

function connection(url: string): { env: NodeJS.ProcessEnv; args: string[]; database: string } {
  const u = new URL(url);
  return {
    env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
    args: ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username)],
    database: u.pathname.slice(1),
  };
}

/** Dumps the three databases of the server behind `databaseUrl` (the app's database) into `dir`, one custom-format file each. */
export async function dumpDatabases(databaseUrl: string, dir: string): Promise<string[]> {
  const tools = await resolvePostgresClientTools();
  const c = connection(databaseUrl);
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const db of backupOrder(c.database)) {
    const file = path.join(dir, `${db}.dump`);
    await run(tools.pgDump, [...c.args, '-d', db, '-Fc', '-f', file], { env: c.env });
    files.push(file);
  }
  return files;
}

/**
 * Restores every `<database>.dump` of `dir` into the server behind `url` (any database there), each under its
 * own name: created when missing, and otherwise it must be empty (pg_restore stops at the first object that
 * exists, so nothing is restored over live data).
 */
export async function restoreDatabases(url: string, dir: string): Promise<string[]> {
  const tools = await resolvePostgresClientTools();
  const c = connection(url);
  const databases = fs.readdirSync(dir).filter((f) => f.endsWith('.dump')).map((f) => f.replace(/\.dump$/, ''));
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    for (const db of databases) {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${db.replace(/"/g, '""')}"`);
    }
  } finally {
    await admin.end();
  }
  for (const db of databases) {
    await run(tools.pgRestore, [...c.args, '-d', db, '--exit-on-error', path.join(dir, `${db}.dump`)], { env: c.env });
  }
  return databases;
}

async function main(): Promise<void> {
  const [command, dir] = process.argv.slice(2);
  const url = process.env.DATABASE_URL;
  if (!url || !dir || (command !== 'dump' && command !== 'restore')) {
    throw new Error('usage: DATABASE_URL=postgres://… node dist/scripts/cluster/backup.js dump|restore <dir>');
  }
  const done = command === 'dump' ? await dumpDatabases(url, dir) : await restoreDatabases(url, dir);
  process.stdout.write(`${command === 'dump' ? 'dumped' : 'restored'}: ${done.join(', ')}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
