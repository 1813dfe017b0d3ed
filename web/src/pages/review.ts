/**
 * Finance's review queue: Dealing orders (and online payments that came late) of every account, oldest
 * submission first, with the time left in the review window; the slip shown in place (fetched with the token,
 * shown from an object URL), approve with a check result, reject with a reason. Ops see it read-only.
 */
import { api, apiFile } from '../api';
import { h } from '../dom';
import { dateTime, duration, money, policyDuration } from '../format';
import { field, form } from '../forms';
import { t } from '../i18n';
import { navigate, type PageContext } from '../router';
import { me, rules } from '../session';
import { isOnline, type AnyOrder, type Page, type ReviewItem } from '../types';
import { facts, flash, heading, notice, statusBadge } from '../ui';
import { statusLabel, walletLabel } from '../names';

const PAGE_SIZE = 20;
/** Under this many seconds left, the time is shown as urgent. */
const URGENT_SECONDS = 2 * 3600;

function reviewUrl(page: number, order?: string): string {
  const query = new URLSearchParams();
  if (page > 1) query.set('page', String(page));
  if (order) query.set('order', order);
  const text = query.toString();
  return `/review${text ? `?${text}` : ''}`;
}

function amountOf(order: AnyOrder): number {
  return isOnline(order) ? (order.payment?.amount ?? order.subtotal) : order.amount;
}

function walletsOf(order: AnyOrder): string {
  return isOnline(order) ? order.lines.map((l) => walletLabel(l.wallet)).join(', ') : walletLabel(order.wallet);
}

function submittedAt(order: AnyOrder): string | null {
  return isOnline(order) ? (order.payment?.paidAt ?? null) : order.submittedAt;
}

/** A "time left" cell that counts down from the queue's `secondsLeft` on this page's clock. */
function timeLeft(item: ReviewItem, fetchedAt: number, clocks: (() => void)[]): HTMLElement {
  const cell = h('span', { class: 'time-left' });
  if (item.secondsLeft === null) {
    cell.textContent = '—';
    return cell;
  }
  const deadline = fetchedAt + item.secondsLeft * 1000;
  const update = () => {
    const left = (deadline - Date.now()) / 1000;
    cell.textContent = duration(left);
    cell.classList.toggle('urgent', left < URGENT_SECONDS);
  };
  update();
  clocks.push(update);
  return cell;
}

/** The slip in place: an image, or a PDF in an <object> with a link to open it. */
async function slipPreview(order: AnyOrder, ctx: PageContext): Promise<HTMLElement> {
  if (isOnline(order) || !order.slip) return h('p', {}, t('review.noSlip'));
  const blob = await apiFile(`/v1/orders/${order.orderNumber}/slip`);
  const url = URL.createObjectURL(blob);
  ctx.onLeave(() => URL.revokeObjectURL(url));
  const label = `${t('review.slip')} ${order.orderNumber}`;
  const open = h('a', { href: url, download: `slip-${order.orderNumber}.${blob.type === 'application/pdf' ? 'pdf' : blob.type.split('/')[1]}` }, t('review.openSlip'));
  if (blob.type.startsWith('image/')) return h('figure', { class: 'slip' }, h('img', { src: url, alt: label }), h('figcaption', {}, open));
  return h('figure', { class: 'slip' }, h('object', { data: url, type: 'application/pdf', 'aria-label': label }), h('figcaption', {}, open));
}

function decisionForms(order: AnyOrder): HTMLElement {
  const decide = (action: 'approve' | 'reject', body: Record<string, string>) => async () => {
    const decided = await api<AnyOrder>('POST', `/v1/orders/${order.orderNumber}/${action}`, body);
    flash(t('review.decided', { n: order.orderNumber, status: statusLabel(decided.status) }));
    navigate('/review');
  };
  const checkResult = h('textarea', { name: 'checkResult', rows: 2, maxlength: 500 });
  const reason = h('textarea', { name: 'reason', rows: 2, maxlength: 500 });
  const late = order.status === 'paid_late';
  return h(
    'div',
    { class: 'decisions' },
    form({ label: t('review.approve'), class: 'decision' }, [field(t('review.checkResult'), checkResult), h('button', { type: 'submit', class: 'primary' }, t('review.approve'))], () =>
      decide('approve', checkResult.value.trim() ? { checkResult: checkResult.value.trim() } : {})(),
    ),
    form({ label: late ? t('review.refund') : t('review.reject'), class: 'decision' }, [field(t('review.reason'), reason), h('button', { type: 'submit', class: 'danger' }, late ? t('review.refund') : t('review.reject'))], () =>
      decide('reject', { reason: reason.value })(),
    ),
  );
}

async function detail(item: ReviewItem, fetchedAt: number, clocks: (() => void)[], ctx: PageContext): Promise<HTMLElement> {
  const order = await api<AnyOrder>('GET', `/v1/orders/${item.orderNumber}`);
  const titleId = `order-${order.orderNumber}`;
  const at = submittedAt(order);
  return h(
    'section',
    { class: 'card review-detail', 'aria-labelledby': titleId },
    h('h2', { id: titleId, tabindex: -1, 'data-autofocus': true }, t('review.detailTitle', { n: order.orderNumber })),
    h(
      'div',
      { class: 'review-body' },
      h(
        'div',
        {},
        facts([
          [t('orders.status'), statusBadge(order.status)],
          [t('review.company'), item.companyName ?? '—'],
          [t('orders.account'), order.accountId],
          [t('orders.wallet'), walletsOf(order)],
          [t('orders.amount'), h('strong', {}, money(amountOf(order)))],
          [t('review.submittedAt'), at ? dateTime(at) : '—'],
          [t('review.timeLeft'), timeLeft(item, fetchedAt, clocks)],
        ]),
        isOnline(order) && order.payment ? h('p', {}, t('review.payment', { amount: money(order.payment.amount), time: dateTime(order.payment.paidAt) })) : null,
        me().role === 'finance' ? decisionForms(order) : notice(t('review.readOnly')),
      ),
      h('div', {}, h('h3', {}, t('review.slip')), await slipPreview(order, ctx)),
    ),
  );
}

export async function reviewPage(ctx: PageContext): Promise<void> {
  const pageNumber = Math.max(1, Number(ctx.query.get('page')) || 1);
  const selected = ctx.query.get('order');
  const queue = await api<Page<ReviewItem>>('GET', `/v1/review/orders?page=${pageNumber}&pageSize=${PAGE_SIZE}`);
  const fetchedAt = Date.now();
  const clocks: (() => void)[] = [];
  ctx.main.append(heading(t('review.title')), h('p', { class: 'lead' }, t('review.intro', { window: policyDuration(rules().reviewWindow) })));
  if (!queue.items.length) ctx.main.append(h('p', { class: 'empty' }, t('review.empty')));
  else {
    const head = [t('orders.orderNumber'), t('review.company'), t('orders.wallet'), t('orders.amount'), t('review.submittedAt'), t('review.timeLeft'), t('orders.status'), t('orders.action')];
    ctx.main.append(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'queue' },
          h('caption', { class: 'visually-hidden' }, t('review.title')),
          h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            ...queue.items.map((item) => {
              const at = submittedAt(item);
              return h(
                'tr',
                { 'data-order': item.orderNumber, class: item.orderNumber === selected ? 'selected' : '' },
                h('th', { scope: 'row' }, item.orderNumber),
                h('td', {}, h('span', { class: 'company' }, item.companyName ?? item.accountId), h('span', { class: 'muted account-id' }, item.accountId)),
                h('td', {}, walletsOf(item)),
                h('td', { class: 'num' }, money(amountOf(item))),
                h('td', {}, at ? dateTime(at) : '—'),
                h('td', {}, timeLeft(item, fetchedAt, clocks)),
                h('td', {}, statusBadge(item.status)),
                h('td', {}, h('a', { class: 'button small', href: reviewUrl(pageNumber, item.orderNumber), 'aria-label': `${t('review.open')} ${item.orderNumber}` }, t('review.open'))),
              );
            }),
          ),
        ),
      ),
    );
    const pages = Math.max(1, Math.ceil(queue.total / queue.pageSize));
    if (pages > 1) {
      ctx.main.append(
        h(
          'nav',
          { class: 'pager', 'aria-label': t('orders.pageOf', { page: pageNumber, pages, total: queue.total }) },
          pageNumber > 1 ? h('a', { class: 'button small', href: reviewUrl(pageNumber - 1) }, t('orders.previous')) : null,
          h('span', {}, t('orders.pageOf', { page: pageNumber, pages, total: queue.total })),
          pageNumber < pages ? h('a', { class: 'button small', href: reviewUrl(pageNumber + 1) }, t('orders.nextPage')) : null,
        ),
      );
    }
  }
  const item = queue.items.find((i) => i.orderNumber === selected);
  if (item) ctx.main.append(await detail(item, fetchedAt, clocks, ctx));
  const timer = setInterval(() => clocks.forEach((update) => update()), 1000);
  ctx.onLeave(() => clearInterval(timer));
}
