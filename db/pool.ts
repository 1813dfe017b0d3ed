import { Pool, types } from 'pg';

// Money is bigint in SQL; read it as a JS number, which is exact up to 2^53 (9e15 rupiah).
types.setTypeParser(types.builtins.INT8, (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${v} exceeds the safe integer range`);
  return n;
});

/** A PostgreSQL pool for one process. */
export function createPool(connectionString: string, max = 10): Pool {
  const pool = new Pool({ connectionString, max });
  // An idle client losing its server (restart, failover) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // A checked-out client has no pool listener: a server gone mid-transaction (a PostgreSQL restart, found by the
  // fault campaign) would otherwise be an unhandled 'error' event that kills the process. Its query still fails.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/** Resolves once PostgreSQL answers a query (the readiness check). */
export async function pingDatabase(pool: Pool): Promise<void> {
  await pool.query('SELECT 1');
}
