/**
 * The operation log (seed 000's "Operation Log"): who did what and when, filtered by date, user and kind, 20 a page,
 * newest first. Customers read their account's; finance and ops every customer account's (or one's); admins
 * everything, the provider's own sign-ins and invitations too.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime } from '../format';
import { field, form } from '../forms';
import { t, type MessageKey } from '../i18n';
import { roleLabel } from '../names';
import { navigate, type PageContext } from '../router';
import { isCustomer, me } from '../session';
import type { OperationLogItem, Page } from '../types';
import { heading } from '../ui';
import { loadOrShow, pager, table, td, urlWith } from './listing';

const PATH = '/operation-log';
const PAGE_SIZE = 20;
/** The kinds of action, the part of an action's code before its dot. */
export const OPERATION_KINDS = ['order', 'online_order', 'usage', 'gift', 'subscription', 'session', 'user', 'api_key', 'account'] as const;

/** What an entry's details say, as "name: value" pairs. */
function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

function filterForm(query: URLSearchParams): HTMLFormElement {
  const from = h('input', { name: 'from', type: 'date', value: query.get('from') ?? '' });
  const to = h('input', { name: 'to', type: 'date', value: query.get('to') ?? '' });
  const actor = h('input', { name: 'actor', type: 'search', value: query.get('actor') ?? '', autocomplete: 'off' });
  const kind = h(
    'select',
    { name: 'action' },
    h('option', { value: '' }, t('oplog.allKinds')),
    ...OPERATION_KINDS.map((k) => h('option', { value: k, selected: query.get('action') === k }, t(`oplog.kind.${k}` as MessageKey))),
  );
  const account = isCustomer() ? null : h('input', { name: 'accountId', type: 'text', value: query.get('accountId') ?? '' });
  const el = form(
    { label: t('oplog.title'), class: 'filters' },
    [
      field(t('oplog.from'), from),
      field(t('oplog.to'), to),
      field(t('oplog.actor'), actor),
      field(t('oplog.kind'), kind),
      account ? field(t('statement.account'), account, t('documents.accountHint')) : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('oplog.query'))),
    ],
    async () => navigate(urlWith(PATH, { from: from.value, to: to.value, actor: actor.value.trim(), action: kind.value, accountId: account?.value.trim() })),
  );
  el.setAttribute('role', 'search');
  return el;
}

export async function operationLogPage(ctx: PageContext): Promise<void> {
  const staff = !isCustomer();
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  const filters = filterForm(ctx.query);
  ctx.main.append(heading(t('oplog.title')), filters);
  const names = ['from', 'to', 'actor', 'action', 'accountId', 'page'] as const;
  const params = Object.fromEntries(names.map((n) => [n, ctx.query.get(n)]));
  const page = await loadOrShow(filters, () => api<Page<OperationLogItem>>('GET', urlWith('/v1/operation-log', { ...params, pageSize: String(PAGE_SIZE) })));
  if (!page) return;
  if (!page.items.length) {
    ctx.main.append(h('p', { class: 'empty' }, t('oplog.empty')));
    return;
  }
  const rows = page.items.map((item) =>
    h(
      'tr',
      { 'data-action': item.action, 'data-entry': item.id },
      td(dateTime(item.createdAt, timeZone)),
      td(item.actor ? [h('span', { class: 'username' }, item.actor.username), h('span', { class: 'muted' }, ` · ${roleLabel(item.actor.role)}`)] : h('span', { class: 'muted' }, t('oplog.system'))),
      staff ? td(item.companyName ?? '—') : null,
      td(h('code', {}, item.action)),
      td(item.orderNumber ?? ''),
      td(detailsText(item.details), 'details'),
    ),
  );
  const head = [t('oplog.time'), t('oplog.who'), ...(staff ? [t('oplog.company')] : []), t('oplog.action'), t('oplog.order'), t('oplog.details')];
  ctx.main.append(table(t('oplog.title'), 'operation-log', head, rows), pager(page, PATH, ctx.query));
}
