/**
 * `npm run start:cluster`: the production topology on one machine. PostgreSQL (embedded unless DATABASE_URL)
 * holds the app's database and Temporal's two (schemas created or upgraded by the SQL tool at each start); the
 * Temporal server (its four services in one process) and the UI server on TEMPORAL_UI_PORT; the namespace with
 * its retention and search attributes; the SMTP sink and the sandbox gateway as in `npm start`; then
 * CLUSTER_WORKERS workers and CLUSTER_APIS API processes sharing the API port. Ctrl-C stops them in reverse
 * order: the APIs drain their requests, the workers their activities, then the servers and PostgreSQL.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Pool } from 'pg';
import { loadPolicy } from '../../config/policy-file';
import { projectRoot } from '../../config/paths';
import { loadSettings, type Settings } from '../../config/settings';
import { migrate } from '../../db/migrate';
import { socketAddress } from '../../worker/runtime';
import { seedDemoData, type DemoCredential } from '../demo-seed';
import {
  asStarted,
  checkUrlsAnswer,
  log,
  main,
  printBanner,
  restartable,
  StackStartError,
  stackUrls,
  startGateway,
  startMail,
  startNodeChild,
  startPostgres,
  waitForWorkerPolling,
  workerStart,
  type StackProcess,
  type StackProcessName,
  type Started,
  type Stopper,
} from '../dev-stack';
import { portInUse, waitForHttp } from '../net';
import { TEMPORAL_SERVER_VERSION, TemporalBinaryMissingError } from '../temporal-binaries';
import { startApiProcess } from './api-processes';
import { loadClusterSettings, type ClusterSettings } from './cluster-settings';
import { ensureNamespace } from './namespace';
import { applyTemporalSchema, dbTargetOf } from './temporal-schema';
import { startTemporalServer, TEMPORAL_CONFIG_DIR } from './temporal-server';
import { startUiServer } from './ui-server';

/** A restartable process of the cluster, with its name among its kind's (`worker-2`). */
export type ClusterProcess = StackProcess & { readonly label: string };

/** Stops the whole cluster when called; `processes` are its restartable children by kind. */
export type ClusterStack = Stopper & { processes: Record<StackProcessName, ClusterProcess[]> };

/** `work` (a part of the cluster starting), turned into the one line naming the part and its settings when it fails. */
async function clusterPart<T>(label: string, settings: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof StackStartError || err instanceof TemporalBinaryMissingError) throw err;
    throw new StackStartError(`${label} did not come up (${err instanceof Error ? err.message : String(err)}); check ${settings}`);
  }
}

/**
 * Refuses to start when a port of the cluster's own (the Temporal server's, the UI's, the workers' metrics) is
 * taken or named twice; PostgreSQL, the SMTP sink, the gateway and the API check theirs as they start.
 */
async function checkClusterPorts(settings: Settings, cluster: ClusterSettings): Promise<void> {
  const claims: [string, number][] = [
    ['TEMPORAL_ADDRESS', Number(settings.TEMPORAL_ADDRESS.split(':')[1])],
    ['TEMPORAL_FRONTEND_HTTP_PORT', cluster.TEMPORAL_FRONTEND_HTTP_PORT],
    ['TEMPORAL_HISTORY_PORT', cluster.TEMPORAL_HISTORY_PORT],
    ['TEMPORAL_MATCHING_PORT', cluster.TEMPORAL_MATCHING_PORT],
    ['TEMPORAL_WORKER_PORT', cluster.TEMPORAL_WORKER_PORT],
    ['TEMPORAL_FRONTEND_MEMBERSHIP_PORT', cluster.TEMPORAL_FRONTEND_MEMBERSHIP_PORT],
    ['TEMPORAL_HISTORY_MEMBERSHIP_PORT', cluster.TEMPORAL_HISTORY_MEMBERSHIP_PORT],
    ['TEMPORAL_MATCHING_MEMBERSHIP_PORT', cluster.TEMPORAL_MATCHING_MEMBERSHIP_PORT],
    ['TEMPORAL_WORKER_MEMBERSHIP_PORT', cluster.TEMPORAL_WORKER_MEMBERSHIP_PORT],
    ['TEMPORAL_METRICS_PORT', cluster.TEMPORAL_METRICS_PORT],
    ['TEMPORAL_UI_PORT', settings.TEMPORAL_UI_PORT],
    ['PORT', settings.PORT],
    ...Array.from({ length: cluster.CLUSTER_WORKERS }, (_, i): [string, number] => [`WORKER_METRICS_PORT (+${i}, worker ${i + 1})`, settings.WORKER_METRICS_PORT + i]),
  ];
  const problems: string[] = [];
  for (const [i, [setting, port]] of claims.entries()) {
    const twin = claims.slice(0, i).find(([, p]) => p === port);
    if (twin) problems.push(`${twin[0]} and ${setting} are both ${port} (give each its own port)`);
    else if (await portInUse(port)) problems.push(`port ${port} (${setting}) is held by another process (set ${setting.split(' ')[0]} to a free port, or stop that process)`);
  }
  if (problems.length) throw new StackStartError(problems.join('; '));
}

/** The history shard count written in config/temporal/server.yaml (fixed for the life of a cluster). */
export function historyShards(): number {
  const text = fs.readFileSync(path.join(projectRoot(), TEMPORAL_CONFIG_DIR, 'server.yaml'), 'utf8');
  const m = /^\s*numHistoryShards:\s*(\d+)\s*$/m.exec(text);
  if (!m?.[1]) throw new Error(`numHistoryShards is not a number in ${TEMPORAL_CONFIG_DIR}/server.yaml`);
  return Number(m[1]);
}

/** Starts the cluster; resolves with a function that stops it all in reverse order. */
export async function startClusterStack(env: NodeJS.ProcessEnv = process.env): Promise<ClusterStack> {
  const settings = loadSettings(env);
  const cluster = loadClusterSettings(env);
  loadPolicy(settings.TOPUP_POLICY_FILE); // fail fast on a bad policy file, before anything starts
  await checkClusterPorts(settings, cluster);
  fs.mkdirSync(settings.DATA_DIR, { recursive: true });
  const stoppers: Stopper[] = [];
  const stopAll: Stopper = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err: unknown) => log(`stop failed: ${String(err)}`));
    stoppers.length = 0;
  };
  const processes: ClusterStack['processes'] = { temporal: [], postgres: [], gateway: [], worker: [], api: [] };
  /** Registers a started child as restartable by `start`; the stack's stop stops whichever child is current. */
  const track = (kind: StackProcessName, label: string, first: Started, start: () => Promise<Started>): void => {
    const r = restartable(kind, first, start);
    processes[kind].push({ ...r.process, label });
    stoppers[stoppers.indexOf(first.stop)] = r.stop;
  };
  try {
    // As in npm start: every part's stop is kept once it has started, and all three are waited for.
    const keep = <T extends { stop: Stopper }>(part: Promise<T>) => part.then((p) => (stoppers.push(p.stop), p));
    const parts = [keep(startPostgres(settings)), keep(startMail(settings)), keep(startGateway(settings))] as const;
    await Promise.allSettled(parts);
    const [pg, mail, gateway] = await Promise.all(parts);
    if (pg.child) track('postgres', 'postgres', asStarted(pg), () => startPostgres(settings).then(asStarted));
    if (gateway.child) track('gateway', 'gateway', asStarted(gateway), () => startGateway(settings).then(asStarted));

    const db = dbTargetOf(pg.url);
    await clusterPart("Temporal's schema step (temporal-sql-tool)", 'DATABASE_URL (its user needs CREATEDB) or TEMPORAL_SQL_TOOL_PATH', () => applyTemporalSchema(db));
    log(`Temporal schemas up to date in databases temporal and temporal_visibility on ${db.host}:${db.port}`);
    const serverSettings = 'TEMPORAL_ADDRESS, the TEMPORAL_*_PORT settings or TEMPORAL_SERVER_PATH';
    const startServer = () => clusterPart(`the Temporal server ${TEMPORAL_SERVER_VERSION}`, serverSettings, () => startTemporalServer(settings, cluster, db));
    const server = await startServer();
    stoppers.push(server.stop);
    track('temporal', 'temporal', server, startServer);
    const ns = await clusterPart(`namespace ${settings.TEMPORAL_NAMESPACE}`, 'TEMPORAL_NAMESPACE', () => ensureNamespace(settings.TEMPORAL_ADDRESS, settings.TEMPORAL_NAMESPACE, cluster.TEMPORAL_RETENTION_DAYS));
    if (ns.namespaceAdded) log(`namespace ${settings.TEMPORAL_NAMESPACE} registered (retention ${cluster.TEMPORAL_RETENTION_DAYS} days)`);
    if (ns.searchAttributesAdded.length) log(`search attributes registered: ${ns.searchAttributesAdded.join(', ')}`);

    const pool = new Pool({ connectionString: pg.url, max: 2 });
    let creds: DemoCredential[];
    try {
      const [, applied] = await Promise.all([keep(clusterPart('the Temporal UI server', 'TEMPORAL_UI_PORT or TEMPORAL_UI_SERVER_PATH', () => startUiServer(settings))), migrate(pool)]);
      if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
      creds = await seedDemoData(pool, settings.PASSWORD_LINK_SECRET);
    } finally {
      await pool.end();
    }

    const childEnv = { ...env, DATABASE_URL: pg.url, SMTP_URL: mail.url, TEMPORAL_ADDRESS: settings.TEMPORAL_ADDRESS, PAYMENT_GATEWAY_URL: gateway.url, WEBHOOK_URLS: env.WEBHOOK_URLS ?? 'https-or-local-http' };
    const workerMetrics: string[] = [];
    for (let i = 1; i <= cluster.CLUSTER_WORKERS; i += 1) {
      const metricsPort = settings.WORKER_METRICS_PORT + i - 1;
      workerMetrics.push(`http://${socketAddress(settings.WORKER_METRICS_HOST, metricsPort)}/metrics`);
      const workerEnv = { ...childEnv, WORKER_METRICS_PORT: String(metricsPort) };
      const start = workerStart(settings, workerEnv);
      const startWorker = async () => startNodeChild(`worker-${i}`, 'worker/main.js', start.env, start.nodeArgs);
      const worker = await startWorker();
      stoppers.push(worker.stop);
      // The first start waits until the worker polls; a restart (the fault campaign's) does not, as in npm start.
      await clusterPart(`worker ${i}`, `WORKER_METRICS_PORT (worker ${i} serves metrics on it + ${i - 1}), or the setting its output names`, () =>
        waitForWorkerPolling(settings, settings.TEMPORAL_ADDRESS, worker.child.pid!, 180_000),
      );
      track('worker', `worker-${i}`, worker, startWorker);
    }
    for (let n = 1; n <= cluster.CLUSTER_APIS; n += 1) {
      const startApi = () => clusterPart(`API process ${n}`, 'PORT, or the setting its output names', () => startApiProcess(n, childEnv, settings.API_SEMI_SPACE_MB));
      const api = await startApi();
      stoppers.push(api.stop);
      track('api', `api-${n}`, api, startApi);
    }

    // "Up" only once every URL the banner prints answers, as npm start does, the other workers' and the server's too.
    const urls = stackUrls(settings, gateway.url, mail.url);
    const serverMetrics = `http://127.0.0.1:${cluster.TEMPORAL_METRICS_PORT}/metrics`;
    await checkUrlsAnswer(settings, urls);
    for (const url of [...workerMetrics.slice(1), serverMetrics]) await clusterPart(url, 'the settings of the process serving it', () => waitForHttp(url, 30_000));
    printBanner(settings, creds, urls, {
      temporal: `${settings.TEMPORAL_ADDRESS} (namespace ${settings.TEMPORAL_NAMESPACE}; Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL, ${historyShards()} history shards; ${cluster.CLUSTER_WORKERS} workers, ${cluster.CLUSTER_APIS} API processes on one port)`,
      metrics: `${urls.apiMetrics} (API), ${workerMetrics.join(', ')} (workers), ${serverMetrics} (Temporal server)`,
    });
    return Object.assign(stopAll, { processes });
  } catch (err) {
    await stopAll();
    throw err;
  }
}

if (require.main === module) main(() => startClusterStack(), 'restart-it');
