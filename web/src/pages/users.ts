/**
 * Users: an owner invites its PICs; an admin the provider's staff (admins, finance, ops) and services. Each
 * invitation is an email with a one-time link. The same people disable, enable, remove and invite again; an admin
 * gives staff another role. A disabled user's sessions and keys stop at once.
 */
import { api } from '../api';
import { h } from '../dom';
import { field, form, modal } from '../forms';
import { t, type MessageKey } from '../i18n';
import { roleLabel } from '../names';
import { navigate, type PageContext } from '../router';
import { me } from '../session';
import type { Role, User } from '../types';
import { dateTime } from '../format';
import { errorNotice, flash, heading, notice } from '../ui';

const STAFF_ROLES: Role[] = ['admin', 'finance', 'ops'];

function refresh(): void {
  navigate(location.pathname + location.search, { replace: true });
}

/** Runs a change to a user, then shows the page again with what happened; a refusal is shown at the top of the page. */
export async function change(user: User, action: () => Promise<unknown>, done: MessageKey): Promise<void> {
  try {
    await action();
  } catch (err) {
    document.getElementById('main')?.prepend(errorNotice(err));
    return;
  }
  flash(t(done, { username: user.username }));
  refresh();
}

function removeDialog(user: User): void {
  modal(t('users.removeTitle', { username: user.username }), (close) => [
    form(
      { label: t('users.removeTitle', { username: user.username }) },
      [h('p', {}, t('users.removeBody')), h('div', { class: 'actions' }, h('button', { type: 'button', onclick: close }, t('app.cancel')), h('button', { type: 'submit', class: 'danger' }, t('users.remove')))],
      async () => {
        await api('DELETE', `/v1/users/${user.id}`);
        close();
        flash(t('users.removed', { username: user.username }));
        refresh();
      },
    ),
  ]);
}

function roleSelect(user: User): HTMLElement {
  const select = h(
    'select',
    {
      'aria-label': t('users.roleOf', { username: user.username }),
      onchange: () => void change(user, () => api('PATCH', `/v1/users/${user.id}`, { role: select.value }), 'users.roleChanged'),
    },
    ...STAFF_ROLES.map((r) => h('option', { value: r, selected: r === user.role }, roleLabel(r))),
  );
  return select;
}

function actionsOf(user: User): HTMLElement {
  const self = user.id === me().userId;
  const button = (label: string, onclick: () => void, cls = 'small') => h('button', { type: 'button', class: cls, 'aria-label': `${label} ${user.username}`, onclick }, label);
  const buttons: HTMLElement[] = [];
  if (!self && (me().role === 'admin' || user.role === 'pic')) {
    if (user.status === 'invited') buttons.push(button(t('users.resend'), () => void change(user, () => api('POST', `/v1/users/${user.id}/invitation`), 'users.resent')));
    if (user.status === 'disabled') buttons.push(button(t('users.enable'), () => void change(user, () => api('POST', `/v1/users/${user.id}/enable`), 'users.enabled')));
    else buttons.push(button(t('users.disable'), () => void change(user, () => api('POST', `/v1/users/${user.id}/disable`), 'users.disabled')));
    buttons.push(button(t('users.remove'), () => removeDialog(user), 'small danger'));
  }
  return h('div', { class: 'row-actions' }, ...buttons);
}

/** The users as a table, with what the signed-in person may do to each. */
export function userTable(users: User[]): HTMLElement {
  const admin = me().role === 'admin';
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  if (!users.length) return h('p', { class: 'empty' }, t('users.empty'));
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'users' },
      h('caption', { class: 'visually-hidden' }, t('users.title')),
      h('thead', {}, h('tr', {}, ...[t('signIn.username'), t('account.email'), t('account.role'), t('users.status'), t('users.lastSignIn'), t('orders.action')].map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...users.map((u) =>
          h(
            'tr',
            { 'data-user': u.username },
            h('th', { scope: 'row' }, u.username),
            h('td', {}, u.email),
            h('td', {}, admin && STAFF_ROLES.includes(u.role) && u.id !== me().userId ? roleSelect(u) : roleLabel(u.role)),
            h('td', {}, h('span', { class: `user-status user-status-${u.status}` }, t(`users.status.${u.status}`))),
            h('td', {}, u.lastSignInAt ? dateTime(u.lastSignInAt, timeZone) : '—'),
            h('td', {}, actionsOf(u)),
          ),
        ),
      ),
    ),
  );
}

function inviteForm(): HTMLFormElement {
  const admin = me().role === 'admin';
  const username = h('input', { name: 'username', type: 'text', autocapitalize: 'none', spellcheck: 'false', required: true });
  const email = h('input', { name: 'email', type: 'email', required: true });
  const role = admin ? h('select', { name: 'role' }, ...(['finance', 'ops', 'admin', 'service'] as const).map((r) => h('option', { value: r }, roleLabel(r)))) : null;
  return form(
    { label: t('users.invite'), class: 'card narrow' },
    [
      field(t('signIn.username'), username, t('users.usernameHint')),
      field(t('account.email'), email, t('users.emailHint')),
      role ? field(t('account.role'), role, t('users.roleHint')) : null,
      h('button', { type: 'submit', class: 'primary' }, t('users.inviteButton')),
    ],
    async () => {
      const body = { username: username.value.trim(), email: email.value.trim(), ...(role ? { role: role.value } : {}) };
      const created = await api<User>('POST', '/v1/users', body);
      flash(created.role === 'service' ? t('users.serviceCreated', { username: created.username }) : t('users.invited', { username: created.username, email: created.email }));
      refresh();
    },
  );
}

export async function usersPage(ctx: PageContext): Promise<void> {
  const { items } = await api<{ items: User[] }>('GET', '/v1/users');
  const admin = me().role === 'admin';
  ctx.main.append(
    heading(t('users.title')),
    h('p', { class: 'lead' }, admin ? t('users.introAdmin') : t('users.introOwner')),
    userTable(items),
    h('h2', {}, admin ? t('users.invite') : t('users.invitePic')),
    inviteForm(),
    notice(t('users.inviteNote'), 'info'),
  );
}
