/** The email of a one-time password link (an invitation, a setup link, a reset): its input and workflow id. */

/** Input of the email workflow: the link's id alone, so no token is ever in a workflow history. */
export interface PasswordLinkEmailInput {
  linkId: string;
}

/** Workflow id of a link's email: a second start for the same link is refused by Temporal, so it is sent once. */
export function passwordLinkEmailWorkflowId(linkId: string): string {
  return `password-link-${linkId}`;
}
