/** The time-skipping test environment and a worker on it, with the real activities. */
import { randomBytes } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogEntry, type Worker } from '@temporalio/worker';
import { explainMissingServer, toSdkExecutable, type ResolvedExecutable } from '../../scripts/temporal-binaries';
import { createTopupWorker } from '../../worker/create-worker';
import type { Activities, ActivityDeps } from '../../activities';
import { registerSearchAttributes } from '../../worker/search-attributes';

let runtimeInstalled = false;
const requestLogs: LogEntry[] = [];

/** Worker log lines (workflow and activity) that carried a request id, for tests of its propagation. */
export function logsWithRequestId(requestId: string): LogEntry[] {
  return requestLogs.filter((e) => e.meta?.requestId === requestId);
}

/** Prints warnings and errors only; keeps every line that carries a request id. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const printed = new DefaultLogger('WARN');
  const logger = new DefaultLogger('DEBUG', (entry) => {
    if (entry.meta?.requestId !== undefined && requestLogs.length < 10_000) requestLogs.push(entry);
    if (entry.level === 'WARN' || entry.level === 'ERROR') printed.log(entry.level, entry.message, entry.meta);
  });
  Runtime.install({ logger, shutdownSignals: [] });
}

/** Starts a time-skipping environment on the Java test server resolved by global-setup. */
export async function startTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const resolved = JSON.parse(process.env.TOPUP_TEST_SERVER ?? 'null') as ResolvedExecutable | null;
  if (!resolved) throw new Error('TOPUP_TEST_SERVER is not set: run the tests through jest (test/global-setup.ts)');
  let env: TestWorkflowEnvironment | undefined;
  // The SDK gives the server 5 s to answer; a JVM starting on a machine at load 15+ can take longer, so a start
  // that timed out is tried again (up to three times) rather than failing the whole test file.
  for (let attempt = 1; !env; attempt += 1) {
    try {
      env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: toSdkExecutable(resolved) } });
    } catch (err) {
      if (attempt < 3 && /did not start within/.test(String(err))) continue;
      throw explainMissingServer('test-server', err);
    }
  }
  try {
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/** A unique task queue, so test files never share workers. */
export function uniqueTaskQueue(prefix = 'test'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** A worker with the real activities on the pre-built workflow bundle. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  deps: ActivityDeps,
  wrapActivities?: (activities: Activities) => Activities,
  tuning?: { maxCachedWorkflows?: number },
): Promise<Worker> {
  const codePath = process.env.TOPUP_WORKFLOW_BUNDLE;
  return createTopupWorker({
    connection: env.nativeConnection,
    client: env.client,
    taskQueue,
    deps,
    ...(wrapActivities ? { wrapActivities } : {}),
    ...(tuning ? { tuning } : {}),
    ...(codePath ? { workflowBundle: { codePath } } : {}),
  });
}
