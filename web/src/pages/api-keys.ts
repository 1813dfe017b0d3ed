/**
 * API keys for programs: an owner makes them for its account (acting as itself or one of its PICs), an admin for
 * the provider's finance, ops and service users. The key is shown once, right after it is made; lists show its
 * prefix, scopes, expiry and last use. Revoking stops it at once.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime } from '../format';
import { field, form, modal, showProblems } from '../forms';
import { t } from '../i18n';
import { roleLabel } from '../names';
import { navigate, type PageContext } from '../router';
import { me } from '../session';
import type { ApiKey, Scope, User } from '../types';
import { flash, heading, notice } from '../ui';

function refresh(): void {
  navigate(location.pathname, { replace: true });
}

function revokeDialog(key: ApiKey): void {
  modal(t('keys.revokeTitle', { name: key.name }), (close) => [
    form(
      { label: t('keys.revokeTitle', { name: key.name }) },
      [h('p', {}, t('keys.revokeBody')), h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, t('app.cancel')), h('button', { type: 'submit', class: 'danger' }, t('keys.revoke')))],
      async () => {
        await api('DELETE', `/v1/api-keys/${key.id}`);
        close();
        flash(t('keys.revoked', { name: key.name }));
        refresh();
      },
    ),
  ]);
}

function keyTable(keys: ApiKey[]): HTMLElement {
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  const when = (iso: string | null) => (iso ? dateTime(iso, timeZone) : '—');
  if (!keys.length) return h('p', { class: 'empty' }, t('keys.empty'));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'api-keys' },
      h('caption', { class: 'visually-hidden' }, t('keys.title')),
      h('thead', {}, h('tr', {}, ...[t('keys.name'), t('keys.prefix'), t('keys.actsAs'), t('keys.scopes'), t('keys.expires'), t('keys.lastUsed'), t('users.status'), t('orders.action')].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...keys.map((k) =>
          h(
            'tr',
            { 'data-key': k.name },
            h('th', { scope: 'row' }, k.name),
            h('td', {}, h('code', {}, k.prefix ? `${k.prefix}…` : t('keys.legacy'))),
            h('td', {}, `${k.user.username} (${roleLabel(k.user.role)})`),
            h('td', {}, k.scopes.join(', ')),
            h('td', {}, when(k.expiresAt)),
            h('td', {}, when(k.lastUsedAt)),
            h('td', {}, k.revokedAt ? t('keys.revokedState') : t('keys.active')),
            h('td', {}, k.revokedAt ? null : h('button', { type: 'button', class: 'small danger', 'aria-label': `${t('keys.revoke')} ${k.name}`, onclick: () => revokeDialog(k) }, t('keys.revoke'))),
          ),
        ),
      ),
    ),
  );
}

/** The users a new key may act as: an owner itself and its PICs; for an admin, finance, ops and service users. */
function holders(users: User[]): User[] {
  return users.filter((u) => u.status !== 'removed' && (me().role === 'owner' ? u.role === 'owner' || u.role === 'pic' : ['finance', 'ops', 'service'].includes(u.role)));
}

function createForm(users: User[], shown: HTMLElement): HTMLFormElement {
  const admin = me().role === 'admin';
  const name = h('input', { name: 'name', type: 'text', required: true, maxlength: 100 });
  const scopes: Scope[] = admin ? ['read', 'write', 'usage'] : ['read', 'write'];
  const boxes = scopes.map((s) => h('input', { type: 'checkbox', name: 'scopes', value: s, checked: s !== 'usage' }));
  const expires = h('input', { name: 'expiresAt', type: 'date' });
  const holder = h('select', { name: 'userId' }, ...holders(users).map((u) => h('option', { value: u.id, selected: u.id === me().userId }, `${u.username} (${roleLabel(u.role)})`)));
  return form(
    { label: t('keys.create'), class: 'card narrow' },
    [
      field(t('keys.name'), name, t('keys.nameHint')),
      h('fieldset', { class: 'scopes' }, h('legend', {}, t('keys.scopes')), ...boxes.map((box) => h('label', { class: 'choice' }, box, ` ${box.value}: ${t(`keys.scope.${box.value as Scope}`)}`))),
      field(t('keys.actsAs'), holder, t('keys.actsAsHint')),
      field(t('keys.expires'), expires, t('keys.expiresHint')),
      h('button', { type: 'submit', class: 'primary' }, t('keys.createButton')),
    ],
    async (el) => {
      const chosen = boxes.filter((b) => b.checked).map((b) => b.value as Scope);
      if (!chosen.length) return showProblems(el, [], t('keys.scopeRequired'));
      const body = {
        name: name.value.trim(),
        scopes: chosen,
        userId: holder.value,
        expiresAt: expires.value ? new Date(`${expires.value}T23:59:59`).toISOString() : null,
      };
      const created = await api<ApiKey & { secret: string }>('POST', '/v1/api-keys', body);
      name.value = '';
      // Shown this once: the API keeps only its SHA-256.
      shown.replaceChildren(
        h(
          'section',
          { class: 'card new-key', 'aria-labelledby': 'new-key-title' },
          h('h2', { id: 'new-key-title', tabindex: -1 }, t('keys.createdTitle', { name: created.name })),
          notice(t('keys.createdOnce'), 'warn'),
          h('p', {}, h('code', { class: 'secret', 'data-secret': '' }, created.secret)),
          h('button', { type: 'button', onclick: () => refresh() }, t('keys.done')),
        ),
      );
      shown.querySelector<HTMLElement>('#new-key-title')?.focus();
    },
  );
}

export async function apiKeysPage(ctx: PageContext): Promise<void> {
  const [{ items: keys }, { items: users }] = await Promise.all([api<{ items: ApiKey[] }>('GET', '/v1/api-keys'), api<{ items: User[] }>('GET', '/v1/users')]);
  const shown = h('div', {});
  ctx.main.append(heading(t('keys.title')), h('p', { class: 'lead' }, t('keys.intro')), shown, keyTable(keys), h('h2', {}, t('keys.create')), createForm(users, shown));
}
