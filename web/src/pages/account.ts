/**
 * The signed-in person's page: who they are, their account's settings (an owner changes them; the currency is the
 * provider's to set), and changing their password (their other sessions end).
 */
import { api } from '../api';
import { h, replaceChildren } from '../dom';
import { field, form, showProblems } from '../forms';
import { t } from '../i18n';
import { roleLabel } from '../names';
import type { PageContext } from '../router';
import { me } from '../session';
import type { Account } from '../types';
import { facts, heading, notice } from '../ui';

const MIN_LENGTH = 12;

/** The settings form of an account: an owner's own, or any for an admin (accounts.ts). */
export function accountSettingsForm(account: Account, opts: { currency: boolean }, saved: (account: Account) => void): HTMLFormElement {
  const companyName = h('input', { name: 'companyName', type: 'text', value: account.companyName, required: true, maxlength: 200 });
  const locale = h('select', { name: 'locale' }, ...(['en', 'id'] as const).map((l) => h('option', { value: l, selected: account.locale === l }, t(`locale.${l}`))));
  const timeZone = h('input', { name: 'timeZone', type: 'text', value: account.timeZone, required: true, spellcheck: 'false' });
  const currency = opts.currency ? h('select', { name: 'currency' }, h('option', { value: 'IDR', selected: true }, 'IDR')) : null;
  const billingEmail = h('input', { name: 'billingEmail', type: 'email', value: account.billingEmail ?? '' });
  const address = h('textarea', { name: 'address', rows: 2 }, account.address ?? '');
  return form(
    { label: t('account.settings'), class: 'card' },
    [
      field(t('account.companyName'), companyName),
      field(t('account.locale'), locale, t('account.localeHint')),
      field(t('account.timeZone'), timeZone, t('account.timeZoneHint')),
      currency ? field(t('account.currency'), currency, t('account.currencyHint')) : null,
      field(t('account.billingEmail'), billingEmail, t('account.billingEmailHint')),
      field(t('account.address'), address),
      h('button', { type: 'submit', class: 'primary' }, t('app.save')),
    ],
    async () => {
      const body = {
        companyName: companyName.value.trim(),
        locale: locale.value,
        timeZone: timeZone.value.trim(),
        ...(currency ? { currency: currency.value } : {}),
        billingEmail: billingEmail.value.trim() || null,
        address: address.value.trim() || null,
      };
      saved(await api<Account>('PATCH', `/v1/accounts/${account.id}`, body));
    },
  );
}

/** An account's settings as facts. */
export function accountFacts(account: Account): HTMLDListElement {
  return facts([
    [t('account.companyName'), account.companyName],
    [t('account.id'), account.id],
    [t('account.currency'), account.currency],
    [t('account.locale'), t(`locale.${account.locale}`)],
    [t('account.timeZone'), account.timeZone],
    [t('account.billingEmail'), account.billingEmail ?? '—'],
    [t('account.address'), account.address ?? '—'],
    [t('account.status'), t(`account.status.${account.status}`)],
  ]);
}

function passwordForm(): HTMLElement {
  const current = h('input', { name: 'currentPassword', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { name: 'newPassword', type: 'password', autocomplete: 'new-password', minlength: MIN_LENGTH, required: true });
  const repeat = h('input', { name: 'repeat', type: 'password', autocomplete: 'new-password', required: true });
  const done = h('div', { role: 'status' });
  const el = form(
    { label: t('account.changePassword'), class: 'card narrow' },
    [
      field(t('account.currentPassword'), current),
      field(t('password.new'), next, t('password.rules', { min: MIN_LENGTH })),
      field(t('password.repeat'), repeat),
      h('button', { type: 'submit', class: 'primary' }, t('account.changePassword')),
    ],
    async (formEl) => {
      if (next.value !== repeat.value) return showProblems(formEl, [{ path: 'repeat', rule: t('password.mismatch') }], '');
      const res = await api<{ otherSessionsEnded: number }>('POST', '/v1/me/password', { currentPassword: current.value, newPassword: next.value });
      for (const input of [current, next, repeat]) input.value = '';
      done.replaceChildren(notice(t('account.passwordChanged', { n: res.otherSessionsEnded }), 'ok'));
    },
  );
  return h('div', {}, el, done);
}

export async function accountPage(ctx: PageContext): Promise<void> {
  const user = me();
  ctx.main.append(heading(t('account.title')), facts([[t('signIn.username'), user.username], [t('account.email'), user.email], [t('account.role'), roleLabel(user.role)]]));
  if (user.account) {
    const account = await api<Account>('GET', `/v1/accounts/${user.account.id}`);
    const section = h('section', { 'aria-labelledby': 'account-settings' }, h('h2', { id: 'account-settings' }, t('account.settings')));
    const show = (current: Account, saved = false) => {
      replaceChildren(
        section,
        h('h2', { id: 'account-settings' }, t('account.settings')),
        saved ? notice(t('account.saved'), 'ok') : null,
        user.role === 'owner' ? accountSettingsForm(current, { currency: false }, (next) => show(next, true)) : accountFacts(current),
      );
    };
    show(account);
    ctx.main.append(section);
  }
  ctx.main.append(h('h2', {}, t('account.changePassword')), passwordForm());
}
