/**
 * One password-link email as a tiny workflow, id {@link passwordLinkEmailWorkflowId} (messages.ts): the id makes a
 * second start for the same link a no-op, and the activity retries until the mail server takes the message.
 */
import { proxyActivities } from '@temporalio/workflow';
import { sideEffects } from '../shared/activity-options';
import type { PasswordLinkActivities, PasswordLinkEmailOutcome } from './activity-types';
import type { PasswordLinkEmailInput } from './messages';

const { sendPasswordLinkEmail } = proxyActivities<PasswordLinkActivities>(sideEffects('PasswordLinkSecretMismatch'));

/** Sends the link's email once. */
export async function passwordLinkEmail(input: PasswordLinkEmailInput): Promise<PasswordLinkEmailOutcome> {
  return sendPasswordLinkEmail(input);
}
