/** The email to an account's owner when a webhook endpoint's retries ran out and it is marked failing. Pure. */
import type { Locale } from '../../workflows/definitions';
import { renderEmail, type RenderedEmail } from '../shared/render-email';

/** What the email says. */
export interface EndpointFailingEmailData {
  locale: Locale;
  providerName: string;
  companyName: string;
  url: string;
  eventId: string;
  attempts: number;
  firstAttemptAt: string;
  retryFor: string;
  consoleUrl: string;
}

/** The email. */
export function endpointFailingEmail(d: EndpointFailingEmailData): RenderedEmail {
  const en = d.locale === 'en';
  return renderEmail({
    locale: d.locale,
    providerName: d.providerName,
    subject: en ? `Webhook endpoint failing: ${d.url}` : `Endpoint webhook gagal: ${d.url}`,
    heading: en ? 'Your webhook endpoint is failing' : 'Endpoint webhook Anda gagal',
    intro: en
      ? `We could not deliver an event to ${d.url} for ${d.retryFor}. Deliveries to it are paused; its events are kept in order and nothing is lost. Fix the endpoint, then resume it in the console.`
      : `Kami tidak dapat mengirim event ke ${d.url} selama ${d.retryFor}. Pengiriman dijeda; event disimpan berurutan dan tidak ada yang hilang. Perbaiki endpoint, lalu lanjutkan di konsol.`,
    rows: [
      [en ? 'Company' : 'Perusahaan', d.companyName],
      ['Endpoint', d.url],
      [en ? 'Event' : 'Event', d.eventId],
      [en ? 'Attempts' : 'Percobaan', String(d.attempts)],
      [en ? 'First attempt' : 'Percobaan pertama', d.firstAttemptAt],
    ],
    notes: [],
    action: { label: en ? 'Open webhook endpoints' : 'Buka endpoint webhook', url: d.consoleUrl },
  });
}
