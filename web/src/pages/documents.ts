/**
 * Documents (issue 21): the account's receipts, online invoices and subscription invoices in one list, newest first,
 * filtered by type and issue date, each downloadable. Finance and ops see every account's, or one account's.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime, money } from '../format';
import { field, form } from '../forms';
import { t, type MessageKey } from '../i18n';
import { navigate, type PageContext } from '../router';
import { isCustomer, me } from '../session';
import { DOCUMENT_TYPES, type DocumentItem, type OrderStatus, type Page } from '../types';
import { download, heading, statusBadge } from '../ui';
import { loadOrShow, pager, table, td, urlWith } from './listing';

const PATH = '/documents';
const PAGE_SIZE = 20;
const ORDER_STATUSES = new Set(['unpaid', 'awaiting_payment', 'dealing', 'paid', 'payment_failure', 'closed', 'deleted', 'paid_late']);

function typeLabel(type: string): string {
  return t(`documents.type.${type}` as MessageKey);
}

/** An order's status as its badge; a subscription invoice's own status (unpaid, paid, void) in words. */
function status(doc: DocumentItem): HTMLElement | string {
  if (doc.type !== 'subscription_invoice' && ORDER_STATUSES.has(doc.status)) return statusBadge(doc.status as OrderStatus);
  return h('span', { class: `status status-invoice-${doc.status}` }, t(`invoices.status.${doc.status}` as MessageKey));
}

function filterForm(query: URLSearchParams): HTMLFormElement {
  const type = h('select', { name: 'type' }, h('option', { value: '' }, t('documents.all')), ...DOCUMENT_TYPES.map((d) => h('option', { value: d, selected: query.get('type') === d }, typeLabel(d))));
  const from = h('input', { name: 'from', type: 'date', value: query.get('from') ?? '' });
  const to = h('input', { name: 'to', type: 'date', value: query.get('to') ?? '' });
  const account = isCustomer() ? null : h('input', { name: 'accountId', type: 'text', value: query.get('accountId') ?? '' });
  const el = form(
    { label: t('documents.title'), class: 'filters' },
    [
      field(t('documents.type'), type),
      field(t('documents.from'), from),
      field(t('documents.to'), to),
      account ? field(t('statement.account'), account, t('documents.accountHint')) : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('orders.query'))),
    ],
    async () => navigate(urlWith(PATH, { type: type.value, from: from.value, to: to.value, accountId: account?.value.trim() })),
  );
  el.setAttribute('role', 'search');
  return el;
}

export async function documentsPage(ctx: PageContext): Promise<void> {
  const staff = !isCustomer();
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  const filters = filterForm(ctx.query);
  ctx.main.append(heading(t('documents.title')), filters);
  const params = { type: ctx.query.get('type'), from: ctx.query.get('from'), to: ctx.query.get('to'), accountId: ctx.query.get('accountId'), page: ctx.query.get('page'), pageSize: String(PAGE_SIZE) };
  const page = await loadOrShow(filters, () => api<Page<DocumentItem>>('GET', urlWith('/v1/documents', params)));
  if (!page) return;
  if (!page.items.length) {
    ctx.main.append(h('p', { class: 'empty' }, t('documents.empty')));
    return;
  }
  const rows = page.items.map((doc) =>
    h(
      'tr',
      { 'data-document': `${doc.type}:${doc.reference}` },
      td(typeLabel(doc.type)),
      h('th', { scope: 'row' }, doc.reference),
      staff ? td(doc.companyName) : null,
      td(dateTime(doc.issuedAt, timeZone)),
      td(money(doc.amount), 'num'),
      td(status(doc)),
      td(
        h(
          'button',
          { type: 'button', class: 'small', 'aria-label': `${t('documents.download')} ${typeLabel(doc.type)} ${doc.reference}`, onclick: () => void download(doc.downloadPath, doc.fileName) },
          t('documents.download'),
        ),
      ),
    ),
  );
  const head = [t('documents.type'), t('documents.reference'), ...(staff ? [t('documents.company')] : []), t('documents.issued'), t('documents.amount'), t('documents.status'), t('orders.action')];
  ctx.main.append(table(t('documents.title'), 'documents', head, rows), pager(page, PATH, ctx.query));
}
