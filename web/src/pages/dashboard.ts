/** The customer's dashboard: each wallet's current balance and its split (recharge, gift, unbilled), from GET /v1/balance. */
import { api } from '../api';
import { h } from '../dom';
import { walletAmount } from '../format';
import { t } from '../i18n';
import type { PageContext } from '../router';
import type { Balance, WalletBalance } from '../types';
import { heading } from '../ui';
import { walletLabel } from '../names';

function walletCard(w: WalletBalance): HTMLElement {
  const titleId = `wallet-${w.wallet}`;
  return h(
    'section',
    { class: 'card wallet', 'aria-labelledby': titleId, 'data-wallet': w.wallet },
    h('h3', { id: titleId }, walletLabel(w.wallet)),
    h('p', { class: 'current' }, h('span', { class: 'label' }, t('dashboard.current')), ' ', h('strong', { class: 'amount' }, walletAmount(w.wallet, w.current))),
    h(
      'dl',
      { class: 'split' },
      h('dt', {}, t('dashboard.recharge')),
      h('dd', {}, walletAmount(w.wallet, w.recharge)),
      h('dt', {}, t('dashboard.gift')),
      h('dd', {}, walletAmount(w.wallet, w.gift)),
      h('dt', {}, t('dashboard.unbilled')),
      h('dd', { class: w.unbilled > 0 ? 'owed' : '' }, walletAmount(w.wallet, w.unbilled)),
    ),
  );
}

export async function dashboardPage(ctx: PageContext): Promise<void> {
  const balance = await api<Balance>('GET', '/v1/balance');
  ctx.main.append(
    heading(t('dashboard.title')),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button primary', href: '/top-up' }, t('nav.topUp')),
      h('a', { class: 'button', href: '/online' }, t('nav.online')),
    ),
    h('h2', {}, t('dashboard.balance')),
    h('div', { class: 'wallets' }, ...balance.wallets.map(walletCard)),
  );
}
