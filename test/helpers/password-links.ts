/** Password-link emails as the invitee reads them: the latest one to an address, and the token in its link. */
import { simpleParser, type ParsedMail } from 'mailparser';
import type { SmtpSink } from '../../scripts/smtp-sink';
import { eventually } from './eventually';

/** The token in a password link (`…/set-password#token=<43 characters>`). */
export function linkToken(text: string): string | null {
  return /\/set-password#token=([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;
}

/** Every message to `to` so far, parsed, oldest first. */
export function messagesTo(sink: SmtpSink, to: string): Promise<ParsedMail[]> {
  return Promise.all(sink.messages.filter((m) => m.to.includes(to)).map((m) => simpleParser(m.raw)));
}

/**
 * Waits for the `n`th email with a password link (1-based; the first by default) to `to` and answers it with the
 * link in it; fails the test naming what arrived when it does not come.
 */
export async function passwordLinkEmail(sink: SmtpSink, to: string, n = 1): Promise<{ mail: ParsedMail; url: string; token: string }> {
  const withLinks = async () => (await messagesTo(sink, to)).filter((m) => linkToken(m.text ?? '') !== null);
  const mails = await eventually(withLinks, (m) => m.length >= n);
  const mail = mails[n - 1];
  if (!mail) throw new Error(`no email number ${n} with a password link to ${to} arrived (got ${mails.length}: ${(await messagesTo(sink, to)).map((m) => m.subject).join('; ')})`);
  const token = linkToken(mail.text ?? '')!;
  const url = /(\S+\/set-password#token=[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1]!;
  return { mail, url, token };
}
