/**
 * Sign-in with a username and password (POST /v1/session): the API answers one message whatever was wrong, and
 * holds back an address or a username that keeps failing (429 with the wait).
 */
import { ApiError } from '../api';
import { h } from '../dom';
import { field, form, showProblems } from '../forms';
import { t } from '../i18n';
import type { PageContext } from '../router';
import { heading } from '../ui';

export function signInPage(ctx: PageContext, signIn: (username: string, password: string) => Promise<void>): void {
  const username = h('input', { name: 'username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const signInForm = form(
    { label: t('signIn.title'), class: 'card narrow' },
    [field(t('signIn.username'), username), field(t('signIn.password'), password), h('button', { type: 'submit', class: 'primary' }, t('signIn.submit'))],
    async (el) => {
      const problems = [
        ...(username.value.trim() ? [] : [{ path: 'username', rule: t('signIn.usernameRequired') }]),
        ...(password.value ? [] : [{ path: 'password', rule: t('signIn.passwordRequired') }]),
      ];
      if (problems.length) return showProblems(el, problems, '');
      try {
        await signIn(username.value.trim(), password.value);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return showProblems(el, [], t('signIn.invalid'));
        if (err instanceof ApiError && err.status === 429) return showProblems(el, [], t('signIn.held', { message: err.message }));
        throw err;
      }
    },
  );
  ctx.main.append(heading(t('signIn.title')), h('p', { class: 'lead' }, t('signIn.intro')), signInForm, h('p', {}, h('a', { href: '/forgot-password' }, t('signIn.forgot'))));
  username.focus();
}
