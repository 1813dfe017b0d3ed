/**
 * A worker or API process that starts while PostgreSQL is restarting waits for it (db/wait-for-database.ts)
 * instead of dying at its start, which the cluster fault campaign saw when a restarted worker met a PostgreSQL kill.
 * Against a real embedded PostgreSQL started a moment after the process began to wait.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../../config/settings';
import { createPool } from '../../db/pool';
import { whenDatabaseAccepts } from '../../db/wait-for-database';
import { startPostgres } from '../../scripts/dev-stack';
import { freePort } from '../../scripts/net';

test('When PostgreSQL starts only after a process began its first query, then the query waits for it and succeeds', async () => {
  const port = await freePort();
  const dataDir = path.join(process.env.TOPUP_TEST_RUN_DIR!, 'late-postgres');
  fs.mkdirSync(dataDir, { recursive: true });
  // The `postgres` database: the embedded server accepts connections a moment before it creates `topup`.
  const pool = createPool(`postgres://topup:topup@127.0.0.1:${port}/postgres`, 1);
  let postgres: Awaited<ReturnType<typeof startPostgres>> | undefined;
  try {
    // Without waiting, the first query fails at once: what killed a worker at its start.
    await expect(pool.query('SELECT 1')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const waits: unknown[] = [];
    const answer = whenDatabaseAccepts(() => pool.query<{ n: number }>('SELECT 42 AS n'), { timeoutMs: 120_000, onWait: (err) => waits.push(err) });
    await new Promise((r) => setTimeout(r, 2_500));
    postgres = await startPostgres(loadSettings({ DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) }));
    expect((await answer).rows).toEqual([{ n: 42 }]);
    expect(waits.length).toBeGreaterThanOrEqual(2);
  } finally {
    await pool.end();
    await postgres?.stop();
  }
}, 180_000);

test('When the first query fails for another reason, then it fails at once, without waiting', async () => {
  const started = Date.now();
  const syntax = Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' });
  await expect(whenDatabaseAccepts(() => Promise.reject(syntax), { timeoutMs: 60_000 })).rejects.toBe(syntax);
  expect(Date.now() - started).toBeLessThan(1_000);
});
