/** What the list pages share: filters kept in the URL, a pager, a table with a caption, and filter errors shown in place. */
import { ApiError } from '../api';
import { h, type Child } from '../dom';
import { showError } from '../forms';
import { t } from '../i18n';
import { navigate } from '../router';
import type { Page } from '../types';

/** `path` with the non-empty `values` as its query. */
export function urlWith(path: string, values: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  const text = query.toString();
  return `${path}${text ? `?${text}` : ''}`;
}

/** The page's query with `changes` applied (null removes a parameter), as a URL of `path`. */
export function withQuery(path: string, query: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(query);
  for (const [name, value] of Object.entries(changes)) {
    if (value) next.set(name, value);
    else next.delete(name);
  }
  const text = next.toString();
  return `${path}${text ? `?${text}` : ''}`;
}

/** Previous / "page x of y" / next, as links that keep the filters. */
export function pager(page: Pick<Page<unknown>, 'page' | 'pageSize' | 'total'>, path: string, query: URLSearchParams): HTMLElement {
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  const label = t('list.pageOf', { page: page.page, pages, total: page.total });
  return h(
    'nav',
    { class: 'pager', 'aria-label': label },
    page.page > 1 ? h('a', { class: 'button small', href: withQuery(path, query, { page: String(page.page - 1) }) }, t('orders.previous')) : null,
    h('span', {}, label),
    page.page < pages ? h('a', { class: 'button small', href: withQuery(path, query, { page: String(page.page + 1) }) }, t('orders.nextPage')) : null,
  );
}

/** A table with a hidden caption, its header row and body rows. */
export function table(caption: string, cls: string, head: string[], rows: HTMLTableRowElement[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: cls },
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, ...rows),
    ),
  );
}

/** A cell. */
export function td(content: Child | Child[], cls?: string): HTMLTableCellElement {
  return h('td', cls ? { class: cls } : {}, ...[content].flat());
}

/** Loads a page's data; a filter the API refuses (400) is shown beside its field in `filters`, and undefined answered. */
export async function loadOrShow<T>(filters: HTMLFormElement, load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) {
      showError(filters, err);
      return undefined;
    }
    throw err;
  }
}

/** Goes to `path` with the form's named controls as the query (page reset). */
export function submitFilters(path: string, controls: (HTMLInputElement | HTMLSelectElement)[], extra: Record<string, string | null> = {}): void {
  const values: Record<string, string | null> = {};
  for (const c of controls) values[c.name] = c.value.trim() || null;
  navigate(urlWith(path, { ...values, ...extra }));
}
