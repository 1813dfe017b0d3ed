/**
 * Webhook endpoints (issue 20): an owner (or an admin, for any account) registers the URLs the service POSTs signed
 * events to, sees each one's state and queue, rotates its secret, sends a test event, resumes a failing one; each
 * endpoint's page shows its delivery log, where one event can be redelivered. Ops read. The signing secret is shown
 * once, right after it is made.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime } from '../format';
import { field, form, modal } from '../forms';
import { t } from '../i18n';
import { navigate, type PageContext } from '../router';
import { me, role } from '../session';
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../types';
import { facts, flash, heading, notice } from '../ui';
import { accountPicker, accountQuery } from './account-picker';

/** The event types an endpoint may take (GET /openapi.json lists them too). */
const EVENT_TYPES = ['order.status_changed', 'balance.low', 'balance.auto_topup_succeeded', 'balance.auto_topup_failed', 'invoice.issued', 'invoice.paid', 'invoice.unpaid', 'payment.exception_opened'];

const manages = () => role() === 'owner' || role() === 'admin';
const timeZone = () => me().account?.timeZone ?? 'Asia/Jakarta';
const when = (iso: string | null) => (iso ? dateTime(iso, timeZone()) : '—');

function refresh(): void {
  navigate(location.pathname + location.search, { replace: true });
}

function stateLabel(e: WebhookEndpoint): string {
  if (!e.enabled) return t('hooks.disabled');
  return e.status === 'failing' ? t('hooks.failing') : t('hooks.active');
}

/** Shows a signing secret once, with the warning that it is not shown again. */
function showSecret(shown: HTMLElement, title: string, secret: string): void {
  shown.replaceChildren(
    h(
      'section',
      { class: 'card new-key', 'aria-labelledby': 'new-secret-title' },
      h('h2', { id: 'new-secret-title', tabindex: -1 }, title),
      notice(t('hooks.secretOnce'), 'warn'),
      h('p', {}, h('code', { class: 'secret', 'data-secret': '' }, secret)),
      h('button', { type: 'button', onclick: () => refresh() }, t('keys.done')),
    ),
  );
  shown.querySelector<HTMLElement>('#new-secret-title')?.focus();
}

function confirmDialog(title: string, body: string, action: string, run: () => Promise<void>): void {
  modal(title, (close) => [
    form({ label: title }, [h('p', {}, body), h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, t('app.cancel')), h('button', { type: 'submit', class: 'danger' }, action))], async () => {
      await run();
      close();
    }),
  ]);
}

/** The buttons of one endpoint for those who manage it. */
function actions(e: WebhookEndpoint, shown: HTMLElement): HTMLElement {
  const base = `/v1/webhook-endpoints/${e.id}`;
  const button = (label: string, onclick: () => void, cls = 'small') => h('button', { type: 'button', class: cls, 'aria-label': `${label} ${e.url}`, onclick }, label);
  return h(
    'div',
    { class: 'row-actions' },
    button(t('hooks.sendTest'), () => {
      void api<{ outcome: { delivered: boolean; statusCode: number | null; error: string | null } | null }>('POST', `${base}/test`).then((r) => {
        flash(r.outcome ? (r.outcome.delivered ? t('hooks.testDelivered', { status: r.outcome.statusCode ?? '' }) : t('hooks.testFailed', { error: r.outcome.error ?? '' })) : t('hooks.testQueued'));
        refresh();
      });
    }),
    e.status === 'failing'
      ? button(t('hooks.resume'), () => {
          void api('POST', `${base}/resume`).then(() => {
            flash(t('hooks.resumed', { url: e.url }));
            refresh();
          });
        })
      : null,
    button(e.enabled ? t('hooks.disable') : t('hooks.enable'), () => void api('PATCH', base, { enabled: !e.enabled }).then(refresh)),
    button(t('hooks.rotate'), () =>
      confirmDialog(t('hooks.rotateTitle'), t('hooks.rotateBody'), t('hooks.rotate'), async () => {
        const rotated = await api<{ secret: string }>('POST', `${base}/rotate-secret`);
        showSecret(shown, t('hooks.rotatedTitle', { url: e.url }), rotated.secret);
      }),
    ),
    button(
      t('hooks.delete'),
      () =>
        confirmDialog(t('hooks.deleteTitle', { url: e.url }), t('hooks.deleteBody'), t('hooks.delete'), async () => {
          await api('DELETE', base);
          flash(t('hooks.deleted', { url: e.url }));
          refresh();
        }),
      'small danger',
    ),
  );
}

function endpointTable(endpoints: WebhookEndpoint[], shown: HTMLElement, accountQuery: string): HTMLElement {
  if (!endpoints.length) return h('p', { class: 'empty' }, t('hooks.empty'));
  const columns = [t('hooks.url'), t('hooks.events'), t('users.status'), t('hooks.pending'), t('orders.action')];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'webhooks' },
      h('caption', { class: 'visually-hidden' }, t('hooks.title')),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...endpoints.map((e) =>
          h(
            'tr',
            { 'data-endpoint': e.url },
            h('th', { scope: 'row' }, h('a', { href: `/webhooks/${e.id}${accountQuery}` }, e.url), e.description ? h('div', { class: 'hint' }, e.description) : null),
            h('td', {}, e.eventTypes.join(', ')),
            h('td', {}, h('span', { class: `status status-webhook-${e.enabled ? e.status : 'disabled'}` }, stateLabel(e)), e.failingReason ? h('div', { class: 'hint' }, e.failingReason) : null),
            h('td', {}, String(e.pendingEvents)),
            h('td', {}, manages() ? actions(e, shown) : null),
          ),
        ),
      ),
    ),
  );
}

function createForm(accountId: string, shown: HTMLElement): HTMLFormElement {
  const url = h('input', { name: 'url', type: 'url', required: true, placeholder: 'https://example.com/topup-webhooks', maxlength: 2000 });
  const description = h('input', { name: 'description', type: 'text', maxlength: 200 });
  const boxes = EVENT_TYPES.map((type) => h('input', { type: 'checkbox', name: 'eventTypes', value: type, checked: true }));
  return form(
    { label: t('hooks.create'), class: 'card narrow' },
    [
      field(t('hooks.url'), url, t('hooks.urlHint')),
      field(t('hooks.description'), description),
      h('fieldset', { class: 'scopes' }, h('legend', {}, t('hooks.events')), ...boxes.map((box) => h('label', { class: 'choice' }, box, ` ${box.value}`))),
      h('button', { type: 'submit', class: 'primary' }, t('hooks.createButton')),
    ],
    async () => {
      const body = { url: url.value.trim(), description: description.value.trim(), eventTypes: boxes.filter((b) => b.checked).map((b) => b.value), ...(role() === 'admin' ? { accountId } : {}) };
      const created = await api<WebhookEndpoint & { secret: string }>('POST', '/v1/webhook-endpoints', body);
      showSecret(shown, t('hooks.createdTitle', { url: created.url }), created.secret);
    },
  );
}

/** The list of an account's endpoints, and the form to add one. */
export async function webhooksPage(ctx: PageContext): Promise<void> {
  ctx.main.append(heading(t('hooks.title')), h('p', { class: 'lead' }, t('hooks.intro')));
  const { accountId, picker } = accountPicker(ctx);
  if (picker) ctx.main.append(picker);
  if (!accountId) return;
  const { items } = await api<{ items: WebhookEndpoint[] }>('GET', `/v1/webhook-endpoints${accountQuery(accountId)}`);
  const shown = h('div', {});
  ctx.main.append(shown, endpointTable(items, shown, accountQuery(accountId)));
  if (manages()) ctx.main.append(h('h2', {}, t('hooks.create')), createForm(accountId, shown));
}

function attemptTable(endpoint: WebhookEndpoint, attempts: WebhookAttempt[]): HTMLElement {
  if (!attempts.length) return h('p', { class: 'empty' }, t('hooks.noAttempts'));
  const columns = [t('hooks.when'), t('hooks.event'), t('hooks.kind'), t('hooks.attempt'), t('hooks.statusCode'), t('hooks.latency'), t('hooks.answer'), t('orders.action')];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'webhook-attempts' },
      h('caption', { class: 'visually-hidden' }, t('hooks.log')),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...attempts.map((a) =>
          h(
            'tr',
            { 'data-attempt': a.id, class: a.delivered ? 'delivered' : 'failed' },
            h('td', {}, when(a.attemptedAt)),
            h('td', {}, h('code', {}, a.eventId), h('div', { class: 'hint' }, a.eventType)),
            h('td', {}, t(`hooks.kind.${a.kind}`)),
            h('td', {}, String(a.attempt)),
            h('td', {}, a.statusCode === null ? '—' : String(a.statusCode), ' ', a.delivered ? t('hooks.delivered') : t('hooks.notDelivered')),
            h('td', {}, `${a.latencyMs} ms`),
            h('td', {}, a.error ?? '', a.responseExcerpt ? h('div', { class: 'hint' }, a.responseExcerpt) : null),
            h(
              'td',
              {},
              manages() && a.kind !== 'test'
                ? h(
                    'button',
                    {
                      type: 'button',
                      class: 'small',
                      'aria-label': `${t('hooks.redeliver')} ${a.eventId}`,
                      onclick: () =>
                        void api<{ outcome: { delivered: boolean; statusCode: number | null } | null }>('POST', `/v1/webhook-endpoints/${endpoint.id}/events/${a.eventId}/redeliver`).then((r) => {
                          flash(r.outcome?.delivered ? t('hooks.redelivered', { status: r.outcome.statusCode ?? '' }) : t('hooks.redeliverFailed'));
                          refresh();
                        }),
                    },
                    t('hooks.redeliver'),
                  )
                : null,
            ),
          ),
        ),
      ),
    ),
  );
}

function queueTable(deliveries: WebhookDelivery[]): HTMLElement {
  if (!deliveries.length) return h('p', { class: 'empty' }, t('hooks.noEvents'));
  const columns = ['#', t('hooks.event'), t('hooks.created'), t('users.status'), t('hooks.attempts'), t('hooks.lastAttempt')];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'webhook-queue' },
      h('caption', { class: 'visually-hidden' }, t('hooks.queue')),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...deliveries.map((d) =>
          h(
            'tr',
            {},
            h('td', {}, String(d.seq)),
            h('td', {}, h('code', {}, d.eventId), h('div', { class: 'hint' }, d.eventType)),
            h('td', {}, when(d.eventCreatedAt)),
            h('td', {}, d.state === 'delivered' ? t('hooks.delivered') : t('hooks.pendingState')),
            h('td', {}, String(d.attempts)),
            h('td', {}, d.lastAttemptAt ? `${when(d.lastAttemptAt)} (${d.lastStatusCode ?? '—'})` : '—'),
          ),
        ),
      ),
    ),
  );
}

/** One endpoint: its state, its delivery log (with redeliver) and its queue. */
export async function webhookEndpointPage(ctx: PageContext): Promise<void> {
  const base = `/v1/webhook-endpoints/${encodeURIComponent(ctx.params.endpointId!)}`;
  const [endpoint, attempts, queue] = await Promise.all([
    api<WebhookEndpoint>('GET', base),
    api<{ items: WebhookAttempt[] }>('GET', `${base}/attempts?pageSize=50`),
    api<{ items: WebhookDelivery[] }>('GET', `${base}/deliveries?pageSize=50`),
  ]);
  ctx.main.append(
    heading(t('hooks.endpointTitle', { url: endpoint.url })),
    h('p', {}, h('a', { href: `/webhooks${accountQuery(endpoint.accountId)}` }, t('hooks.back'))),
    facts([
      [t('users.status'), stateLabel(endpoint)],
      [t('hooks.events'), endpoint.eventTypes.join(', ')],
      [t('hooks.pending'), String(endpoint.pendingEvents)],
      [t('hooks.secretRotated'), when(endpoint.secretRotatedAt)],
      [t('hooks.failingSince'), when(endpoint.failingSince)],
    ]),
    h('h2', {}, t('hooks.log')),
    attemptTable(endpoint, attempts.items),
    h('h2', {}, t('hooks.queue')),
    queueTable(queue.items),
  );
}
