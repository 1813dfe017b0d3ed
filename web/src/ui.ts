/** Pieces every page uses: headings, status badges, definition lists, messages and file downloads. */
import { apiFile } from './api';
import { h, type Child } from './dom';
import { t } from './i18n';
import type { OrderStatus } from './types';
import { statusLabel } from './names';

/** The page's heading; focused after navigation so screen readers announce the new page. */
export function heading(text: string): HTMLHeadingElement {
  return h('h1', { tabindex: -1 }, text);
}

/** An order status as a badge: its name in the console's language, styled by its code. */
export function statusBadge(status: OrderStatus): HTMLElement {
  return h('span', { class: `status status-${status.replace(/_/g, '-')}` }, statusLabel(status));
}

/** A list of label/value pairs. */
export function facts(pairs: [string, Child][]): HTMLDListElement {
  return h('dl', { class: 'facts' }, ...pairs.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

/** A polite status message (success, progress). */
export function notice(text: string, kind: 'ok' | 'info' | 'warn' = 'info'): HTMLElement {
  return h('p', { class: `notice notice-${kind}`, role: 'status' }, text);
}

/** An error message that is announced at once. */
export function errorNotice(err: unknown): HTMLElement {
  return h('p', { class: 'notice notice-error', role: 'alert' }, t('app.error', { message: err instanceof Error ? err.message : String(err) }));
}

/** Downloads a file the API serves only with the bearer token (receipt, invoice) under `fileName`. */
export async function download(path: string, fileName: string): Promise<void> {
  const url = URL.createObjectURL(await apiFile(path));
  const link = h('a', { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

let flashMessage: string | null = null;
/** A message for the next page shown (e.g. after a redirect). */
export function flash(message: string): void {
  flashMessage = message;
}
/** Takes the pending flash message, if any. */
export function takeFlash(): HTMLElement | null {
  const message = flashMessage;
  flashMessage = null;
  return message ? notice(message, 'ok') : null;
}
