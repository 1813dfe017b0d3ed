/**
 * The renderer every customer email goes through: a subject, a heading, an intro, label | value rows and notes,
 * in the account's locale, out as plain text and HTML. Pure. Every value is escaped where the HTML is built,
 * so no caller-supplied text can become markup.
 */
import { type Locale } from '../../workflows/definitions';

/** A rendered email, ready for `sendEmail`. */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** What every email of an order names. */
export interface OrderEmailBase {
  locale: Locale;
  /** Signs the email and heads its HTML. */
  providerName: string;
  orderNumber: string;
}

/** The parts every email is made of; the renderer turns them into text and HTML. */
export interface EmailContent {
  locale: Locale;
  subject: string;
  heading: string;
  intro: string;
  rows: [label: string, value: string][];
  notes: string[];
  providerName: string;
  /** Replaces "Dear customer," when the email is to a named person. */
  greeting?: string;
  /** A link the reader follows (set a password): a button in the HTML, the URL on its own line in the text. */
  action?: { label: string; url: string };
}

/** The words every email shares: the order number's label, the greeting and the sign-off. */
export const COMMON: Record<Locale, { orderNumber: string; greeting: string; regards: string }> = {
  en: { orderNumber: 'Order number', greeting: 'Dear customer,', regards: 'Regards,' },
  id: { orderNumber: 'Nomor pesanan', greeting: 'Yth. Pelanggan,', regards: 'Salam,' },
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Renders `c` as a ready email: a one-line subject, the plain text and the HTML. */
export function renderEmail(c: EmailContent): RenderedEmail {
  // A subject is one header line: a value with a line break must not start another header.
  const subject = c.subject.replace(/\s+/g, ' ').trim();
  return { subject, text: renderText(c), html: renderHtml(c, subject) };
}

function renderText(c: EmailContent): string {
  const { regards } = COMMON[c.locale];
  const greeting = c.greeting ?? COMMON[c.locale].greeting;
  const width = Math.max(...c.rows.map(([label]) => label.length)) + 2;
  const rows = c.rows.map(([label, value]) => `  ${`${label}:`.padEnd(width)}${value.replace(/\r?\n/g, `\n  ${' '.repeat(width)}`)}`);
  const action = c.action ? [`${c.action.label}:`, c.action.url, ''] : [];
  return [greeting, '', c.intro, '', ...rows, '', ...action, ...c.notes.flatMap((n) => [n, '']), regards, c.providerName, ''].join('\n');
}

function renderHtml(c: EmailContent, subject: string): string {
  const { regards } = COMMON[c.locale];
  const greeting = c.greeting ?? COMMON[c.locale].greeting;
  const text = (s: string) => escapeHtml(s).replace(/\r?\n/g, '<br>');
  const cell = 'padding:8px 12px;border-bottom:1px solid #e3e6ea;vertical-align:top;font-size:14px';
  const rows = c.rows
    .map(([label, value]) => `<tr><th scope="row" style="${cell};text-align:left;font-weight:normal;color:#6b7280;width:40%">${text(label)}</th><td style="${cell};color:#1f2429">${text(value)}</td></tr>`)
    .join('\n');
  const notes = c.notes.map((n) => `<p style="margin:0 0 12px">${text(n)}</p>`).join('\n');
  const action = c.action
    ? `<p style="margin:0 0 16px"><a href="${escapeHtml(c.action.url)}" style="display:inline-block;padding:10px 18px;background:#0a6187;color:#ffffff;text-decoration:none;border-radius:4px">${text(c.action.label)}</a></p>\n`
    : '';
  return `<!DOCTYPE html>
<html lang="${c.locale}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${text(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f6f8;font-family:Helvetica,Arial,sans-serif;color:#1f2429;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-top:6px solid #0a6187;padding:24px 28px">
<p style="margin:0 0 20px;font-size:16px;font-weight:bold">${text(c.providerName)}</p>
<h1 style="margin:0 0 16px;font-size:20px;color:#0a6187">${text(c.heading)}</h1>
<p style="margin:0 0 12px">${text(greeting)}</p>
<p style="margin:0 0 16px">${text(c.intro)}</p>
<table role="presentation" style="border-collapse:collapse;width:100%;margin:0 0 16px">
${rows}
</table>
${action}${notes}
<p style="margin:16px 0 0">${text(regards)}<br>${text(c.providerName)}</p>
</div>
</body>
</html>
`;
}
