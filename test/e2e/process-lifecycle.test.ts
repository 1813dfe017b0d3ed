/**
 * The compiled processes as operators run them (`node dist/api/main.js`, `node dist/worker/main.js`): a bad
 * setting stops them at start naming it; SIGTERM lets the request or activity in flight finish, then they
 * exit 0; the worker logs JSON with workflow ids and serves its metrics (the SDK's and its own) for Prometheus.
 * Behind them: a real PostgreSQL and the time-skipping Temporal server.
 */
import net from 'node:net';
import { WorkflowUpdateStage } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import { allocateOrderNumber } from '../../db/orders/order-numbers';
import { freePort } from '../../scripts/net';
import { orderWorkflowId, submitSlipUpdate, type TopupOrderInput } from '../../workflows/definitions';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount } from '../helpers/fixtures';
import { spawnDist } from '../helpers/processes';
import { sampleValue } from '../helpers/prometheus';
import { startTimeSkippingEnv, uniqueTaskQueue } from '../helpers/temporal';

let env: TestWorkflowEnvironment;
let db: TestDatabase;

beforeAll(async () => {
  [env, db] = await Promise.all([startTimeSkippingEnv(), createTestDatabase()]);
});

afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('When a setting is malformed', () => {
  test('then the API exits non-zero naming each bad setting and its rule', async () => {
    const api = spawnDist('api/main.js', { PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: '' });
    expect(await api.exited).toBe(1);
    expect(api.stderr()).toContain('PORT: must be a port number from 1 to 65535');
    expect(api.stderr()).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
  });

  test('then the worker exits non-zero naming each bad setting and its rule', async () => {
    const worker = spawnDist('worker/main.js', { WORKER_METRICS_PORT: 'abc', WORKER_METRICS_HOST: 'localhost', SMTP_URL: 'http://mail.example', WORKER_MAX_CACHED_WORKFLOWS: '-5', LOG_LEVEL: '' });
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toContain('WORKER_METRICS_PORT: must be a port number from 1 to 65535');
    expect(worker.stderr()).toContain('WORKER_METRICS_HOST: must be an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0');
    expect(worker.stderr()).toContain('WORKER_MAX_CACHED_WORKFLOWS: must be a whole number from 0 to 100000');
    expect(worker.stderr()).toContain('SMTP_URL: must be an smtp:// or smtps:// URL');
    expect(worker.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  test('then the worker whose metrics port is taken exits non-zero naming WORKER_METRICS_PORT', async () => {
    const taken = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => taken.listen(port, '0.0.0.0', resolve));
    try {
      const worker = spawnDist('worker/main.js', {
        WORKER_METRICS_PORT: String(port),
        DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
        SMTP_URL: 'smtp://127.0.0.1:9',
        PAYMENT_GATEWAY_URL: 'http://127.0.0.1:9',
        LOG_LEVEL: '',
      });
      expect(await worker.exited).toBe(1);
      expect(worker.stderr()).toContain(`WORKER_METRICS_PORT: ${port} cannot serve the worker's metrics`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

/** Sends raw bytes and resolves with everything the server answered once it closes the connection. */
function rawResponse(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('utf8')));
    socket.once('end', () => resolve(answer));
    socket.once('error', reject);
  });
}

test('When the API gets SIGTERM with a request in flight, then it refuses new connections, answers that request and exits 0', async () => {
  const port = await freePort();
  const api = spawnDist('api/main.js', { PORT: String(port), DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, TOPUP_POLICY_FILE: '', LOG_LEVEL: 'info' });
  await api.waitForLog('api listening');

  // A callback whose body is still arriving when the signal comes.
  const body = '{"id":"evt_in_flight","data":{}}';
  const socket = net.connect(port, '127.0.0.1');
  const answer = rawResponse(socket);
  socket.write(`POST /v1/payments/callback HTTP/1.1\r\nHost: api\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
  await sleep(300);
  api.child.kill('SIGTERM');
  await api.waitForLog('api draining: no new connections, in-flight requests finish', 5_000);
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  expect(api.child.exitCode).toBeNull();

  socket.write(body.slice(10));
  expect(await answer).toMatch(/^HTTP\/1\.1 401 /);
  expect(await api.exited).toBe(0);
  expect(api.logEntries().map((e) => e.msg)).toContain('api stopped');
}, 60_000);

/** An SMTP server that refuses the first message (451, try later) and holds the next until released. */
async function startHoldingSmtp(): Promise<{ port: number; held: Promise<void>; release(): void; close(): Promise<void> }> {
  let attempts = 0;
  let release: () => void = () => undefined;
  let onHeld: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        attempts += 1;
        if (attempts === 1) return callback(Object.assign(new Error('mailbox busy, try again later'), { responseCode: 451 }));
        release = () => callback();
        onHeld();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, held, release: () => release(), close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('When the worker serves its metrics (they need no token)', () => {
  const startWorker = async (extra: Record<string, string>) => {
    const port = await freePort();
    const worker = spawnDist('worker/main.js', {
      DATABASE_URL: db.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('metrics'),
      SMTP_URL: 'smtp://127.0.0.1:9',
      PAYMENT_GATEWAY_URL: 'http://127.0.0.1:9',
      WORKER_METRICS_PORT: String(port),
      LOG_LEVEL: 'info',
      ...extra,
    });
    await worker.waitForLog('worker polling', 120_000);
    return { worker, port };
  };
  const stop = async (worker: ReturnType<typeof spawnDist>) => {
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  };

  test('then by default they listen on 127.0.0.1 only: another address of this host (127.0.0.2) is refused', async () => {
    const { worker, port } = await startWorker({ WORKER_METRICS_HOST: '' });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      expect(await accepts('127.0.0.2', port)).toBe(false);
      expect((await worker.waitForLog('worker polling')).metrics).toBe(`http://127.0.0.1:${port}/metrics`);
    } finally {
      await stop(worker);
    }
  }, 180_000);

  test('then WORKER_METRICS_HOST=0.0.0.0 opens them on every address, as the compose file does on its network', async () => {
    const { worker, port } = await startWorker({ WORKER_METRICS_HOST: '0.0.0.0' });
    try {
      expect((await fetch(`http://127.0.0.2:${port}/metrics`)).status).toBe(200);
    } finally {
      await stop(worker);
    }
  }, 180_000);
});

test('When the worker gets SIGTERM with an email in flight, then the email is sent, the worker exits 0, and its logs and metrics told the story', async () => {
  const smtp = await startHoldingSmtp();
  const metricsPort = await freePort();
  const taskQueue = uniqueTaskQueue('proc');
  const worker = spawnDist('worker/main.js', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    PAYMENT_GATEWAY_URL: 'http://127.0.0.1:9',
    WORKER_METRICS_PORT: String(metricsPort),
    LOG_LEVEL: 'info',
  });
  try {
    await worker.waitForLog('worker polling', 120_000);

    const account = await createTestAccount(db.pool);
    const orderNumber = await allocateOrderNumber(db.pool, new Date());
    const input: TopupOrderInput = {
      orderNumber,
      accountId: account.accountId,
      createdBy: account.ownerId,
      wallet: 'credit',
      amount: 250_000,
      currency: 'IDR',
      createdAt: new Date().toISOString(),
      policy: DEFAULT_POLICY,
    };
    const handle = await env.client.workflow.start('topupOrder', { taskQueue, workflowId: orderWorkflowId(orderNumber), args: [input] });
    const slip = { fileId: 'slp_lifecycle', sha256: 'a'.repeat(64), size: 1234, contentType: 'image/png' };
    // Accepted is enough: the update finishes only after its email, which this worker will not live to report.
    await handle.startUpdate(submitSlipUpdate, { args: [{ slip, by: account.ownerId }], waitForStage: WorkflowUpdateStage.ACCEPTED });

    // The "received" email: refused once by the mail server, then retried by Temporal and held in flight.
    await smtp.held;
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(sampleValue(metrics, 'topup_email_failures_total', { activityType: 'sendOrderEmail' })).toBe(1);
    expect(sampleValue(metrics, 'topup_activity_failures_total', { activityType: 'sendOrderEmail', taskQueue })).toBe(1);
    expect(sampleValue(metrics, 'temporal_activity_execution_failed', { activity_type: 'sendOrderEmail' })).toBe(1);
    expect(metrics).toMatch(/^temporal_workflow_task_execution_latency/m);
    expect(metrics).not.toContain(account.accountId);

    const failureLog = worker.logEntries().find((e) => e.activityType === 'sendOrderEmail' && e.level === 'warn');
    expect(failureLog).toMatchObject({ service: 'worker', workflowId: orderWorkflowId(orderNumber), workflowType: 'topupOrder' });

    worker.child.kill('SIGTERM');
    await worker.waitForLog('worker draining: no new tasks, in-flight activities finish', 5_000);
    await sleep(1_000);
    expect(worker.child.exitCode).toBeNull(); // still waiting on the email

    smtp.release();
    expect(await worker.exited).toBe(0);
    const outbox = await db.pool.query<{ sent: boolean }>('SELECT sent_at IS NOT NULL AS sent FROM email_outbox WHERE idempotency_key = $1', [`topup:${orderNumber}:submitted:1`]);
    expect(outbox.rows).toEqual([{ sent: true }]);
    expect(worker.logEntries().map((e) => e.msg)).toContain('worker stopped');
  } finally {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await smtp.close();
  }
}, 180_000);
