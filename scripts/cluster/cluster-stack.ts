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
import { loadSettings } from '../../config/settings';
import { migrate } from '../../db/migrate';
import { socketAddress } from '../../worker/runtime';
import { seedDemoData, type DemoCredential } from '../demo-seed';
import { asStarted, log, main, printBanner, restartable, startGateway, startMail, startNodeChild, startPostgres, type StackProcess, type StackProcessName, type Started, type Stopper } from '../dev-stack';
import { TEMPORAL_SERVER_VERSION } from '../temporal-binaries';
import { startApiProcess } from './api-processes';
import { loadClusterSettings } from './cluster-settings';
import { ensureNamespace } from './namespace';
import { applyTemporalSchema, dbTargetOf } from './temporal-schema';
import { startTemporalServer, TEMPORAL_CONFIG_DIR } from './temporal-server';
import { startUiServer } from './ui-server';

/** A restartable process of the cluster, with its name among its kind's (`worker-2`). */
export type ClusterProcess = StackProcess & { readonly label: string };

/** Stops the whole cluster when called; `processes` are its restartable children by kind. */
export type ClusterStack = Stopper & { processes: Record<StackProcessName, ClusterProcess[]> };

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
  fs.mkdirSync(settings.DATA_DIR, { recursive: true });
  const stoppers: Stopper[] = [];
  const stopAll: Stopper = async () => {
    for (const stop of stoppers.reverse()) await stop().catch((err: unknown) => log(`stop failed: ${String(err)}`));
    stoppers.length = 0;
  };
  const processes: ClusterStack['processes'] = { temporal: [], postgres: [], worker: [], api: [] };
  /** Registers a started child as restartable by `start`; its stopper stops whichever child is current. */
  const track = (kind: StackProcessName, label: string, first: Started, start: () => Promise<Started>): Stopper => {
    const r = restartable(kind, first, start);
    processes[kind].push({ ...r.process, label });
    return r.stop;
  };
  try {
    const [pg, mail, gateway] = await Promise.all([startPostgres(settings), startMail(settings), startGateway(settings)]);
    stoppers.push(pg.child ? track('postgres', 'postgres', asStarted(pg), () => startPostgres(settings).then(asStarted)) : pg.stop, mail.stop, gateway.stop);

    const db = dbTargetOf(pg.url);
    await applyTemporalSchema(db);
    log(`Temporal schemas up to date in databases temporal and temporal_visibility on ${db.host}:${db.port}`);
    const startServer = () => startTemporalServer(settings, cluster, db);
    stoppers.push(track('temporal', 'temporal', await startServer(), startServer));
    const ns = await ensureNamespace(settings.TEMPORAL_ADDRESS, settings.TEMPORAL_NAMESPACE, cluster.TEMPORAL_RETENTION_DAYS);
    if (ns.namespaceAdded) log(`namespace ${settings.TEMPORAL_NAMESPACE} registered (retention ${cluster.TEMPORAL_RETENTION_DAYS} days)`);
    if (ns.searchAttributesAdded.length) log(`search attributes registered: ${ns.searchAttributesAdded.join(', ')}`);

    const pool = new Pool({ connectionString: pg.url, max: 2 });
    let creds: DemoCredential[];
    try {
      const [ui, applied] = await Promise.all([startUiServer(settings), migrate(pool)]);
      stoppers.push(ui.stop);
      if (applied.length) log(`migrations applied: ${applied.join(', ')}`);
      creds = await seedDemoData(pool);
    } finally {
      await pool.end();
    }

    const childEnv = { ...env, DATABASE_URL: pg.url, SMTP_URL: mail.url, TEMPORAL_ADDRESS: settings.TEMPORAL_ADDRESS, PAYMENT_GATEWAY_URL: gateway.url };
    const workerMetrics: string[] = [];
    for (let i = 1; i <= cluster.CLUSTER_WORKERS; i += 1) {
      const metricsPort = settings.WORKER_METRICS_PORT + i - 1;
      workerMetrics.push(`http://${socketAddress(settings.WORKER_METRICS_HOST, metricsPort)}/metrics`);
      const workerEnv = { ...childEnv, WORKER_METRICS_PORT: String(metricsPort) };
      const startWorker = async () => startNodeChild(`worker-${i}`, 'worker/main.js', workerEnv, [`--max-old-space-size=${settings.WORKER_HEAP_MB}`]);
      stoppers.push(track('worker', `worker-${i}`, await startWorker(), startWorker));
    }
    const apis = await Promise.all(Array.from({ length: cluster.CLUSTER_APIS }, (_, k) => startApiProcess(k + 1, childEnv)));
    apis.forEach((api, k) => stoppers.push(track('api', `api-${k + 1}`, api, () => startApiProcess(k + 1, childEnv))));

    printBanner(settings, creds, gateway.url, {
      temporal: `${settings.TEMPORAL_ADDRESS} (namespace ${settings.TEMPORAL_NAMESPACE}; Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL, ${historyShards()} history shards; ${cluster.CLUSTER_WORKERS} workers, ${cluster.CLUSTER_APIS} API processes on one port)`,
      metrics: `http://localhost:${settings.PORT}/metrics (API), ${workerMetrics.join(', ')} (workers), http://127.0.0.1:${cluster.TEMPORAL_METRICS_PORT}/metrics (Temporal server)`,
    });
    return Object.assign(stopAll, { processes });
  } catch (err) {
    await stopAll();
    throw err;
  }
}

if (require.main === module) main(() => startClusterStack());
