/**
 * Subscriptions and their invoices (issue 21, seed 002): each service with its price, cycle and status; its renewal
 * invoices with their PDFs; an unpaid one paid by bank transfer (the Top Up wizard's slip steps) or online (the online
 * order's confirmation page: virtual account, credit card or e-wallet). The owner stops a service at the end of the
 * period paid. Provider staff read every account's.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime, money } from '../format';
import { form, modal } from '../forms';
import { t, type MessageKey } from '../i18n';
import { navigate, type PageContext } from '../router';
import { isCustomer, me, role } from '../session';
import type { AnyOrder, Invoice, Subscription } from '../types';
import { download, facts, flash, heading } from '../ui';
import { table, td } from './listing';

function refresh(): void {
  navigate(location.pathname + location.search, { replace: true });
}

function statusOf(kind: 'subscription' | 'invoice', status: string): HTMLElement {
  return h('span', { class: `status status-${kind}-${status}` }, t(`${kind === 'subscription' ? 'subscriptions' : 'invoices'}.status.${status}` as MessageKey));
}

function stopDialog(subscription: Subscription): void {
  modal(t('subscriptions.stopTitle', { product: subscription.product }), (close) => [
    form(
      { label: t('subscriptions.stopTitle', { product: subscription.product }) },
      [
        h('p', {}, t('subscriptions.stopBody')),
        h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, t('app.cancel')), h('button', { type: 'submit', class: 'danger' }, t('subscriptions.stop'))),
      ],
      async () => {
        const stopped = await api<Subscription>('POST', `/v1/subscriptions/${subscription.id}/stop`);
        close();
        flash(t('subscriptions.stopped', { product: stopped.product, date: stopped.stop?.endsOn ?? '' }));
        refresh();
      },
    ),
  ]);
}

/** Starts paying an unpaid invoice: an order that settles it, continued where such orders are paid. */
async function pay(invoice: Invoice, method: 'bank_transfer' | 'online', alert: HTMLElement): Promise<void> {
  try {
    const order = await api<AnyOrder>('POST', `/v1/invoices/${invoice.id}/pay`, { paymentMethod: method });
    navigate(method === 'online' ? `/online/${order.orderNumber}` : `/top-up?order=${order.orderNumber}`);
  } catch (err) {
    alert.textContent = t('app.error', { message: err instanceof Error ? err.message : String(err) });
    alert.hidden = false;
    alert.focus();
  }
}

function invoiceRow(invoice: Invoice, timeZone: string, alert: HTMLElement): HTMLTableRowElement {
  const payable = invoice.status === 'unpaid' && isCustomer();
  const button = (label: string, onclick: () => void, cls = 'small') => h('button', { type: 'button', class: cls, 'aria-label': `${label} ${invoice.id}`, onclick }, label);
  return h(
    'tr',
    { 'data-invoice': invoice.id, 'data-status': invoice.status },
    h('th', { scope: 'row' }, invoice.id),
    td(t('subscriptions.period', { start: invoice.periodStart, end: invoice.periodEnd })),
    td(money(invoice.amount), 'num'),
    td(dateTime(invoice.issuedAt, timeZone)),
    td(dateTime(invoice.dueAt, timeZone)),
    td(statusOf('invoice', invoice.status)),
    td(
      h(
        'div',
        { class: 'row-actions' },
        button(t('subscriptions.pdf'), () => void download(`/v1/invoices/${invoice.id}.pdf`, `invoice-${invoice.id}.pdf`)),
        payable ? button(t('subscriptions.payBankTransfer'), () => void pay(invoice, 'bank_transfer', alert), 'small primary') : null,
        payable ? button(t('subscriptions.payOnline'), () => void pay(invoice, 'online', alert), 'small primary') : null,
      ),
    ),
  );
}

function subscriptionCard(subscription: Subscription, invoices: Invoice[], timeZone: string): HTMLElement {
  const titleId = `subscription-${subscription.id}`;
  const alert = h('div', { class: 'form-alert', role: 'alert', tabindex: -1, hidden: true });
  const stop = subscription.stop;
  const ended = subscription.status === 'stopped' || subscription.status === 'cancelled';
  const canStop = role() === 'owner' && !stop && !ended;
  const rows = invoices.map((i) => invoiceRow(i, timeZone, alert));
  return h(
    'section',
    { class: 'card subscription', 'aria-labelledby': titleId, 'data-subscription': subscription.id },
    h('h2', { id: titleId }, subscription.product),
    facts([
      [t('subscriptions.status'), statusOf('subscription', subscription.status)],
      [t('subscriptions.price'), t('subscriptions.every', { price: money(subscription.price), months: subscription.cycleMonths })],
      [t('subscriptions.started'), subscription.startDate],
      ...(isCustomer() ? [] : ([[t('orders.account'), subscription.accountId]] as [string, string][])),
      ...(stop && !ended ? ([[t('subscriptions.endsOn'), h('strong', {}, t('subscriptions.stopAsked', { date: stop.endsOn, by: stop.requestedBy }))]] as [string, HTMLElement][]) : []),
      ...(subscription.stoppedAt ? ([[t('subscriptions.stoppedAt'), dateTime(subscription.stoppedAt, timeZone)]] as [string, string][]) : []),
    ]),
    canStop ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', onclick: () => stopDialog(subscription) }, t('subscriptions.stop'))) : null,
    alert,
    h('h3', {}, t('subscriptions.invoices')),
    rows.length
      ? table(t('subscriptions.invoices'), 'invoices', [t('subscriptions.invoice'), t('subscriptions.periodHead'), t('documents.amount'), t('documents.issued'), t('subscriptions.due'), t('orders.status'), t('orders.action')], rows)
      : h('p', { class: 'empty' }, t('subscriptions.noInvoices')),
  );
}

export async function subscriptionsPage(ctx: PageContext): Promise<void> {
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  const [subscriptions, invoices] = await Promise.all([api<{ items: Subscription[] }>('GET', '/v1/subscriptions'), api<{ items: Invoice[] }>('GET', '/v1/invoices')]);
  ctx.main.append(heading(t('subscriptions.title')), h('p', { class: 'lead' }, t('subscriptions.intro')));
  if (!subscriptions.items.length) {
    ctx.main.append(h('p', { class: 'empty' }, t('subscriptions.empty')));
    return;
  }
  // Newest invoice first under each service.
  const of = (id: string) => invoices.items.filter((i) => i.subscriptionId === id).reverse();
  ctx.main.append(...subscriptions.items.map((s) => subscriptionCard(s, of(s.id), timeZone)));
}
