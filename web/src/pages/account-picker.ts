/** Provider staff choose the customer account a page shows (?accountId=); a customer's page shows its own account. */
import { h } from '../dom';
import { field, form } from '../forms';
import { t } from '../i18n';
import { navigate, type PageContext } from '../router';
import { me } from '../session';

/** The account the page shows, and (for staff) the small form that picks it. */
export function accountPicker(ctx: PageContext): { accountId: string | null; picker: HTMLElement | null } {
  if (me().account) return { accountId: me().account!.id, picker: null };
  const accountId = ctx.query.get('accountId');
  const input = h('input', { name: 'accountId', type: 'text', required: true, value: accountId ?? '', maxlength: 100 });
  const picker = form({ label: t('hooks.pickAccount'), class: 'card narrow' }, [field(t('hooks.account'), input, t('hooks.accountHint')), h('button', { type: 'submit' }, t('hooks.show'))], async () => {
    navigate(`${location.pathname}?accountId=${encodeURIComponent(input.value.trim())}`);
  });
  return { accountId, picker };
}

/** `?accountId=…` for staff, empty for a customer (whose requests are scoped to its account anyway). */
export function accountQuery(accountId: string, prefix: '?' | '&' = '?'): string {
  return me().account ? '' : `${prefix}accountId=${encodeURIComponent(accountId)}`;
}
