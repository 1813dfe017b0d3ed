/**
 * Admins onboard customers: the accounts, a new account with its owner (invited by email at once), and an
 * account's page with its settings, suspension and users (an owner whose invitation lapsed is invited again here).
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime } from '../format';
import { field, form } from '../forms';
import { t } from '../i18n';
import { navigate, type PageContext } from '../router';
import type { Account, Page, User } from '../types';
import { errorNotice, flash, heading } from '../ui';
import { accountFacts, accountSettingsForm } from './account';
import { userTable } from './users';

function createAccountForm(): HTMLFormElement {
  const input = (name: string, type = 'text', value = '') => h('input', { name, type, value, spellcheck: 'false' });
  const companyName = input('companyName');
  const locale = h('select', { name: 'locale' }, ...(['en', 'id'] as const).map((l) => h('option', { value: l }, t(`locale.${l}`))));
  const timeZone = input('timeZone', 'text', 'Asia/Jakarta');
  const currency = h('select', { name: 'currency' }, h('option', { value: 'IDR' }, 'IDR'));
  const billingEmail = input('billingEmail', 'email');
  const address = h('textarea', { name: 'address', rows: 2 });
  const ownerUsername = input('owner.username');
  const ownerEmail = input('owner.email', 'email');
  return form(
    { label: t('accounts.create'), class: 'card' },
    [
      field(t('account.companyName'), companyName),
      field(t('account.locale'), locale, t('account.localeHint')),
      field(t('account.timeZone'), timeZone, t('account.timeZoneHint')),
      field(t('account.currency'), currency, t('account.currencyHint')),
      field(t('account.billingEmail'), billingEmail, t('account.billingEmailHint')),
      field(t('account.address'), address),
      h('h3', {}, t('accounts.owner')),
      field(t('signIn.username'), ownerUsername, t('users.usernameHint')),
      field(t('account.email'), ownerEmail, t('accounts.ownerEmailHint')),
      h('button', { type: 'submit', class: 'primary' }, t('accounts.createButton')),
    ],
    async () => {
      const created = await api<Account & { owner: User }>('POST', '/v1/accounts', {
        companyName: companyName.value.trim(),
        locale: locale.value,
        timeZone: timeZone.value.trim(),
        currency: currency.value,
        billingEmail: billingEmail.value.trim() || null,
        address: address.value.trim() || null,
        owner: { username: ownerUsername.value.trim(), email: ownerEmail.value.trim() },
      });
      flash(t('accounts.created', { company: created.companyName, email: created.owner.email }));
      navigate(`/accounts/${created.id}`);
    },
  );
}

export async function accountsPage(ctx: PageContext): Promise<void> {
  const page = await api<Page<Account>>('GET', '/v1/accounts?pageSize=100');
  const rows = page.items.map((a) =>
    h(
      'tr',
      { 'data-account': a.id },
      h('th', { scope: 'row' }, h('a', { href: `/accounts/${a.id}` }, a.companyName)),
      h('td', {}, a.id),
      h('td', {}, a.currency),
      h('td', {}, t(`locale.${a.locale}`)),
      h('td', {}, t(`account.status.${a.status}`)),
      h('td', {}, dateTime(a.createdAt)),
    ),
  );
  ctx.main.append(
    heading(t('accounts.title')),
    page.items.length
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            {},
            h('caption', { class: 'visually-hidden' }, t('accounts.title')),
            h('thead', {}, h('tr', {}, ...[t('account.companyName'), t('account.id'), t('account.currency'), t('account.locale'), t('account.status'), t('orders.creationTime')].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, ...rows),
          ),
        )
      : h('p', { class: 'empty' }, t('accounts.empty')),
    h('h2', {}, t('accounts.create')),
    createAccountForm(),
  );
}

export async function accountDetailPage(ctx: PageContext): Promise<void> {
  const id = ctx.params.accountId!;
  const [account, { items: users }] = await Promise.all([api<Account>('GET', `/v1/accounts/${encodeURIComponent(id)}`), api<{ items: User[] }>('GET', `/v1/users?accountId=${encodeURIComponent(id)}`)]);
  const refresh = () => navigate(location.pathname, { replace: true });
  const suspend = account.status === 'active';
  ctx.main.append(
    heading(account.companyName),
    accountFacts(account),
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          type: 'button',
          class: suspend ? 'danger' : 'primary',
          onclick: () =>
            void api('POST', `/v1/accounts/${account.id}/${suspend ? 'suspend' : 'reactivate'}`).then(
              () => {
                flash(t(suspend ? 'accounts.suspended' : 'accounts.reactivated', { company: account.companyName }));
                refresh();
              },
              (err: unknown) => ctx.main.prepend(errorNotice(err)),
            ),
        },
        t(suspend ? 'accounts.suspend' : 'accounts.reactivate'),
      ),
    ),
    h('h2', {}, t('users.title')),
    userTable(users),
    h('h2', {}, t('account.settings')),
    accountSettingsForm(account, { currency: true }, (saved) => {
      flash(t('account.saved'));
      navigate(`/accounts/${saved.id}`, { replace: true });
    }),
  );
}
