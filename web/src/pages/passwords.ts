/**
 * The pages a person opens without a session: choosing a password from an emailed link (an invitation, the first
 * admin's setup link, a reset), and asking for a reset link. The link's token is in the URL's fragment
 * (`/set-password#token=…`), which the browser never sends to a server, so it appears in no request log.
 */
import { api, ApiError } from '../api';
import { h } from '../dom';
import { field, form, showProblems } from '../forms';
import { t } from '../i18n';
import { navigate, type PageContext } from '../router';
import { flash, heading, notice } from '../ui';

/** What POST /v1/password-links/lookup answers. */
interface LinkInfo {
  username: string;
  purpose: 'setup' | 'invitation' | 'reset';
  expiresAt: string;
}

const MIN_LENGTH = 12;

/** `/set-password#token=…`: who the link is for, then the new password twice. */
export async function setPasswordPage(ctx: PageContext): Promise<void> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  ctx.main.append(heading(t('password.setTitle')));
  let link: LinkInfo;
  try {
    link = await api<LinkInfo>('POST', '/v1/password-links/lookup', { token });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    ctx.main.append(notice(t('password.invalidLink'), 'warn'), h('p', {}, h('a', { href: '/forgot-password' }, t('password.askNew'))));
    return;
  }
  // The username field lets a password manager store the new password under the right name.
  const username = h('input', { name: 'username', type: 'text', autocomplete: 'username', value: link.username, readonly: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', minlength: MIN_LENGTH, required: true });
  const repeat = h('input', { name: 'repeat', type: 'password', autocomplete: 'new-password', required: true });
  const intro = link.purpose === 'reset' ? t('password.resetIntro', { username: link.username }) : t('password.setIntro', { username: link.username });
  ctx.main.append(
    h('p', { class: 'lead' }, intro),
    form(
      { label: t('password.setTitle'), class: 'card narrow' },
      [
        field(t('signIn.username'), username),
        field(t('password.new'), password, t('password.rules', { min: MIN_LENGTH })),
        field(t('password.repeat'), repeat),
        h('button', { type: 'submit', class: 'primary' }, t('password.save')),
      ],
      async (el) => {
        if (password.value !== repeat.value) return showProblems(el, [{ path: 'repeat', rule: t('password.mismatch') }], '');
        try {
          await api('POST', '/v1/password-links/redeem', { token, password: password.value });
        } catch (err) {
          if (err instanceof ApiError && err.code === 'invalid_link') return showProblems(el, [], t('password.invalidLink'));
          throw err;
        }
        // The link is spent: leave its token out of the address bar and the history.
        history.replaceState(null, '', '/set-password');
        flash(t('password.saved'));
        navigate('/sign-in', { replace: true });
      },
    ),
  );
  password.focus();
}

/** `/forgot-password`: a username; the answer is the same whether it exists or not. */
export function forgotPasswordPage(ctx: PageContext): void {
  const username = h('input', { name: 'username', type: 'text', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true });
  const done = h('div', { role: 'status' });
  ctx.main.append(
    heading(t('password.forgotTitle')),
    h('p', { class: 'lead' }, t('password.forgotIntro')),
    form({ label: t('password.forgotTitle'), class: 'card narrow' }, [field(t('signIn.username'), username), h('button', { type: 'submit', class: 'primary' }, t('password.send'))], async (el) => {
      if (!username.value.trim()) return showProblems(el, [{ path: 'username', rule: t('signIn.usernameRequired') }], '');
      await api('POST', '/v1/password-resets', { username: username.value.trim() });
      done.replaceChildren(notice(t('password.sent'), 'ok'));
    }),
    done,
    h('p', {}, h('a', { href: '/sign-in' }, t('password.backToSignIn'))),
  );
  username.focus();
}
