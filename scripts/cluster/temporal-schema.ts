/**
 * Temporal's two databases on the stack's PostgreSQL, created and brought to the server's schema version by its
 * SQL tool (temporal-sql-tool, built from the server's module at the same version, which carries the schemas
 * inside the binary). Every step is idempotent, so the cluster profile runs them at each start:
 * `create-database` on an existing database does nothing, `setup-schema -v 0.0` leaves an existing version
 * table alone, and `update-schema` applies only the versions newer than the recorded one (a new server release
 * upgrades the schema at its first start, docs/production.md). docker-compose.yml runs the same steps as a
 * one-shot service.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { resolveTemporalSqlTool } from '../temporal-binaries';

const run = promisify(execFile);

/** The databases and the embedded schema each gets. */
export const TEMPORAL_DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

/** Where Temporal's databases live: the stack's PostgreSQL server and its credentials. */
export interface TemporalDbTarget {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The server, user and password of a postgres:// URL (the app's database; Temporal's sit beside it). */
export function dbTargetOf(databaseUrl: string): TemporalDbTarget {
  const u = new URL(databaseUrl);
  return { host: u.hostname, port: Number(u.port || '5432'), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** The steps, as the SQL tool's arguments after its connection flags (the same list docker-compose.yml runs). */
export function schemaSteps(): { database: string; args: string[] }[] {
  return TEMPORAL_DATABASES.flatMap((db) => [
    { database: db.name, args: ['create-database'] },
    { database: db.name, args: ['setup-schema', '-v', '0.0'] },
    { database: db.name, args: ['update-schema', '-s', db.schema] },
  ]);
}

/** Creates or upgrades both databases (a no-op when they are at the server's version). */
export async function applyTemporalSchema(target: TemporalDbTarget): Promise<void> {
  const tool = await resolveTemporalSqlTool();
  // The password goes by environment (SQL_PASSWORD), not on the command line where `ps` shows it.
  const env = { ...process.env, SQL_PASSWORD: target.password };
  const connection = ['--plugin', 'postgres12', '--ep', target.host, '-p', String(target.port), '-u', target.user];
  for (const step of schemaSteps()) {
    try {
      await run(tool.path, [...connection, '--db', step.database, ...step.args], { env, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const output = err as { stderr?: string; stdout?: string };
      const detail = `${output.stdout ?? ''}${output.stderr ?? ''}`.split('\n').filter((l) => /ERROR|FATAL|error/.test(l)).slice(-3).join('\n');
      throw new Error(`temporal-sql-tool ${step.args[0]} on database ${step.database} failed: ${detail || String(err)}`);
    }
  }
}
