/**
 * Passwords, API keys, link tokens, session cookies and webhook signing secrets appear in no log line, no error body,
 * no table and no workflow history in clear (issues 17 and 20). A run of the whole identity story against the compiled API and worker as
 * real processes (logging at debug), the admin command, the time-skipping Temporal server and the SMTP sink; then
 * every secret it used is looked for in both processes' output, in every answer, in a dump of every row of every
 * table, and in the histories of the link emails' workflows.
 *
 * The dump is `pg_dump`'s plain SQL of the whole database (PostgreSQL's own client program of the server's version,
 * scripts/postgres-client-tools.ts, as the backups use): every row of every table as COPY text, bytea in hex, so
 * nothing in a column escapes the search.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { projectRoot } from '../../config/paths';
import { freePort } from '../../scripts/net';
import { resolvePostgresClientTools } from '../../scripts/postgres-client-tools';
import { startSandboxGateway, type SandboxGateway } from '../../scripts/sandbox-gateway';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { passwordLinkEmailWorkflowId, webhookDeliveryWorkflowId } from '../../workflows/definitions';
import { TEST_GATEWAY, TEST_PASSWORD_LINK_SECRET, TEST_WEBHOOK_SECRET_KEY } from '../helpers/activity-deps';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { passwordLinkEmail } from '../helpers/password-links';
import { spawnDist, type SpawnedProcess } from '../helpers/processes';
import { startTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';
import { SLIP_PNG } from '../helpers/slips';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

const execFileAsync = promisify(execFile);

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let sink: SmtpSink;
let gateway: SandboxGateway;
let api: SpawnedProcess;
let worker: SpawnedProcess;
let receiver: WebhookReceiver;
/** The webhook endpoint the story registers, whose delivery workflow's history is searched too. */
let endpointId = '';
let base: string;
const taskQueue = uniqueTaskQueue('secrets');
/** Every secret the run used, by what it is. */
const secrets: { what: string; value: string }[] = [];
/** Every answer the API gave: what was asked, its status, its headers (but the cookie it sets) and body as text. */
const answers: { request: string; status: number; text: string }[] = [];
let adminOutput = { stdout: '', stderr: '' };

const keep = (what: string, value: string) => {
  secrets.push({ what, value });
  return value;
};

async function call(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string>; form?: FormData } = {}) {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }), ...opts.headers },
    body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
  });
  const text = await res.text();
  const headers = [...res.headers].filter(([k]) => k !== 'set-cookie').map(([k, v]) => `${k}: ${v}`);
  answers.push({ request: `${method} ${url}`, status: res.status, text: `${headers.join('\n')}\n${text}` });
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : {}, cookie: res.headers.getSetCookie().find((c) => c.startsWith('topup_session='))?.split(';')[0] };
}

async function signIn(username: string, password: string): Promise<Record<string, string>> {
  const res = await call('POST', '/v1/session', { body: { username, password } });
  expect(res.status).toBe(200);
  keep(`${username}'s session cookie`, res.cookie!.slice('topup_session='.length));
  return { cookie: res.cookie!, 'x-csrf-token': String(res.body.csrfToken) };
}

async function redeemFromEmail(to: string, n: number, password: string): Promise<void> {
  const { token } = await passwordLinkEmail(sink, to, n);
  keep(`link token to ${to}`, token);
  expect((await call('POST', '/v1/password-links/redeem', { body: { token, password: keep(`password of ${to}`, password) } })).status).toBe(200);
}

beforeAll(async () => {
  [env, db, sink, receiver] = await Promise.all([startTimeSkippingEnv(), createTestDatabase({ empty: true }), startSmtpSink(), startWebhookReceiver()]);
  gateway = await startSandboxGateway({ ...TEST_GATEWAY, callbackUrl: 'http://127.0.0.1:9/no-callbacks-in-this-test' });
  const [port, metricsPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${port}`;
  const common = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: env.connection.options.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: sink.url,
    PUBLIC_URL: base,
    PASSWORD_LINK_SECRET: TEST_PASSWORD_LINK_SECRET,
    PAYMENT_GATEWAY_URL: gateway.url,
    PAYMENT_PROVIDER_API_KEY: TEST_GATEWAY.apiKey,
    PAYMENT_CALLBACK_SECRET: TEST_GATEWAY.callbackSecret,
    WEBHOOK_SECRET_KEY: TEST_WEBHOOK_SECRET_KEY,
    WEBHOOK_URLS: 'https-or-local-http',
    LOG_LEVEL: 'debug',
  };
  // The first admin, on the empty database (the command migrates it).
  const admin = spawn(process.execPath, [path.join(projectRoot(), 'dist', 'scripts', 'admin-cli.js'), 'create-admin', '--username', 'root.admin', '--email', 'root@provider.example'], {
    env: { ...process.env, ...common },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  admin.stdout.on('data', (c: Buffer) => (adminOutput.stdout += c.toString('utf8')));
  admin.stderr.on('data', (c: Buffer) => (adminOutput.stderr += c.toString('utf8')));
  expect(await new Promise((resolve) => admin.once('exit', resolve))).toBe(0);
  worker = spawnDist('worker/main.js', { ...common, WORKER_METRICS_PORT: String(metricsPort) });
  api = spawnDist('api/main.js', { ...common, PORT: String(port) });
  await Promise.all([worker.waitForLog('worker polling'), api.waitForLog('api listening')]);
}, 120_000);

afterAll(async () => {
  for (const p of [api, worker]) p?.child.kill('SIGTERM');
  await Promise.all([api?.exited, worker?.exited]);
  await gateway?.close();
  await receiver?.close();
  await sink?.close();
  await env?.teardown();
  await db?.drop();
}, 60_000);

test('When the identity story has run, then no password, key, link token, session cookie or webhook signing secret is in a log line, an answer, a table or a workflow history', async () => {
  // The admin: its setup link by email, a password, a failed and a good sign-in.
  await redeemFromEmail('root@provider.example', 1, 'root admin passphrase one');
  expect((await call('POST', '/v1/session', { body: { username: 'root.admin', password: keep('a wrong password', 'wrong passphrase tried here') } })).status).toBe(401);
  expect((await call('POST', '/v1/session', { body: { username: keep('a password typed as username', 'my secret typed in the wrong box'), password: 'x' } })).status).toBe(401);
  const admin = await signIn('root.admin', 'root admin passphrase one');

  // A customer account: the owner's invitation, password, session, keys; a PIC; a refused short password.
  const account = await call('POST', '/v1/accounts', { headers: admin, body: { companyName: 'PT Rahasia', owner: { username: 'rahasia.owner', email: 'owner@rahasia.example' } } });
  expect(account.status).toBe(201);
  const { token: ownerToken } = await passwordLinkEmail(sink, 'owner@rahasia.example');
  const tooShort = await call('POST', '/v1/password-links/redeem', { body: { token: ownerToken, password: keep('a refused password', 'short pw 1') } });
  expect(tooShort.status).toBe(400);
  await redeemFromEmail('owner@rahasia.example', 1, 'owner passphrase number one');
  const owner = await signIn('rahasia.owner', 'owner passphrase number one');
  const key = await call('POST', '/v1/api-keys', { headers: owner, body: { name: 'portal', scopes: ['read', 'write'] } });
  const ownerKey = keep('an API key', String(key.body.secret));
  const invited = await call('POST', '/v1/users', { headers: owner, body: { username: 'rahasia.pic', email: 'pic@rahasia.example' } });
  expect(invited.status).toBe(201);
  await redeemFromEmail('pic@rahasia.example', 1, 'pic passphrase number one');
  const picKey = keep("the PIC's API key", String((await call('POST', '/v1/api-keys', { headers: owner, body: { name: 'pic', scopes: ['read', 'write'], userId: invited.body.id } })).body.secret));

  // A webhook endpoint: its signing secret, shown once, then rotated; events are signed with it in the worker.
  const hooks = { authorization: `Bearer ${ownerKey}` };
  const endpoint = await call('POST', '/v1/webhook-endpoints', { headers: hooks, body: { url: receiver.url('/hooks'), eventTypes: ['order.status_changed'] } });
  expect(endpoint.status).toBe(201);
  endpointId = String(endpoint.body.id);
  keep('a webhook signing secret', String(endpoint.body.secret));
  const rotated = await call('POST', `/v1/webhook-endpoints/${endpointId}/rotate-secret`, { headers: hooks });
  keep('a rotated webhook signing secret', String(rotated.body.secret));
  const tested = await call('POST', `/v1/webhook-endpoints/${endpointId}/test`, { headers: hooks });
  expect(tested.body.outcome).toMatchObject({ delivered: true });

  // The keys at work, and a key that does not exist.
  const order = await call('POST', '/v1/orders', { headers: { authorization: `Bearer ${ownerKey}` }, body: { wallet: 'credit', amount: 100_000 } });
  expect(order.status).toBe(201);
  const form = new FormData();
  form.append('slip', new Blob([SLIP_PNG], { type: 'image/png' }), 'slip.png');
  expect((await call('POST', `/v1/orders/${order.body.orderNumber}/slip`, { headers: { authorization: `Bearer ${picKey}` }, form })).status).toBe(201);
  expect((await call('GET', '/v1/me', { headers: { authorization: `Bearer ${keep('a made-up key', 'tpk_madeupAB_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG')}` } })).status).toBe(401);

  // A password change, a reset by email, a revoked key.
  expect((await call('POST', '/v1/me/password', { headers: owner, body: { currentPassword: 'owner passphrase number one', newPassword: keep('a changed password', 'owner passphrase number two') } })).status).toBe(200);
  expect((await call('POST', '/v1/password-resets', { body: { username: 'rahasia.owner' } })).status).toBe(202);
  await redeemFromEmail('owner@rahasia.example', 2, 'owner passphrase number three');
  const keys = await call('GET', '/v1/api-keys', { headers: await signIn('rahasia.owner', 'owner passphrase number three') });
  const revokeWith = await signIn('rahasia.owner', 'owner passphrase number three');
  expect((await call('DELETE', `/v1/api-keys/${keys.body.items[0].id}`, { headers: revokeWith })).status).toBe(204);
  expect((await call('DELETE', '/v1/session', { headers: admin })).status).toBe(204);

  // Let the last log lines (the worker's emails, the order's webhooks) be written.
  expect(await new Promise((r) => setTimeout(() => r(receiver.at('/hooks').length), 1_500))).toBeGreaterThanOrEqual(3);
  expect(secrets.length).toBeGreaterThanOrEqual(18);

  const logs = [api.stdout(), api.stderr(), worker.stdout(), worker.stderr(), adminOutput.stderr].join('\n');
  expect(api.logEntries().length).toBeGreaterThan(20);
  expect(worker.logEntries().length).toBeGreaterThan(0);
  const dump = await databaseDump(db);
  expect(dump).toContain('PT Rahasia');
  const histories = await linkEmailHistories();
  expect(histories).toMatch(/linkId[^,]*pwl_/);
  expect(histories).toContain('webhookDelivery');
  const found = (text: string) => secrets.filter((s) => text.includes(s.value)).map((s) => s.what);
  // A key is answered once, by the request that made it; nothing else answers any secret, errors least of all.
  const answered = answers.flatMap((a) => found(a.text).map((what) => `${what} in ${a.status} to ${a.request}`));
  expect({ inLogs: found(logs), inAnswers: answered, inTables: found(dump), inHistories: found(histories) }).toEqual({
    inLogs: [],
    inAnswers: [
      'an API key in 201 to POST /v1/api-keys',
      "the PIC's API key in 201 to POST /v1/api-keys",
      'a webhook signing secret in 201 to POST /v1/webhook-endpoints',
      `a rotated webhook signing secret in 200 to POST /v1/webhook-endpoints/${endpointId}/rotate-secret`,
    ],
    inTables: [],
    inHistories: [],
  });
  expect(answers.filter((a) => a.status >= 400).length).toBeGreaterThanOrEqual(4);
}, 180_000);

/** The database as `pg_dump` writes it (plain SQL: schema, then every table's rows as COPY text, bytea in hex). */
async function databaseDump(database: TestDatabase): Promise<string> {
  const tables = await database.pool.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`);
  expect(tables.rows.map((t) => t.name)).toEqual(expect.arrayContaining(['users', 'sessions', 'api_keys', 'password_links', 'operation_log', 'email_outbox']));
  const { pgDump } = await resolvePostgresClientTools();
  const { stdout } = await execFileAsync(pgDump, ['--format=plain', '--no-owner', `--dbname=${database.url}`], { maxBuffer: 512 * 1024 * 1024 });
  for (const { name } of tables.rows) expect(stdout).toContain(`COPY public.${name} `);
  return stdout;
}

const { History } = temporal.api.history.v1;

/** The histories of the password-link email workflows and the webhook delivery workflow, their payloads decoded to text. */
async function linkEmailHistories(): Promise<string> {
  const links = await db.pool.query<{ id: string }>('SELECT id FROM password_links');
  const workflowIds = [...links.rows.map(({ id }) => passwordLinkEmailWorkflowId(id)), webhookDeliveryWorkflowId(endpointId)];
  const connection = await Connection.connect({ address: env.connection.options.address });
  try {
    const client = new Client({ connection, namespace: env.namespace ?? 'default' });
    const texts = await Promise.all(
      workflowIds.map(async (workflowId) => {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        // Payload data is base64 in the JSON form of a history (as test/helpers/histories.ts writes it): decoded,
        // so a secret inside one would show.
        const json = JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }));
        return json.replace(/"data":"([A-Za-z0-9+/=]*)"/g, (_m, b64: string) => `"data":${JSON.stringify(Buffer.from(b64, 'base64').toString('utf8'))}`);
      }),
    );
    return texts.join('\n');
  } finally {
    await connection.close();
  }
}
