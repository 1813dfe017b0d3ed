/**
 * The worker's Temporal Runtime: every SDK, workflow, activity and core log line goes through pino as JSON
 * (with the workflow id, run id, activity type and request id the SDK and our interceptors attach), and the
 * SDK's metrics plus the worker's own (worker/activity-metrics.ts) are served for Prometheus on one port.
 */
import { Runtime, type LogLevel, type LogMetadata, type Logger } from '@temporalio/worker';
import type { Level, Logger as PinoLogger } from 'pino';
import { SettingsError } from '../config/settings';

const TO_PINO: Record<LogLevel, Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The Runtime logger: forwards to pino, levels mapped one to one. */
export class PinoRuntimeLogger implements Logger {
  constructor(private readonly pino: PinoLogger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[TO_PINO[level]](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The Temporal level at which core (Rust) log lines are forwarded, following the pino level. */
function coreLevel(pino: PinoLogger): LogLevel {
  const level = pino.level;
  if (level === 'trace') return 'TRACE';
  if (level === 'debug') return 'DEBUG';
  if (level === 'info') return 'INFO';
  if (level === 'warn') return 'WARN';
  return 'ERROR';
}

/** `host:port` for a socket address; an IPv6 host goes in brackets. */
export function socketAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Installs the Runtime once per process, before any connection or worker is created. */
export function installWorkerRuntime(opts: { logger: PinoLogger; metricsHost: string; metricsPort: number }): Runtime {
  let runtime: Runtime;
  try {
    runtime = Runtime.install({
      logger: new PinoRuntimeLogger(opts.logger),
      // The worker handles its own shutdown signals (worker/main.ts).
      shutdownSignals: [],
      telemetryOptions: {
        logging: { filter: { core: coreLevel(opts.logger), other: 'ERROR' }, forward: {} },
        metrics: { prometheus: { bindAddress: socketAddress(opts.metricsHost, opts.metricsPort) } },
      },
    });
  } catch (err) {
    // In practice the port is taken (another worker on this host), or the host is not an address of this
    // machine: name the settings that choose them.
    const reason = err instanceof Error ? err.message : String(err);
    throw new SettingsError(
      `Invalid configuration:\n  WORKER_METRICS_PORT: ${opts.metricsPort} cannot serve the worker's metrics on WORKER_METRICS_HOST ${opts.metricsHost} (${reason})`,
    );
  }
  // The Node.js the worker runs on, under the name and labels prom-client gives the API's (nodejs_version_info).
  const [major, minor, patch] = process.versions.node.split('.');
  runtime.metricMeter.createGauge('nodejs_version_info', 'int', '', 'Node.js version info.').set(1, { version: process.version, major: major!, minor: minor!, patch: patch! });
  return runtime;
}
