/**
 * The environment of a cluster-profile stack that shares nothing with another on the same machine, for the
 * tests, the fault campaign and the benchmarks: isolatedStackEnv's (free ports, its own data folder, embedded
 * defaults) plus free ports for the Temporal server's services and the second worker's metrics.
 */
import net from 'node:net';
import { isolatedStackEnv, type IsolatedStack } from '../stack-env';

/** True when nothing listens on 127.0.0.1:port and we may bind it. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports in [10000, 32767]. The range is below the kernel's ephemeral ports (so a port
 * found free is not taken a moment later by someone's outgoing connection) and fits the PostgreSQL smallint in
 * which the Temporal server records its membership ports.
 */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const base = 10_000 + Math.floor(Math.random() * (32_767 - 10_000 - count));
    let free = true;
    for (let p = base; p < base + count && free; p += 1) free = await canBind(p);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found in 10000-32767`);
}

/** An isolated cluster stack's environment and where to reach it. */
export interface IsolatedCluster extends IsolatedStack {
  /** The UI server's base URL. */
  uiUrl: string;
  /** The Temporal server's Prometheus endpoint. */
  temporalMetricsUrl: string;
  /** Each worker's Prometheus endpoint. */
  workerMetricsUrls: string[];
}

/** The environment of a cluster keeping its state in `dataDir`, with `policyFile` if given. */
export async function isolatedClusterEnv(dataDir: string, policyFile?: string, workers = 2): Promise<IsolatedCluster> {
  const stack = await isolatedStackEnv(dataDir, policyFile);
  // frontend gRPC and HTTP, history, matching, worker, four membership ports, metrics, UI, then the workers' metrics.
  const base = await freePortBlock(11 + workers);
  const at = (k: number) => String(base + k);
  const env: NodeJS.ProcessEnv = {
    ...stack.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${at(0)}`,
    TEMPORAL_FRONTEND_HTTP_PORT: at(1),
    TEMPORAL_HISTORY_PORT: at(2),
    TEMPORAL_MATCHING_PORT: at(3),
    TEMPORAL_WORKER_PORT: at(4),
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: at(5),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: at(6),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: at(7),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: at(8),
    TEMPORAL_METRICS_PORT: at(9),
    TEMPORAL_UI_PORT: at(10),
    WORKER_METRICS_PORT: at(11),
    CLUSTER_WORKERS: String(workers),
  };
  return {
    ...stack,
    env,
    temporalAddress: `127.0.0.1:${at(0)}`,
    uiUrl: `http://127.0.0.1:${at(10)}`,
    temporalMetricsUrl: `http://127.0.0.1:${at(9)}/metrics`,
    workerMetricsUrl: `http://127.0.0.1:${at(11)}/metrics`,
    workerMetricsUrls: Array.from({ length: workers }, (_, k) => `http://127.0.0.1:${base + 11 + k}/metrics`),
  };
}
