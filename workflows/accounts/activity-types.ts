/** The activities the password-link email workflow calls (activities/accounts implements them). */
import type { PasswordLinkEmailInput } from './messages';

/** What became of a link's email. */
export type PasswordLinkEmailOutcome = 'sent' | 'already-sent' | 'link-no-longer-valid';

export interface PasswordLinkActivities {
  /** Emails the link to its user, once; a link used, voided or expired meanwhile is not sent. */
  sendPasswordLinkEmail(input: PasswordLinkEmailInput): Promise<PasswordLinkEmailOutcome>;
}
