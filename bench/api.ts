/**
 * Benchmark 4, the API: `createApp` in this process on a port (a real PostgreSQL behind it; Temporal is not
 * called by these routes), loaded by autocannon from a separate process so the app keeps one core:
 * - a small authenticated GET (`GET /v1/balance`): requests/s and p99 at --connections, beside the floors under
 *   it measured the same way: `GET /healthz` of the app, a bare Express app and a bare node:http server;
 * - `GET /v1/orders` with --orders orders across --accounts accounts seeded straight into the read model,
 *   filtered by status and date range, first page and page 500, as a customer and as finance: p50/p99, and the
 *   time PostgreSQL takes for each of the route's two queries (EXPLAIN ANALYZE).
 *
 *   node dist/bench/api.js [--orders 100000] [--accounts 1000] [--connections 50] [--duration 5] [--explain 0|1]
 *   node dist/bench/api.js --orders 1000000 --accounts 10000     # the size the issue asks for
 */
import http, { type Server } from 'node:http';
import express from 'express';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import type { Pool } from 'pg';
import { createApp } from '../api/create-app';
import { decodeOrderCursor, listOrders, type OrderCursor, type OrderListFilter } from '../db/orders/order-list';
import { createLogger } from '../config/logger';
import { freePort } from '../scripts/net';
import { DEFAULT_POLICY } from '../workflows/shared/policy';
import { parseFlags } from './lib/args';
import { loadTest, type LoadReport } from './lib/autocannon';
import { benchAccountId, seedBenchAccounts } from './lib/bench-accounts';
import { startBenchDatabase } from './lib/embedded-db';
import { seedOrders } from './lib/seed-orders';
import { fmt, printTable } from './lib/stats';
import { runMain } from './lib/run-main';
import { recordFigure } from './lib/figures';

const PROVIDER = { name: 'PT Bench', address: 'Jl. Bench 1', email: 'billing@bench.local', bank: { bankName: 'Bank Bench', accountName: 'PT Bench', accountNumber: '1234567890' } };
const SEED_END = '2026-11-01T00:00:00Z';
const RANGE = { from: '2026-05-01', to: '2026-07-31' };

/** One list request: who asks, the route's query string, and whether the page is reached by cursor (`viaCursor`). */
interface ListShape {
  name: string;
  finance: boolean;
  query: Omit<OrderListFilter, 'accountId' | 'pageSize' | 'sort' | 'cursor'>;
  /** Ask for `query.page` by the cursor the page before it answers (keyset), rather than by its number (OFFSET). */
  viaCursor?: boolean;
}

const SHAPES: ListShape[] = [
  { name: 'customer, newest first, page 1', finance: false, query: { page: 1 } },
  { name: 'customer, Paid, date range, page 1', finance: false, query: { status: 'paid', ...RANGE, page: 1 } },
  { name: 'finance (all accounts), Paid, date range, page 1', finance: true, query: { status: 'paid', ...RANGE, page: 1 } },
  { name: 'finance (all accounts), Paid, date range, page 500 by number (OFFSET)', finance: true, query: { status: 'paid', ...RANGE, page: 500 } },
  { name: 'finance (all accounts), Paid, date range, page 500 by cursor', finance: true, query: { status: 'paid', ...RANGE, page: 500 }, viaCursor: true },
  { name: 'finance (all accounts), Paid, date range, page 5,000 by cursor', finance: true, query: { status: 'paid', ...RANGE, page: 5000 }, viaCursor: true },
];

function queryString(q: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  return params.toString();
}

/** The query of a shape: its page by number, or the cursor the page before it answers (read once, not timed). */
async function shapeQuery(baseUrl: string, token: string, shape: ListShape): Promise<{ query: string; cursor?: OrderCursor }> {
  if (!shape.viaCursor) return { query: queryString(shape.query) };
  const before = await fetch(`${baseUrl}/v1/orders?${queryString({ ...shape.query, page: shape.query.page - 1 })}`, { headers: { authorization: `Bearer ${token}` } });
  const nextCursor = ((await before.json()) as { nextCursor?: string | null }).nextCursor;
  if (!nextCursor) throw new Error(`not measured: fewer matching orders than page ${shape.query.page} needs (--orders)`);
  return { query: queryString({ ...shape.query, page: undefined, cursor: nextCursor }), cursor: decodeOrderCursor(nextCursor)! };
}

/**
 * PostgreSQL's own time for the route's two queries (the page and the count), by running listOrders with a
 * pool stand-in that EXPLAIN ANALYZEs whatever SQL it is given, one query at a time (the route runs the two at
 * once, which would time each with the other's load on it).
 */
async function explainList(pool: Pool, filter: OrderListFilter): Promise<{ ms: number[]; plans: string[] }> {
  const plans: string[] = [];
  const ms: number[] = [];
  let previous: Promise<unknown> = Promise.resolve();
  const explaining = {
    async query(text: string, params: unknown[]) {
      const mine = previous.then(() => pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, params));
      previous = mine.catch(() => undefined);
      const res = await mine;
      const lines = res.rows.map((r) => r['QUERY PLAN']);
      ms.push(Number(/Execution Time: ([\d.]+) ms/.exec(lines.join('\n'))?.[1] ?? Number.NaN));
      plans.push(lines.join('\n'));
      return { rows: [] };
    },
  };
  await listOrders(explaining as unknown as Pool, filter);
  return { ms, plans };
}

/** Express with nothing but one JSON route: what any Express route costs here. */
function bareExpress(): Server {
  const app = express();
  app.get('/ping', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return http.createServer(app);
}

/** Node's HTTP server answering one JSON body: the machine's floor for an HTTP request. */
function bareNodeHttp(): Server {
  return http.createServer((_req, res) => {
    const body = '{"status":"ok"}';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
}

async function listenServer(server: Server): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}` };
}

async function listen(app: ReturnType<typeof createApp>): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Runs a load and the CPU this process (the app) used meanwhile, in cores. */
async function measured(run: () => Promise<LoadReport>): Promise<{ report: LoadReport; cores: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const report = await run();
  const used = process.cpuUsage(cpu);
  return { report, cores: (used.user + used.system) / 1000 / (performance.now() - start) };
}

const BARE_EXPRESS = 'bare Express 5, one JSON route';

/** The small GETs' figures, each beside the bare Express app measured the same way in the same run. */
function recordSmallGets(reports: Map<string, LoadReport>, cores: Map<string, number>, conditions: { connections: number; durationSeconds: number }): void {
  const bare = reports.get(BARE_EXPRESS)!.requests.average;
  // CPU per request: what the ratio of rates would be if the app had a whole core (on a shared machine it may not).
  const cpuUs = (name: string) => (cores.get(name)! * 1e6) / reports.get(name)!.requests.average;
  for (const [name, id] of [['/healthz', 'healthz'], ['/v1/balance', 'balance']] as const) {
    recordFigure({
      id: `api.${id}.cpuUsPerRequest`,
      label: `GET ${name}: the app's CPU per request (it used ${cores.get(name)!.toFixed(2)} of a core)`,
      value: cpuUs(name),
      unit: 'µs',
      ratio: { value: cpuUs(name) / cpuUs(BARE_EXPRESS), of: `bare Express's CPU per request (${fmt(cpuUs(BARE_EXPRESS))} µs)` },
      conditions,
    });
  }
  const ofBare = { of: `bare Express (${fmt(bare)} req/s)` };
  const healthz = reports.get('/healthz')!;
  const balance = reports.get('/v1/balance')!;
  recordFigure({ id: 'api.bareExpress.requestsPerSecond', label: 'a bare Express 5 app, one JSON route', value: bare, unit: 'req/s', conditions });
  recordFigure({ id: 'api.healthz.requestsPerSecond', label: 'GET /healthz', value: healthz.requests.average, unit: 'req/s', ratio: { value: healthz.requests.average / bare, ...ofBare }, conditions });
  recordFigure({ id: 'api.healthz.shareOfBareExpress', label: 'GET /healthz as a share of bare Express, same run', value: (100 * healthz.requests.average) / bare, unit: '%', conditions });
  recordFigure({ id: 'api.healthz.p99Ms', label: 'GET /healthz p99', value: healthz.latency.p99, unit: 'ms', conditions });
  recordFigure({ id: 'api.balance.requestsPerSecond', label: 'GET /v1/balance', value: balance.requests.average, unit: 'req/s', ratio: { value: balance.requests.average / bare, ...ofBare }, conditions });
  recordFigure({ id: 'api.balance.p99Ms', label: 'GET /v1/balance p99', value: balance.latency.p99, unit: 'ms', conditions });
}

async function main(): Promise<void> {
  const flags = parseFlags('API: a small authenticated GET under load, and GET /v1/orders over a large read model.', {
    orders: 100_000,
    accounts: 1000,
    days: 365,
    connections: 50,
    duration: 5,
    'list-connections': 1,
    'list-requests': 200,
    pool: 10,
    explain: 0,
    // What to run (for a profile of one route: --small /healthz --floors 0 --lists 0 under node --cpu-prof).
    small: '/v1/balance,/healthz',
    floors: 1,
    lists: 1,
    // 1: also the same routes through Express and without the request log line, for what each costs.
    variants: 0,
  });
  const db = await startBenchDatabase(flags.pool);
  let server: Server | undefined;
  try {
    const creds = await seedBenchAccounts(db.pool, flags.accounts, 1, 1);
    const seedStart = performance.now();
    await seedOrders(db.pool, { orders: flags.orders, accounts: flags.accounts, days: flags.days, end: SEED_END }, (done) => process.stdout.write(`seeded ${fmt(done)} orders\n`));
    process.stdout.write(`seeded ${fmt(flags.orders)} orders across ${fmt(flags.accounts)} accounts in ${fmt((performance.now() - seedStart) / 1000, 1)} s\n`);
    // These routes never call Temporal; a lazy connection to nowhere keeps it that way.
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const appWith = (opts: { logLevel?: 'info' | 'warn'; thinPath?: boolean } = {}) =>
      createApp({
        pool: db.pool,
        temporal,
        taskQueue: 'bench',
        policy: DEFAULT_POLICY,
        provider: PROVIDER,
        // Request logs at `info`, as the service runs, written to /dev/null: their cost counts, not the terminal's.
        logger: createLogger({ level: opts.logLevel ?? 'info', service: 'api' }, pino.destination('/dev/null')),
        paymentCallbackSecret: 'bench-callback-secret-0123456789',
        passwordLinkSecret: 'bench-password-link-secret-0123456789abcdef',
        webhookSecretKey: 'bench-webhook-secret-key-0123456789abcdef',
        // The per-token limit (600 a minute) would answer 429s; the limiter itself still runs on every request.
        rateLimit: { limit: 1e9, windowMs: 60_000 },
        thinPath: opts.thinPath ?? true,
      });
    const listening = await listen(appWith());
    server = listening.server;
    const owner = creds.owners[0]!;
    const finance = creds.finance[0]!;

    // Warm-up, not counted.
    await loadTest({ url: `${listening.url}/v1/balance`, token: owner, connections: 10, amount: 2000 });
    // GET /healthz is the floor: the same middleware (request log, metrics, request id) with no token and no query.
    const smallRows: string[][] = [];
    const reports = new Map<string, LoadReport>();
    const coresUsed = new Map<string, number>();
    for (const path of flags.small.split(',').filter(Boolean)) {
      const { report: r, cores } = await measured(() => loadTest({ url: `${listening.url}${path}`, token: owner, connections: flags.connections, durationSeconds: flags.duration }));
      reports.set(path, r);
      coresUsed.set(path, cores);
      smallRows.push([`GET ${path}`, fmt(r.requests.average), fmt(r.latency.p50), fmt(r.latency.p90), fmt(r.latency.p99), fmt(r.latency.max), `${r.errors + r.timeouts} / ${r.non2xx}`, fmt(cores, 2)]);
    }
    // The floors under the app, measured the same way in the same run: Express with one route, Node's own server.
    // What the path in front of Express and the request log line cost: the same app without each, same run.
    const variants = flags.variants === 1 ? ([['through Express (thinPath: false)', appWith({ thinPath: false })], ['without the request log line', appWith({ logLevel: 'warn' })]] as const) : [];
    for (const [variant, variantApp] of variants) {
      const other = await listen(variantApp);
      try {
        for (const path of ['/v1/balance', '/healthz']) {
          await loadTest({ url: `${other.url}${path}`, token: owner, connections: 10, amount: 2000 });
          const { report: r, cores } = await measured(() => loadTest({ url: `${other.url}${path}`, token: owner, connections: flags.connections, durationSeconds: flags.duration }));
          smallRows.push([`GET ${path}, ${variant}`, fmt(r.requests.average), fmt(r.latency.p50), fmt(r.latency.p90), fmt(r.latency.p99), fmt(r.latency.max), `${r.errors + r.timeouts} / ${r.non2xx}`, fmt(cores, 2)]);
        }
      } finally {
        other.server.closeAllConnections();
        other.server.close();
      }
    }
    const floors = flags.floors === 1 ? ([[BARE_EXPRESS, bareExpress()], ['bare node:http, one JSON answer', bareNodeHttp()]] as const) : [];
    for (const [name, floor] of floors) {
      const bare = await listenServer(floor);
      try {
        const { report: r, cores } = await measured(() => loadTest({ url: `${bare.url}/ping`, token: owner, connections: flags.connections, durationSeconds: flags.duration }));
        reports.set(name, r);
        coresUsed.set(name, cores);
        smallRows.push([name, fmt(r.requests.average), fmt(r.latency.p50), fmt(r.latency.p90), fmt(r.latency.p99), fmt(r.latency.max), `${r.errors + r.timeouts} / ${r.non2xx}`, fmt(cores, 2)]);
      } finally {
        bare.server.closeAllConnections();
        bare.server.close();
      }
    }
    if (reports.has(BARE_EXPRESS) && reports.has('/healthz') && reports.has('/v1/balance')) recordSmallGets(reports, coresUsed, { connections: flags.connections, durationSeconds: flags.duration });
    printTable(
      `Small GET, ${flags.connections} connections, ${flags.duration} s each (app in one Node process; autocannon in another)`,
      ['request', 'requests/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors / non-2xx', 'app CPU (cores)'],
      smallRows,
    );

    if (flags.lists === 1) await measureLists(db.pool, listening.url, { owner, finance }, flags);
  } finally {
    server?.closeAllConnections();
    server?.close();
    await db.stop();
  }
}

/** GET /v1/orders for each shape: latency over HTTP, and PostgreSQL's own time for its queries. */
async function measureLists(pool: Pool, baseUrl: string, tokens: { owner: string; finance: string }, flags: { orders: number; accounts: number; 'list-connections': number; 'list-requests': number; explain: number }): Promise<void> {
  const rows: string[][] = [];
  const plans: string[] = [];
  let financeDeepestP99 = 0;
  for (const shape of SHAPES) {
    const token = shape.finance ? tokens.finance : tokens.owner;
    const asked = await shapeQuery(baseUrl, token, shape).catch((err: unknown) => {
      rows.push([shape.name, '–', '–', '–', '–', err instanceof Error ? err.message : String(err)]);
      return null;
    });
    if (!asked) continue;
    const url = `${baseUrl}/v1/orders?${asked.query}`;
    await loadTest({ url, token, connections: flags['list-connections'], amount: 20 });
    const load = await loadTest({ url, token, connections: flags['list-connections'], amount: flags['list-requests'] });
    const filter: OrderListFilter = { ...shape.query, accountId: shape.finance ? undefined : benchAccountId(0), pageSize: 20, sort: 'newest', ...(asked.cursor ? { cursor: asked.cursor } : {}) };
    const explained = await explainList(pool, filter);
    plans.push(`-- ${shape.name}\n${explained.plans.join('\n\n')}`);
    // The goal is finance's list at any depth, as the console pages it (by cursor); page 500 by number is shown beside.
    if (shape.finance && (shape.viaCursor || shape.query.page === 1)) financeDeepestP99 = Math.max(financeDeepestP99, load.latency.p99);
    if (shape.finance && !shape.viaCursor && shape.query.page > 1) {
      recordFigure({ id: 'api.orders.financeOffsetPage500P99Ms', label: `GET /v1/orders as finance, ${shape.name}: p99`, value: load.latency.p99, unit: 'ms', conditions: { orders: flags.orders } });
    }
    rows.push([
      shape.name,
      fmt(load.requests.average),
      fmt(load.latency.p50),
      fmt(load.latency.p99),
      `${load.errors + load.timeouts} / ${load.non2xx}`,
      explained.ms.map((m) => fmt(m, 1)).join(' + '),
    ]);
  }
  printTable(
    `GET /v1/orders over ${fmt(flags.orders)} orders across ${fmt(flags.accounts)} accounts (${flags['list-connections']} connection, ${flags['list-requests']} requests each; date range ${RANGE.from}..${RANGE.to})`,
    ['request', 'requests/s', 'p50 ms', 'p99 ms', 'errors / non-2xx', 'PostgreSQL ms: page + count (EXPLAIN ANALYZE)'],
    rows,
  );
  recordFigure({
    id: 'api.orders.financeDeepestP99Ms',
    label: 'GET /v1/orders as finance: the worst p99 over its pages (page 1 and page 500 of 20)',
    value: financeDeepestP99,
    unit: 'ms',
    conditions: { orders: flags.orders, accounts: flags.accounts, requests: flags['list-requests'], connections: flags['list-connections'] },
  });
  if (flags.explain === 1) process.stdout.write(`\n${plans.join('\n\n')}\n`);
}

runMain(main);
