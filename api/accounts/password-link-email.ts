/** Asks for a password link's email: the workflow that sends it once (workflows/accounts/password-link-email.ts). */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { passwordLinkEmailWorkflowId } from '../../workflows/definitions';
import { startWorkflow } from '../shared/start-workflow';

/** Starts the email of link `linkId`; a second request for the same link changes nothing. */
export async function requestPasswordLinkEmail(temporal: Client, taskQueue: string, linkId: string): Promise<void> {
  try {
    await startWorkflow(temporal, 'passwordLinkEmail', {
      taskQueue,
      workflowId: passwordLinkEmailWorkflowId(linkId),
      args: [{ linkId }],
      staticSummary: `Password link email ${linkId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}
