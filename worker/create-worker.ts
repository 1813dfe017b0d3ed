/**
 * Creates the top-up worker: the bundled workflows plus the activities built from real dependencies.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities, type ActivityDeps } from '../activities';
import { TASK_QUEUE } from '../workflows/definitions';
import { requestIdActivityInterceptors } from './activity-interceptors';
import { activityMetricsInterceptors, countEmailFailures } from './activity-metrics';
import { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from './workflow-bundle';

/** Options for {@link createTopupWorker}. */
export interface TopupWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  deps: ActivityDeps;
  /** A client of the same Temporal service and namespace, for the workflows activities start (payment exceptions). */
  client: Client;
  /**
   * A prebuilt bundle (tests build one per run; worker/main.ts one in a child process at start); otherwise the
   * workflows are bundled from source in this process.
   */
  workflowBundle?: { codePath: string } | { code: string };
  /** Wraps the real activities, e.g. to inject a fault around them in a test. */
  wrapActivities?: (activities: Activities) => Activities;
  /** Extra worker options (tuning, identity). */
  tuning?: Partial<Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'identity'>>;
}

export { WORKFLOW_INTERCEPTORS_PATH, WORKFLOWS_PATH } from './workflow-bundle';

/** Builds a worker that serves the top-up task queue. */
export async function createTopupWorker(opts: TopupWorkerOptions): Promise<Worker> {
  const taskQueue = opts.taskQueue ?? TASK_QUEUE;
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: (opts.wrapActivities ?? ((a) => a))(createActivities({ ...opts.deps, mailer: countEmailFailures(opts.deps.mailer), temporal: opts.client, taskQueue })),
    // A prebuilt bundle already holds the workflow interceptors (bundleWorkflowCode's workflowInterceptorModules).
    interceptors: { ...(opts.workflowBundle ? {} : { workflowModules: [WORKFLOW_INTERCEPTORS_PATH] }), activity: [requestIdActivityInterceptors, activityMetricsInterceptors] },
    // In-flight activities (a ledger posting, an email) get this long to finish on shutdown.
    shutdownGraceTime: '30s',
    ...opts.tuning,
  });
}
