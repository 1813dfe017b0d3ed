/**
 * Settings of the cluster profile only (`npm run start:cluster`), from environment variables validated with zod
 * like config/settings.ts; every other setting (PORT, DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_UI_PORT, …) is
 * the same as `npm start`'s. The Temporal server reads its ports from these variables through its config
 * template (config/temporal/server.yaml), so the defaults here are that file's defaults.
 */
import { z } from 'zod';
import { SettingsError } from '../../config/settings';

const port = z.coerce.number({ error: 'must be a port number from 1 to 65535' }).int('must be a port number from 1 to 65535').min(1).max(65535);
/**
 * The server stores each service's membership port in PostgreSQL as a `smallint` (cluster_membership.rpc_port):
 * a port above 32767 fails every membership write and the server never becomes healthy.
 */
const membershipPort = z.coerce
  .number({ error: 'must be a port number from 1 to 32767' })
  .int('must be a port number from 1 to 32767')
  .min(1, 'must be a port number from 1 to 32767')
  .max(32_767, 'must be a port number from 1 to 32767 (the server stores it as a PostgreSQL smallint)');
const count = (max: number) => z.coerce.number({ error: `must be a whole number from 1 to ${max}` }).int(`must be a whole number from 1 to ${max}`).min(1, `must be a whole number from 1 to ${max}`).max(max, `must be a whole number from 1 to ${max}`);

/** Days a closed order's history is kept by default: past the longest dispute of a paid top-up we expect ops to debug from it; the read model and the ledger keep the order for good. */
export const DEFAULT_RETENTION_DAYS = 30;

const ClusterSettingsSchema = z.object({
  /** The frontend's HTTP API (the gRPC port is TEMPORAL_ADDRESS's). */
  TEMPORAL_FRONTEND_HTTP_PORT: port.default(7243),
  TEMPORAL_HISTORY_PORT: port.default(7234),
  TEMPORAL_MATCHING_PORT: port.default(7235),
  TEMPORAL_WORKER_PORT: port.default(7239),
  TEMPORAL_FRONTEND_MEMBERSHIP_PORT: membershipPort.default(6933),
  TEMPORAL_HISTORY_MEMBERSHIP_PORT: membershipPort.default(6934),
  TEMPORAL_MATCHING_MEMBERSHIP_PORT: membershipPort.default(6935),
  TEMPORAL_WORKER_MEMBERSHIP_PORT: membershipPort.default(6939),
  /** The server's Prometheus endpoint, http://127.0.0.1:<port>/metrics. */
  TEMPORAL_METRICS_PORT: port.default(8000),
  /** Days a closed order's workflow history is kept (the namespace's retention). */
  TEMPORAL_RETENTION_DAYS: count(3650).default(DEFAULT_RETENTION_DAYS),
  /** Temporal worker processes. */
  CLUSTER_WORKERS: count(16).default(2),
  /** API processes sharing the API port (Node's cluster module). */
  CLUSTER_APIS: count(16).default(2),
});

/** Validated cluster settings. */
export type ClusterSettings = z.infer<typeof ClusterSettingsSchema>;

/** Reads and validates the cluster settings from `env`; a bad one is named with its rule. */
export function loadClusterSettings(env: NodeJS.ProcessEnv = process.env): ClusterSettings {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = ClusterSettingsSchema.safeParse(defined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
