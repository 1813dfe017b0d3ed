/**
 * Finance's payment exceptions: money that went to no order by itself, oldest first, with its reason, amount,
 * age and suggested order; one opened below the queue with its history and finance's four decisions (credit to a
 * wallet, attach to an open order, refund, dismiss), each with the note the operation log keeps. Ops read only.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime, duration, money } from '../format';
import { field, form } from '../forms';
import { t, type MessageKey } from '../i18n';
import { walletLabel } from '../names';
import { navigate, type PageContext } from '../router';
import { me } from '../session';
import type { ExceptionItem, Page } from '../types';
import { facts, flash, heading, notice } from '../ui';

const BANK_TRANSFER_WALLETS = ['credit', 'deposit'] as const;

export const reasonLabel = (reason: string) => t(`exceptions.reason.${reason}` as MessageKey);
const statusLabel = (status: string) => t(`exceptions.status.${status}` as MessageKey);

function exceptionsUrl(all: boolean, selected?: string): string {
  const query = new URLSearchParams();
  if (all) query.set('status', 'all');
  if (selected) query.set('exception', selected);
  const text = query.toString();
  return `/finance/exceptions${text ? `?${text}` : ''}`;
}

function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status exception-${status.replace(/_/g, '-')}` }, statusLabel(status));
}

function amountCell(e: ExceptionItem): HTMLElement {
  const diff = e.difference === null ? null : h('span', { class: 'hint' }, ` (${e.difference > 0 ? '+' : '−'}${money(Math.abs(e.difference))})`);
  return h('td', { class: 'num' }, money(e.payment.amount), diff);
}

/** The four decisions, each a form posting to the exception's route; the note is the "why" the log keeps. */
function decisionForms(e: ExceptionItem, all: boolean): HTMLElement {
  const decide = (action: string, body: Record<string, unknown>) => async () => {
    const decided = await api<ExceptionItem>('POST', `/v1/finance/exceptions/${e.exceptionId}/${action}`, body);
    flash(t('exceptions.decided', { id: e.exceptionId, status: statusLabel(decided.status) }));
    navigate(exceptionsUrl(all));
  };
  const note = () => h('textarea', { name: 'note', rows: 2, maxlength: 500 });
  const creditNote = note();
  const account = h('input', { name: 'accountId', value: e.suggestion.accountId ?? '', autocomplete: 'off' });
  const wallet = h('select', { name: 'wallet' }, ...BANK_TRANSFER_WALLETS.map((w) => h('option', { value: w, selected: w === (e.suggestion.wallet ?? 'credit') }, walletLabel(w))));
  const attachNote = note();
  const orderNumber = h('input', { name: 'orderNumber', value: e.suggestion.orderNumber ?? '', inputmode: 'numeric', autocomplete: 'off' });
  const rest = h(
    'select',
    { name: 'rest' },
    h('option', { value: '' }, t('exceptions.restNone')),
    h('option', { value: 'credit' }, t('exceptions.restCredit')),
    h('option', { value: 'refund' }, t('exceptions.restRefund')),
  );
  const refundNote = note();
  const dismissNote = note();
  return h(
    'div',
    { class: 'decisions exception-decisions' },
    form({ label: t('exceptions.credit'), class: 'decision' }, [h('h3', {}, t('exceptions.credit')), field(t('exceptions.account'), account), field(t('exceptions.wallet'), wallet), field(t('exceptions.note'), creditNote), h('button', { type: 'submit', class: 'primary' }, t('exceptions.creditButton'))], () =>
      decide('credit', { accountId: account.value.trim(), wallet: wallet.value, note: creditNote.value })(),
    ),
    form({ label: t('exceptions.attach'), class: 'decision' }, [h('h3', {}, t('exceptions.attach')), field(t('exceptions.orderNumber'), orderNumber), field(t('exceptions.rest'), rest), field(t('exceptions.note'), attachNote), h('button', { type: 'submit' }, t('exceptions.attachButton'))], () =>
      decide('attach', { orderNumber: orderNumber.value.trim(), note: attachNote.value, ...(rest.value ? { rest: rest.value } : {}) })(),
    ),
    form({ label: t('exceptions.refund'), class: 'decision' }, [h('h3', {}, t('exceptions.refund')), field(t('exceptions.note'), refundNote), h('button', { type: 'submit' }, t('exceptions.refundButton'))], () =>
      decide('refund', { note: refundNote.value })(),
    ),
    form({ label: t('exceptions.dismiss'), class: 'decision' }, [h('h3', {}, t('exceptions.dismiss')), field(t('exceptions.note'), dismissNote), h('button', { type: 'submit', class: 'danger' }, t('exceptions.dismissButton'))], () =>
      decide('dismiss', { note: dismissNote.value })(),
    ),
  );
}

function detail(e: ExceptionItem, all: boolean): HTMLElement {
  const titleId = `exception-${e.exceptionId}`;
  const { payment } = e;
  const source = payment.statement ? `${payment.statement.fileName}, line ${payment.statement.line}` : `${payment.method ?? 'gateway'} ${payment.providerRef ?? ''}`;
  return h(
    'section',
    { class: 'card review-detail', 'aria-labelledby': titleId },
    h('h2', { id: titleId, tabindex: -1, 'data-autofocus': true }, t('exceptions.detailTitle', { id: e.exceptionId })),
    facts([
      [t('exceptions.status'), statusBadge(e.status)],
      [t('exceptions.reason'), reasonLabel(e.reason)],
      [t('exceptions.amount'), h('strong', {}, money(payment.amount))],
      [t('exceptions.difference'), e.difference === null ? '—' : `${e.difference > 0 ? '+' : '−'}${money(Math.abs(e.difference))}`],
      [t('exceptions.openAmount'), money(e.openAmount)],
      [t('exceptions.received'), dateTime(payment.receivedAt)],
      [t('exceptions.source'), source],
      [t('exceptions.payer'), payment.payer ?? '—'],
      [t('exceptions.reference'), payment.reference],
      [t('exceptions.suggested'), e.suggestion.orderNumber ?? '—'],
    ]),
    h('h3', {}, t('exceptions.history')),
    h('ul', { class: 'history' }, ...e.history.map((step) => h('li', {}, `${dateTime(step.at)} · ${step.action}${step.amount !== undefined ? ` ${money(step.amount)}` : ''}${step.orderNumber ? ` · ${step.orderNumber}` : ''}${step.note ? ` · ${step.note}` : ''}`))),
    e.status !== 'open' ? null : me().role === 'finance' ? decisionForms(e, all) : notice(t('exceptions.readOnly')),
  );
}

export async function exceptionsPage(ctx: PageContext): Promise<void> {
  const all = ctx.query.get('status') === 'all';
  const selected = ctx.query.get('exception');
  const queue = await api<Page<ExceptionItem>>('GET', `/v1/finance/exceptions?pageSize=100&status=${all ? 'all' : 'unresolved'}`);
  ctx.main.append(
    heading(t('exceptions.title')),
    h('p', { class: 'lead' }, t('exceptions.intro')),
    h('p', {}, h('a', { href: exceptionsUrl(!all) }, all ? t('exceptions.showUnresolved') : t('exceptions.showResolved'))),
  );
  if (!queue.items.length) ctx.main.append(h('p', { class: 'empty' }, t('exceptions.empty')));
  else {
    const head = [t('exceptions.received'), t('exceptions.age'), t('exceptions.reason'), t('exceptions.amount'), t('exceptions.reference'), t('exceptions.suggested'), t('exceptions.status'), ''];
    ctx.main.append(
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'queue' },
          h('caption', { class: 'visually-hidden' }, t('exceptions.title')),
          h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            {},
            ...queue.items.map((e) =>
              h(
                'tr',
                { 'data-exception': e.exceptionId, class: e.exceptionId === selected ? 'selected' : '' },
                h('th', { scope: 'row' }, dateTime(e.payment.receivedAt)),
                h('td', {}, duration(e.ageSeconds)),
                h('td', {}, reasonLabel(e.reason)),
                amountCell(e),
                h('td', { class: 'reference' }, e.payment.reference),
                h('td', {}, e.suggestion.orderNumber ?? '—'),
                h('td', {}, statusBadge(e.status)),
                h('td', {}, h('a', { class: 'button small', href: exceptionsUrl(all, e.exceptionId), 'aria-label': `${t('exceptions.open')} ${e.exceptionId}` }, t('exceptions.open'))),
              ),
            ),
          ),
        ),
      ),
    );
  }
  const item = queue.items.find((e) => e.exceptionId === selected);
  if (item) ctx.main.append(detail(item, all));
}
