/**
 * Once per `jest` run: find the time-skipping test server, start a throwaway PostgreSQL (or use DATABASE_URL)
 * with a migrated template database, and bundle the workflows once. Test files read what they need from
 * environment variables set here (jest workers inherit them).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../db/embedded';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { freePort } from '../scripts/net';
import { resolveTestServer } from '../scripts/temporal-binaries';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from '../worker/create-worker';

const TEMPLATE_DB = 'topup_test_template';

export default async function globalSetup(): Promise<void> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'topup-test-'));
  // The embedded server runs as the `postgres` user, which must be able to enter this folder.
  fs.chmodSync(runDir, 0o755);
  process.env.TOPUP_TEST_RUN_DIR = runDir;

  process.env.TOPUP_TEST_SERVER = JSON.stringify(await resolveTestServer());

  let templateUrl: string;
  if (process.env.DATABASE_URL) {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${TEMPLATE_DB}`;
    templateUrl = u.toString();
  } else {
    const db = await startEmbeddedPostgres({ dataDir: path.join(runDir, 'postgres'), port: await freePort(), database: TEMPLATE_DB });
    (globalThis as { __topupTestPostgres?: { stop(): Promise<void> } }).__topupTestPostgres = db;
    templateUrl = db.url;
  }
  const pool = createPool(templateUrl, 1);
  await migrate(pool);
  await pool.end();
  process.env.TOPUP_TEST_TEMPLATE_URL = templateUrl;

  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, workflowInterceptorModules: [WORKFLOW_INTERCEPTORS_PATH], logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } });
  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, code);
  process.env.TOPUP_WORKFLOW_BUNDLE = bundlePath;
}
