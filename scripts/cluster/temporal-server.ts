/**
 * The Temporal server of the cluster profile: frontend, history, matching and worker services in one process,
 * configured by config/temporal/server.yaml (a template the server renders from the variables set here) and
 * config/temporal/dynamicconfig.yaml, persisting to the two databases temporal-schema.ts prepared.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { projectRoot } from '../../config/paths';
import type { Settings } from '../../config/settings';
import { prefixOutput, stopChild, type Started } from '../dev-stack';
import { resolveTemporalServer } from '../temporal-binaries';
import type { ClusterSettings } from './cluster-settings';
import type { TemporalDbTarget } from './temporal-schema';

/** The folder of the server's and the UI server's config files, relative to the project root (`--config`). */
export const TEMPORAL_CONFIG_DIR = 'config/temporal';
/** The server's arguments after `--root` (docker-compose.yml runs the same). */
export const SERVER_ARGS = ['--config', TEMPORAL_CONFIG_DIR, '--env', 'server', '--allow-no-auth', 'start'];
/** The UI server's arguments after `--root`. */
export const UI_SERVER_ARGS = ['--config', TEMPORAL_CONFIG_DIR, '--env', 'ui', 'start'];
/** The dynamic config file both the cluster profile and docker-compose.yml give the server. */
export const DYNAMIC_CONFIG_FILE = path.join(projectRoot(), TEMPORAL_CONFIG_DIR, 'dynamicconfig.yaml');

/** The variables config/temporal/server.yaml reads. */
export function serverEnv(settings: Settings, cluster: ClusterSettings, db: TemporalDbTarget): NodeJS.ProcessEnv {
  const [host, frontendPort] = settings.TEMPORAL_ADDRESS.split(':');
  return {
    PATH: process.env.PATH,
    TEMPORAL_LOG_LEVEL: settings.LOG_LEVEL === 'debug' || settings.LOG_LEVEL === 'trace' ? 'info' : 'warn',
    TEMPORAL_DB_HOST: db.host,
    TEMPORAL_DB_PORT: String(db.port),
    TEMPORAL_DB_USER: db.user,
    TEMPORAL_DB_PASSWORD: db.password,
    TEMPORAL_BIND_ON_IP: host === 'localhost' ? '127.0.0.1' : host,
    TEMPORAL_BROADCAST_ADDRESS: host === 'localhost' ? '127.0.0.1' : host,
    TEMPORAL_FRONTEND_PORT: frontendPort,
    TEMPORAL_FRONTEND_HTTP_PORT: String(cluster.TEMPORAL_FRONTEND_HTTP_PORT),
    TEMPORAL_HISTORY_PORT: String(cluster.TEMPORAL_HISTORY_PORT),
    TEMPORAL_MATCHING_PORT: String(cluster.TEMPORAL_MATCHING_PORT),
    TEMPORAL_WORKER_PORT: String(cluster.TEMPORAL_WORKER_PORT),
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(cluster.TEMPORAL_FRONTEND_MEMBERSHIP_PORT),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(cluster.TEMPORAL_HISTORY_MEMBERSHIP_PORT),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(cluster.TEMPORAL_MATCHING_MEMBERSHIP_PORT),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: String(cluster.TEMPORAL_WORKER_MEMBERSHIP_PORT),
    TEMPORAL_METRICS_PORT: String(cluster.TEMPORAL_METRICS_PORT),
    TEMPORAL_DYNAMIC_CONFIG_FILE: DYNAMIC_CONFIG_FILE,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const GRPC_NOT_FOUND = 5;

/**
 * True once the frontend is SERVING and its history and matching services answer through it: a describe of a
 * workflow that does not exist comes back NOT_FOUND from history, and a task queue describe from matching. The
 * frontend alone can be up while the ring has no history or matching host yet ("Not enough hosts to serve the
 * request"), as after a restore whose membership table still lists the old cluster's hosts.
 */
async function serving(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 2_000 });
  try {
    const health = await connection.healthService.check({ service: 'temporal.api.workflowservice.v1.WorkflowService' });
    if (health.status !== 1) return false; // SERVING
    const namespace = 'temporal-system';
    try {
      await connection.workflowService.describeWorkflowExecution({ namespace, execution: { workflowId: 'topup-readiness-probe' } });
    } catch (err) {
      if ((err as { code?: number }).code !== GRPC_NOT_FOUND) throw err;
    }
    await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: 'topup-readiness-probe' } });
    return true;
  } finally {
    await connection.close();
  }
}

/** Resolves once the server serves (serving() above); rejects after `timeoutMs`, or when `exited` rejects. */
export async function waitForServing(address: string, timeoutMs: number, exited?: Promise<never>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const attempt = serving(address).catch((err: unknown) => {
      last = err instanceof Error ? err.message : String(err);
      return false;
    });
    if (await (exited ? Promise.race([attempt, exited]) : attempt)) return;
    if (Date.now() > deadline) throw new Error(`the Temporal server at ${address} is not serving after ${timeoutMs} ms (${last})`);
    await sleep(500);
  }
}

/** Starts the server and waits until its frontend is serving. */
export async function startTemporalServer(settings: Settings, cluster: ClusterSettings, db: TemporalDbTarget): Promise<Started> {
  const server = await resolveTemporalServer();
  // --root must be absolute: the server reads <root>/<config>/<env>.yaml and has no --config-file flag.
  const args = ['--root', projectRoot(), ...SERVER_ARGS];
  const child: ChildProcess = spawn(server.path, args, { env: serverEnv(settings, cluster, db), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  prefixOutput(child, 'temporal');
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the Temporal server exited with code ${code}`))));
  exited.catch(() => undefined);
  const stop = () => stopChild(child, 20_000);
  try {
    await waitForServing(settings.TEMPORAL_ADDRESS, 120_000, exited);
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, stop };
}
