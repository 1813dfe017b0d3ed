/** Sign-in with a bearer token; the token is checked with GET /v1/me and kept in sessionStorage. */
import { ApiError } from '../api';
import { h } from '../dom';
import { field, form, showProblems } from '../forms';
import { t } from '../i18n';
import type { PageContext } from '../router';
import type { Me } from '../types';
import { heading } from '../ui';

export function signInPage(ctx: PageContext, signIn: (token: string) => Promise<Me>): void {
  const input = h('input', { name: 'token', type: 'password', autocomplete: 'current-password', required: true, spellcheck: 'false' });
  const signInForm = form({ label: t('signIn.title'), class: 'card narrow' }, [field(t('signIn.token'), input), h('button', { type: 'submit', class: 'primary' }, t('signIn.submit'))], async (el) => {
    const token = input.value.trim();
    if (!token) return showProblems(el, [{ path: 'token', rule: t('signIn.required') }], '');
    try {
      const who = await signIn(token);
      if (who.role === 'service') throw new ApiError(403, 'forbidden', t('signIn.service'), [{ path: 'token', rule: t('signIn.service') }]);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return showProblems(el, [{ path: 'token', rule: t('signIn.invalid') }], '');
      throw err;
    }
  });
  ctx.main.append(heading(t('signIn.title')), h('p', { class: 'lead' }, t('signIn.intro')), signInForm);
  input.focus();
}
