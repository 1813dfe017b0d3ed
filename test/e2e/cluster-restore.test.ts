/**
 * A tested restore (docs/production.md, "Backups"): a running cluster with Paid orders and open ones waiting on
 * their close timer is dumped with pg_dump (Temporal's two databases first, the app's last); a fresh cluster on
 * another PostgreSQL is restored from the dumps. Every Paid order is still Paid with its one credit, every open
 * order is still open, and its timer fires at the deadline it had (not one restarted at the restore).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Pool } from 'pg';
import { checkInvariants } from '../../db/ledger/invariants';
import { loadSettings } from '../../config/settings';
import { createPool } from '../../db/pool';
import { dumpDatabases, restoreDatabases } from '../../scripts/cluster/backup';
import { isolatedClusterEnv, type IsolatedCluster } from '../../scripts/cluster/cluster-env';
import { startClusterStack, type ClusterStack } from '../../scripts/cluster/cluster-stack';
import { startPostgres } from '../../scripts/dev-stack';
import { freePort } from '../../scripts/net';
import { getOrderQuery, orderWorkflowId } from '../../workflows/definitions';
import { eventually } from '../helpers/eventually';
import { SLIP_PNG } from '../helpers/slips';

const OWNER = { authorization: 'Bearer demo-acme-owner-token' };
const FINANCE = { authorization: 'Bearer demo-finance-token' };
/** Long enough for the dump and the second cluster's start on a loaded machine, short enough to watch it fire. */
const CLOSE_AFTER_S = 100;

const runDir = () => path.join(process.env.TOPUP_TEST_RUN_DIR!, 'restore');
let original: { cluster: IsolatedCluster; stack?: ClusterStack };
let restored: { cluster: IsolatedCluster; stack?: ClusterStack; db?: { url: string; stop(): Promise<void> }; pool?: Pool; connection?: Connection };
const paid: string[] = [];
const open: { orderNumber: string; deadline: string }[] = [];

async function call(api: string, method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${api}${url}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function payByBankTransfer(api: string, amount: number): Promise<string> {
  const created = await call(api, 'POST', '/v1/orders', OWNER, { wallet: 'credit', amount });
  const n = String(created.body.orderNumber);
  await call(api, 'POST', `/v1/orders/${n}/payment-method`, OWNER, { paymentMethod: 'bank_transfer' });
  const form = new FormData();
  form.append('slip', new Blob([SLIP_PNG], { type: 'image/png' }), 'slip.png');
  expect((await fetch(`${api}/v1/orders/${n}/slip`, { method: 'POST', headers: OWNER, body: form })).status).toBe(201);
  expect(await call(api, 'POST', `/v1/orders/${n}/approve`, FINANCE, { checkResult: 'Matches the slip' })).toMatchObject({ status: 200, body: { status: 'paid' } });
  return n;
}

beforeAll(async () => {
  const dir = runDir();
  fs.mkdirSync(dir, { recursive: true });
  const policyFile = path.join(dir, 'policy.json');
  fs.writeFileSync(policyFile, JSON.stringify({ unsubmittedCloseAfter: `${CLOSE_AFTER_S}s` }));
  original = { cluster: await isolatedClusterEnv(path.join(dir, 'original'), policyFile) };
  restored = { cluster: await isolatedClusterEnv(path.join(dir, 'restored'), policyFile) };
  original.stack = await startClusterStack(original.cluster.env);
}, 240_000);

afterAll(async () => {
  await restored.connection?.close();
  await restored.pool?.end();
  await restored.stack?.();
  await original.stack?.();
  await restored.db?.stop();
}, 180_000);

test('When the running cluster is dumped and a fresh one restored from the dumps, then Paid orders keep their credit and open orders their timer', async () => {
  const api = original.cluster.apiUrl;
  const originalConnection = await Connection.connect({ address: original.cluster.temporalAddress });
  const originalTemporal = new Client({ connection: originalConnection });
  for (const amount of [110_000, 220_000, 330_000]) paid.push(await payByBankTransfer(api, amount));
  for (const amount of [40_000, 50_000, 60_000]) {
    const created = await call(api, 'POST', '/v1/orders', OWNER, { wallet: 'credit', amount });
    expect(created).toMatchObject({ status: 201, body: { status: 'unpaid' } });
    const n = String(created.body.orderNumber);
    // The deadline is the workflow's own (its close timer), as ops read it with the getOrder query.
    const view = await originalTemporal.workflow.getHandle(orderWorkflowId(n)).query(getOrderQuery);
    expect(view.deadline).toEqual(expect.any(String));
    open.push({ orderNumber: n, deadline: view.deadline! });
  }

  // Mid-run: the cluster keeps running while its databases are dumped.
  const dumps = path.join(runDir(), 'dumps');
  const files = await dumpDatabases(original.cluster.databaseUrl, dumps);
  expect(files.map((f) => path.basename(f))).toEqual(['temporal.dump', 'temporal_visibility.dump', 'topup.dump']);
  await originalConnection.close();
  await original.stack!();
  original.stack = undefined;

  // A fresh PostgreSQL server, the three databases restored into it, and a cluster started on them.
  restored.db = await startPostgres(loadSettings({ DATA_DIR: path.join(runDir(), 'restored-postgres'), EMBEDDED_PG_PORT: String(await freePort()) }));
  expect((await restoreDatabases(restored.db.url, dumps)).sort()).toEqual(['temporal', 'temporal_visibility', 'topup']);
  const databaseUrl = restored.db.url;
  restored.stack = await startClusterStack({ ...restored.cluster.env, DATABASE_URL: databaseUrl });
  restored.pool = createPool(databaseUrl, 2);
  restored.connection = await Connection.connect({ address: restored.cluster.temporalAddress });
  const temporalClient = new Client({ connection: restored.connection });
  const restoredApi = restored.cluster.apiUrl;

  for (const n of paid) {
    expect((await call(restoredApi, 'GET', `/v1/orders/${n}`, OWNER)).body).toMatchObject({ orderNumber: n, status: 'paid' });
    const credits = await restored.pool.query("SELECT count(*)::int AS n FROM journal_entries WHERE order_number = $1 AND kind = 'topup'", [n]);
    expect(credits.rows[0]).toEqual({ n: 1 });
  }
  for (const o of open) {
    expect((await call(restoredApi, 'GET', `/v1/orders/${o.orderNumber}`, OWNER)).body).toMatchObject({ status: 'unpaid' });
    const handle = temporalClient.workflow.getHandle(orderWorkflowId(o.orderNumber));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(await handle.query(getOrderQuery)).toMatchObject({ status: 'unpaid', deadline: o.deadline });
  }

  // Each open order closes at the deadline it had before the backup: its timer fires when it was due.
  for (const o of open) {
    const closed = await eventually(() => call(restoredApi, 'GET', `/v1/orders/${o.orderNumber}`, OWNER), (r) => r.body.status === 'closed', CLOSE_AFTER_S * 1000 + 60_000, 1_000);
    expect(closed.body).toMatchObject({ status: 'closed' });
    const history = await temporalClient.workflow.getHandle(orderWorkflowId(o.orderNumber)).fetchHistory();
    const fired = history.events?.find((e: temporal.api.history.v1.IHistoryEvent) => e.timerFiredEventAttributes);
    const firedAt = Number(fired?.eventTime?.seconds ?? 0) * 1000;
    expect(Math.abs(firedAt - Date.parse(o.deadline))).toBeLessThan(10_000);
  }
  expect(await checkInvariants(restored.pool)).toEqual([]);
}, 420_000);
