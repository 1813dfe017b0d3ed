/** A fresh database per test file, cloned from the migrated template of this run. */
import { randomBytes } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { createPool } from '../../db/pool';

/** A test database and its pool. */
export interface TestDatabase {
  url: string;
  pool: Pool;
  drop(): Promise<void>;
}

/** A fresh database, cloned from the migrated template of this run, or empty (no migration applied) when asked. */
export async function createTestDatabase(opts: { empty?: boolean } = {}): Promise<TestDatabase> {
  const templateUrl = process.env.TOPUP_TEST_TEMPLATE_URL;
  if (!templateUrl) throw new Error('TOPUP_TEST_TEMPLATE_URL is not set: run the tests through jest (test/global-setup.ts)');
  const template = new URL(templateUrl);
  const name = `topup_test_${randomBytes(6).toString('hex')}`;
  const admin = new URL(templateUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(opts.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${template.pathname.slice(1)}`);
  } finally {
    await client.end();
  }
  const url = new URL(templateUrl);
  url.pathname = `/${name}`;
  const pool = createPool(url.toString(), 20);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      const c = new Client({ connectionString: admin.toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
