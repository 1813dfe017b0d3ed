/**
 * The cluster profile from nothing (`npm run start:cluster`, scripts/cluster/): embedded PostgreSQL with the
 * app's database and Temporal's two (schemas by the SQL tool), the Temporal server built from its module, the UI
 * server, two workers and two API processes on one port, on free ports in a fresh folder. A bank-transfer and an
 * online top-up go to Paid over HTTP; ops find them in visibility by OrderStatus and AccountId, in the UI's page
 * and through the UI server's API; then everything stops cleanly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { isolatedClusterEnv, type IsolatedCluster } from '../../scripts/cluster/cluster-env';
import { startClusterStack, type ClusterStack } from '../../scripts/cluster/cluster-stack';
import { orderWorkflowId } from '../../workflows/definitions';
import { CHROMIUM_PATH, launchChromium } from '../helpers/browser';
import { eventually } from '../helpers/eventually';
import { SLIP_PNG } from '../helpers/slips';

const OWNER = { authorization: 'Bearer demo-acme-owner-token' };
const FINANCE = { authorization: 'Bearer demo-finance-token' };

let cluster: IsolatedCluster;
let stack: ClusterStack | undefined;
let connection: Connection;
let temporal: Client;
const paid: string[] = [];

beforeAll(async () => {
  const dataDir = path.join(process.env.TOPUP_TEST_RUN_DIR!, 'cluster');
  fs.mkdirSync(dataDir, { recursive: true });
  cluster = await isolatedClusterEnv(dataDir);
  stack = await startClusterStack(cluster.env);
  connection = await Connection.connect({ address: cluster.temporalAddress });
  temporal = new Client({ connection });
}, 240_000);

afterAll(async () => {
  await connection?.close();
  await stack?.();
}, 120_000);

async function call(method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${cluster.apiUrl}${url}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function listIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of temporal.workflow.list({ query })) ids.push(wf.workflowId);
  return ids.sort();
}

test('When the cluster has started from nothing, then it runs two workers and two API processes and the API sees PostgreSQL and Temporal', async () => {
  expect(stack!.processes.worker).toHaveLength(2);
  expect(stack!.processes.api).toHaveLength(2);
  expect(new Set(stack!.processes.api.map((p) => p.child().pid)).size).toBe(2);
  expect(await call('GET', '/readyz', {})).toEqual({ status: 200, body: { status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } } });
  const metrics = await (await fetch(cluster.temporalMetricsUrl)).text();
  expect(metrics).toMatch(/^# TYPE \w+/m);
});

test('When a customer pays by bank transfer on the cluster, then finance approves it and it is Paid', async () => {
  const created = await call('POST', '/v1/orders', OWNER, { wallet: 'credit', amount: 300_000 });
  expect(created).toMatchObject({ status: 201, body: { status: 'unpaid' } });
  const n = String(created.body.orderNumber);
  expect((await call('POST', `/v1/orders/${n}/payment-method`, OWNER, { paymentMethod: 'bank_transfer' })).status).toBe(200);
  const form = new FormData();
  form.append('slip', new Blob([SLIP_PNG], { type: 'image/png' }), 'slip.png');
  const slip = await fetch(`${cluster.apiUrl}/v1/orders/${n}/slip`, { method: 'POST', headers: OWNER, body: form });
  expect(slip.status).toBe(201);
  const approved = await call('POST', `/v1/orders/${n}/approve`, FINANCE, { checkResult: 'Matches the slip' });
  expect(approved).toMatchObject({ status: 200, body: { status: 'paid', paid: { added: 300_000 } } });
  paid.push(n);
});

test('When a customer pays online on the cluster, then the gateway callback makes the order Paid', async () => {
  const created = await call('POST', '/v1/online-orders', OWNER, { lines: [{ wallet: 'credit', amount: 150_000 }] });
  expect(created.status).toBe(201);
  const n = String(created.body.orderNumber);
  expect((await call('POST', `/v1/online-orders/${n}/confirm`, OWNER, { paymentMethod: 'virtual_account' })).status).toBeLessThan(300);
  const awaiting = await eventually(
    () => call('GET', `/v1/orders/${n}`, OWNER),
    (r) => Boolean((r.body.invoice as { providerRef?: string } | null)?.providerRef),
  );
  const providerRef = (awaiting.body.invoice as { providerRef: string }).providerRef;
  const gateway = `http://127.0.0.1:${cluster.env.SANDBOX_GATEWAY_PORT}`;
  const pay = await fetch(`${gateway}/v1/invoices/${providerRef}/simulate-payment`, {
    method: 'POST',
    headers: { authorization: 'Bearer sandbox-api-key-dev', 'content-type': 'application/json' },
    body: '{}',
  });
  expect(pay.status).toBe(200);
  const done = await eventually(() => call('GET', `/v1/orders/${n}`, OWNER), (r) => r.body.status === 'paid', 30_000);
  expect(done.body).toMatchObject({ status: 'paid' });
  paid.push(n);
});

test('When ops filter by OrderStatus and AccountId, then visibility on PostgreSQL lists both Paid orders', async () => {
  const expected = paid.map(orderWorkflowId).sort();
  expect(expected).toHaveLength(2);
  const byStatus = await eventually(() => listIds("OrderStatus = 'paid' AND AccountId = 'acc_acme'"), (ids) => expected.every((id) => ids.includes(id)));
  expect(byStatus).toEqual(expect.arrayContaining(expected));
  expect(await listIds("AccountId = 'acc_nusa'")).toEqual([]);
});

test("When ops use the Temporal UI, then its API lists the orders by the same filter and its page shows them", async () => {
  const query = encodeURIComponent("OrderStatus = 'paid' AND AccountId = 'acc_acme'");
  const listed = await eventually(
    async () => (await (await fetch(`${cluster.uiUrl}/api/v1/namespaces/default/workflows?query=${query}`)).json()) as { executions?: { execution: { workflowId: string } }[] },
    (r) => (r.executions?.length ?? 0) >= 2,
  );
  expect(listed.executions!.map((e) => e.execution.workflowId).sort()).toEqual(expect.arrayContaining(paid.map(orderWorkflowId)));

  expect(fs.existsSync(CHROMIUM_PATH)).toBe(true);
  const browser: Browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${cluster.uiUrl}/namespaces/default/workflows?query=${query}`);
    for (const n of paid) await page.getByText(orderWorkflowId(n)).first().waitFor({ timeout: 60_000 });
  } finally {
    await browser.close();
  }
}, 120_000);

test('When the cluster is stopped, then every one of its processes has exited', async () => {
  const children = Object.values(stack!.processes).flat().map((p) => p.child());
  await stack!();
  stack = undefined;
  for (const child of children) expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
}, 120_000);
