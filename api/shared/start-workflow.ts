/** Starts a workflow by its typed name (workflows/workflow-names.ts): its arguments are checked against its function. */
import type { Client, WorkflowHandle, WorkflowStartOptions } from '@temporalio/client';
import { WORKFLOW_NAMES, type WorkflowFunctions } from '../../workflows/definitions';

/** Starts the workflow `name` with `options` (task queue, id, args typed by the workflow's input). */
export function startWorkflow<N extends keyof WorkflowFunctions>(
  temporal: Client,
  name: N,
  options: WorkflowStartOptions<WorkflowFunctions[N]>,
): Promise<WorkflowHandle<WorkflowFunctions[N]>> {
  return temporal.workflow.start<WorkflowFunctions[N]>(WORKFLOW_NAMES[name], options);
}
