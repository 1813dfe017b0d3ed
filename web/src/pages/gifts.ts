/**
 * Gifts (issue 21): credit granted for free. Finance grants one to a customer's wallet with a reason and an optional
 * expiry day; everyone who may read sees each gift, what is left of it, and what expired. Usage spends gifts before
 * recharge; what is left at the expiry leaves the balance as its own statement line.
 */
import { api, idempotencyKey, idempotencyKeyFor } from '../api';
import { h } from '../dom';
import { dateTime, walletAmount } from '../format';
import { field, form, showProblems } from '../forms';
import { t, type MessageKey } from '../i18n';
import { walletLabel } from '../names';
import { navigate, type PageContext } from '../router';
import { isCustomer, me, role } from '../session';
import { WALLETS, type Gift, type Page } from '../types';
import { flash, heading } from '../ui';
import { parseAmount } from './amounts';
import { pager, table, td } from './listing';

const PATH = '/gifts';
const PAGE_SIZE = 20;
/** The day a gift expires ends at midnight in the provider's time zone (UTC+7, no daylight saving). */
const EXPIRY_OFFSET = '+07:00';

function grantForm(): HTMLFormElement {
  const key = idempotencyKey();
  const account = h('input', { name: 'accountId', type: 'text', required: true });
  const wallet = h('select', { name: 'wallet' }, ...WALLETS.map((w) => h('option', { value: w }, walletLabel(w))));
  const amount = h('input', { name: 'amount', type: 'text', inputmode: 'numeric', required: true });
  const reason = h('input', { name: 'reason', type: 'text', maxlength: 500, required: true });
  const expires = h('input', { name: 'expiresAt', type: 'date' });
  return form(
    { label: t('gifts.grant'), class: 'card narrow' },
    [
      h('h2', {}, t('gifts.grant')),
      field(t('gifts.account'), account),
      field(t('gifts.wallet'), wallet),
      field(t('gifts.amount'), amount),
      field(t('gifts.reason'), reason, t('gifts.reasonHint')),
      field(t('gifts.expires'), expires, t('gifts.expiresHint')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('gifts.grantButton'))),
    ],
    async (el) => {
      const value = parseAmount(amount.value);
      if (typeof value === 'string') return showProblems(el, [{ path: 'amount', rule: value }], '');
      const body = {
        accountId: account.value.trim(),
        wallet: wallet.value,
        amount: value,
        reason: reason.value.trim(),
        expiresAt: expires.value ? `${expires.value}T23:59:59${EXPIRY_OFFSET}` : null,
      };
      const gift = await api<Gift>('POST', '/v1/gifts', body, { 'Idempotency-Key': idempotencyKeyFor(key, body) });
      flash(t('gifts.granted', { amount: walletAmount(gift.wallet, gift.amount), company: gift.companyName }));
      navigate(PATH, { replace: true });
    },
  );
}

function row(gift: Gift, timeZone: string, staff: boolean): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-gift': gift.giftEntryId, 'data-status': gift.status },
    td(dateTime(gift.grantedAt, timeZone)),
    staff ? td([h('span', { class: 'company' }, gift.companyName), h('span', { class: 'muted account-id' }, gift.accountId)]) : null,
    td(walletLabel(gift.wallet)),
    td(walletAmount(gift.wallet, gift.amount), 'num'),
    td(walletAmount(gift.wallet, gift.remaining), 'num'),
    td(gift.reason),
    td(gift.expiresAt ? dateTime(gift.expiresAt, timeZone) : t('gifts.never')),
    td([
      h('span', { class: `status status-gift-${gift.status}` }, t(`gifts.status.${gift.status}` as MessageKey)),
      gift.status === 'expired' ? h('span', { class: 'muted' }, ` ${t('gifts.expiredAmount', { amount: walletAmount(gift.wallet, gift.expiredAmount) })}`) : null,
    ]),
    staff ? td(gift.grantedBy ?? '—') : null,
  );
}

export async function giftsPage(ctx: PageContext): Promise<void> {
  const staff = !isCustomer();
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  ctx.main.append(heading(t('gifts.title')), h('p', { class: 'lead' }, t('gifts.intro')));
  if (role() === 'finance') ctx.main.append(grantForm());
  const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
  if (ctx.query.get('page')) query.set('page', ctx.query.get('page')!);
  const page = await api<Page<Gift>>('GET', `/v1/gifts?${query}`);
  if (!page.items.length) {
    ctx.main.append(h('p', { class: 'empty' }, t('gifts.empty')));
    return;
  }
  const head = [
    t('gifts.grantedAt'),
    ...(staff ? [t('gifts.company')] : []),
    t('gifts.wallet'),
    t('gifts.amount'),
    t('gifts.remaining'),
    t('gifts.reason'),
    t('gifts.expires'),
    t('gifts.status'),
    ...(staff ? [t('gifts.grantedBy')] : []),
  ];
  ctx.main.append(h('h2', {}, t('gifts.list')), table(t('gifts.list'), 'gifts', head, page.items.map((g) => row(g, timeZone, staff))), pager(page, PATH, ctx.query));
}
