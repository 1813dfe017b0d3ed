/**
 * The password-link email activity. It is given the link's id alone and derives the link's token from it with the
 * deployment's secret (db/accounts/password-links.ts), so a retry sends the very same link, and the email goes out
 * once through the outbox (`password-link:<id>`). A link used, voided or expired before the email went is not sent.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { loadLinkEmailContext, passwordLinkToken } from '../../db/accounts/password-links';
import { sha256 } from '../../db/accounts/secrets';
import type { PasswordLinkActivities } from '../../workflows/definitions';
import type { SendEmailInput, SendEmailResult } from '../shared/mailer';
import { passwordLinkEmail } from './password-link-email-template';

/** What the activity needs. */
export interface PasswordLinkEmailDeps {
  pool: Pool;
  providerName: string;
  /** PASSWORD_LINK_SECRET, the key the link tokens are derived with. */
  linkSecret: string;
  /** Where people open the console (PUBLIC_URL): the link is its set-password page. */
  publicUrl: string;
  sendEmail(input: SendEmailInput): Promise<SendEmailResult>;
}

/** The console page a link opens; the token travels in the fragment, which browsers never send to a server. */
export function passwordLinkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/set-password#token=${token}`;
}

/** Builds the password-link email activity. */
export function createPasswordLinkActivities(deps: PasswordLinkEmailDeps) {
  return {
    async sendPasswordLinkEmail({ linkId }) {
      const link = await loadLinkEmailContext(deps.pool, linkId, new Date());
      if (!link || !link.open) return 'link-no-longer-valid';
      const token = passwordLinkToken(deps.linkSecret, linkId);
      if (!sha256(token).equals(link.tokenSha256)) {
        throw ApplicationFailure.create({
          type: 'PasswordLinkSecretMismatch',
          nonRetryable: true,
          message: `password link ${linkId} was issued under another PASSWORD_LINK_SECRET than the worker's; issue it again`,
        });
      }
      const email = passwordLinkEmail({
        locale: link.locale,
        timeZone: link.timeZone,
        providerName: deps.providerName,
        purpose: link.purpose,
        username: link.username,
        role: link.role,
        companyName: link.companyName,
        invitedBy: link.invitedBy,
        url: passwordLinkUrl(deps.publicUrl, token),
        expiresAt: link.expiresAt,
      });
      const sent = await deps.sendEmail({ idempotencyKey: `password-link:${linkId}`, to: link.email, ...email });
      return sent.status;
    },
  } satisfies PasswordLinkActivities;
}
