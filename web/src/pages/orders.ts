/**
 * The order list of the seed portal: creation-date range, status tabs, order number, 20 a page, newest first
 * (paged by the API's cursors, so a deep page is as quick as the first; `page` in the URL is the number shown);
 * Edit and Delete where the status allows them, the receipt of a Paid order, and the way back into an
 * unfinished top-up. Provider staff see every account's orders, read-only.
 */
import { api, ApiError } from '../api';
import { h } from '../dom';
import { dateTime, money } from '../format';
import { field, form, modal, showError, showProblems } from '../forms';
import { t } from '../i18n';
import { navigate, type PageContext } from '../router';
import { isCustomer, me } from '../session';
import { isOnline, type AnyOrder, type Order, type OrderPage, type OrderStatus } from '../types';
import { download, flash, heading, statusBadge } from '../ui';
import { parseAmount, walletRule } from './amounts';
import { paymentMethodLabel, statusLabel, walletLabel } from '../names';

/** The seed's status tabs, plus "Awaiting payment" of the online top-up. */
const STATUS_TABS: (OrderStatus | null)[] = [null, 'unpaid', 'awaiting_payment', 'dealing', 'paid', 'payment_failure', 'closed', 'deleted'];
const PAGE_SIZE = 20;
const FILTERS = ['from', 'to', 'status', 'orderNumber', 'page', 'cursor'] as const;

/** The list's URL for these filters (empty ones left out). */
function listUrl(filters: URLSearchParams): string {
  const kept = new URLSearchParams();
  for (const name of FILTERS) {
    const value = filters.get(name);
    if (value) kept.set(name, value);
  }
  const query = kept.toString();
  return `/orders${query ? `?${query}` : ''}`;
}

function refresh(): void {
  navigate(location.pathname + location.search, { replace: true });
}

function editable(order: Order): boolean {
  return order.status === 'unpaid' || (order.status === 'payment_failure' && !order.final);
}

function deletable(order: AnyOrder): boolean {
  return isOnline(order) ? order.status === 'unpaid' : editable(order);
}

function editDialog(order: Order): void {
  const amount = h('input', { name: 'amount', type: 'text', inputmode: 'numeric', value: String(order.amount), required: true });
  const afterFailure = order.status === 'payment_failure';
  const slip = afterFailure ? h('input', { name: 'slip', type: 'file', accept: 'image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf' }) : null;
  modal(t('orders.editTitle', { n: order.orderNumber }), (close) => [
    form(
      { label: t('orders.editTitle', { n: order.orderNumber }) },
      [
        afterFailure ? h('p', { class: 'hint' }, t('orders.editAfterFailure')) : null,
        field(t('orders.editAmount'), amount, walletRule(order.wallet)),
        slip ? field(t('orders.editSlip'), slip, t('topUp.slipHint')) : null,
        h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, t('app.cancel')), h('button', { type: 'submit', class: 'primary' }, t('app.save'))),
      ],
      async (el) => {
        const value = parseAmount(amount.value);
        if (typeof value === 'string') return showProblems(el, [{ path: 'amount', rule: value }], '');
        const file = slip?.files?.[0];
        let changed: Order;
        if (file) {
          const body = new FormData();
          body.append('slip', file);
          if (value !== order.amount) body.append('amount', String(value));
          changed = await api<Order>('POST', `/v1/orders/${order.orderNumber}/slip`, body);
        } else changed = await api<Order>('PATCH', `/v1/orders/${order.orderNumber}`, { amount: value });
        close();
        flash(t('orders.changed', { n: order.orderNumber, status: statusLabel(changed.status) }));
        refresh();
      },
    ),
  ]);
}

function deleteDialog(order: AnyOrder): void {
  modal(t('orders.deleteTitle', { n: order.orderNumber }), (close) => [
    form(
      { label: t('orders.deleteTitle', { n: order.orderNumber }) },
      [h('p', {}, t('orders.deleteBody')), h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, t('app.cancel')), h('button', { type: 'submit', class: 'danger' }, t('orders.delete')))],
      async () => {
        await api<AnyOrder>('DELETE', `/v1/orders/${order.orderNumber}`);
        close();
        flash(t('orders.deleted', { n: order.orderNumber }));
        refresh();
      },
    ),
  ]);
}

function actionsOf(order: AnyOrder): HTMLElement {
  const n = order.orderNumber;
  const buttons: HTMLElement[] = [];
  const button = (label: string, onclick: () => void, cls = 'small') => h('button', { type: 'button', class: cls, 'aria-label': `${label} ${n}`, onclick }, label);
  if (isCustomer()) {
    if (isOnline(order) && (order.status === 'unpaid' || order.invoice)) buttons.push(h('a', { class: 'button small', href: `/online/${n}`, 'aria-label': `${t(order.invoice ? 'orders.invoice' : 'orders.continue')} ${n}` }, t(order.invoice ? 'orders.invoice' : 'orders.continue')));
    if (!isOnline(order) && order.status === 'unpaid') buttons.push(h('a', { class: 'button small', href: `/top-up?order=${n}`, 'aria-label': `${t('orders.continue')} ${n}` }, t('orders.continue')));
    if (!isOnline(order) && editable(order)) buttons.push(button(t('orders.edit'), () => editDialog(order)));
    if (deletable(order)) buttons.push(button(t('orders.delete'), () => deleteDialog(order), 'small danger'));
  }
  if (!isOnline(order) && order.status === 'paid') buttons.push(button(t('orders.receipt'), () => void download(`/v1/orders/${n}/receipt.pdf`, `receipt-${n}.pdf`)));
  return h('div', { class: 'row-actions' }, ...buttons);
}

function row(order: AnyOrder, timeZone: string, staff: boolean): HTMLTableRowElement {
  const online = isOnline(order);
  const wallets = online ? order.lines.map((l) => walletLabel(l.wallet)).join(', ') : walletLabel(order.wallet);
  const amount = online ? (order.invoice?.total ?? order.subtotal) : order.amount;
  const method = online ? order.invoice?.paymentMethod : order.paymentMethod;
  return h(
    'tr',
    { 'data-order': order.orderNumber },
    h('th', { scope: 'row' }, order.orderNumber),
    h('td', {}, dateTime(order.createdAt, timeZone)),
    staff ? h('td', {}, order.accountId) : null,
    h('td', {}, order.currency),
    h('td', {}, wallets),
    h('td', { class: 'num' }, money(amount)),
    h('td', {}, method ? paymentMethodLabel(method) : '—'),
    h('td', {}, statusBadge(order.status)),
    h('td', { class: 'check-result' }, order.checkResult ?? ''),
    h('td', {}, actionsOf(order)),
  );
}

function statusTabs(query: URLSearchParams): HTMLElement {
  const active = query.get('status');
  return h(
    'div',
    { class: 'tabs', role: 'group', 'aria-label': t('orders.status') },
    ...STATUS_TABS.map((status) => {
      const next = new URLSearchParams(query);
      next.delete('page');
      next.delete('cursor');
      if (status) next.set('status', status);
      else next.delete('status');
      return h('a', { class: 'tab', href: listUrl(next), 'aria-current': (status ?? null) === (active ?? null) ? 'true' : null }, status ? statusLabel(status) : t('orders.all'));
    }),
  );
}

function filterForm(query: URLSearchParams): HTMLFormElement {
  const from = h('input', { name: 'from', type: 'date', value: query.get('from') ?? '' });
  const to = h('input', { name: 'to', type: 'date', value: query.get('to') ?? '' });
  const orderNumber = h('input', { name: 'orderNumber', type: 'search', inputmode: 'numeric', maxlength: 13, value: query.get('orderNumber') ?? '' });
  const el = form(
    { label: t('orders.filters'), class: 'filters' },
    [
      field(t('orders.from'), from),
      field(t('orders.to'), to),
      field(t('orders.orderNumber'), orderNumber),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('orders.query')), isCustomer() ? h('a', { class: 'button', href: '/top-up' }, t('nav.topUp')) : null),
    ],
    async () => {
      const next = new URLSearchParams(query);
      next.delete('page');
      next.delete('cursor');
      for (const input of [from, to, orderNumber]) next.set(input.name, input.value.trim());
      navigate(listUrl(next));
    },
  );
  el.setAttribute('role', 'search');
  return el;
}

/** The number shown for the page in the URL (the API pages by cursor and does not know it). */
function shownPage(query: URLSearchParams): number {
  const n = Number(query.get('page'));
  return Number.isInteger(n) && n >= 1 ? n : 1;
}

function pager(page: OrderPage<AnyOrder>, query: URLSearchParams): HTMLElement {
  const number = shownPage(query);
  const pages = Math.max(number, Math.ceil(page.total / page.pageSize));
  const link = (to: number, cursor: string, label: string) => {
    const next = new URLSearchParams(query);
    if (to === 1) {
      next.delete('page');
      next.delete('cursor');
    } else {
      next.set('page', String(to));
      next.set('cursor', cursor);
    }
    return h('a', { class: 'button small', href: listUrl(next), rel: to < number ? 'prev' : 'next' }, label);
  };
  const label = t(page.totalEstimated ? 'orders.pageOfAbout' : 'orders.pageOf', { page: number, pages, total: page.total });
  return h(
    'nav',
    { class: 'pager', 'aria-label': label },
    page.prevCursor ? link(number - 1, page.prevCursor, t('orders.previous')) : null,
    h('span', {}, label),
    page.nextCursor ? link(number + 1, page.nextCursor, t('orders.nextPage')) : null,
    h('span', { class: 'per-page' }, t('orders.perPage', { n: PAGE_SIZE })),
  );
}

export async function ordersPage(ctx: PageContext): Promise<void> {
  const staff = !isCustomer();
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  const filters = filterForm(ctx.query);
  ctx.main.append(heading(t('orders.title')), filters, statusTabs(ctx.query));
  const params = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
  for (const name of FILTERS) {
    const value = ctx.query.get(name);
    if (value) params.set(name, value);
  }
  // With a cursor the API takes no page number: the URL's is only shown. An old link with a page alone still works.
  if (params.has('cursor')) params.delete('page');
  let page: OrderPage<AnyOrder>;
  try {
    page = await api<OrderPage<AnyOrder>>('GET', `/v1/orders?${params}`);
  } catch (err) {
    // A filter the API refuses (e.g. "to" before "from") is shown next to that filter.
    if (err instanceof ApiError && err.status === 400) return showError(filters, err);
    throw err;
  }
  const table = h(
    'table',
    { class: 'orders' },
    h('caption', { class: 'visually-hidden' }, t('orders.title')),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...[t('orders.orderNumber'), t('orders.creationTime'), staff ? t('orders.account') : null, t('orders.currency'), t('orders.wallet'), t('orders.amount'), t('orders.paymentType'), t('orders.status'), t('orders.checkResult'), t('orders.action')]
          .filter((c): c is string => c !== null)
          .map((c) => h('th', { scope: 'col' }, c)),
      ),
    ),
    h('tbody', {}, ...page.items.map((o) => row(o, timeZone, staff))),
  );
  ctx.main.append(page.items.length ? h('div', { class: 'table-wrap' }, table) : h('p', { class: 'empty' }, t('orders.empty')), pager(page, ctx.query));
}
