/**
 * The customer's dashboard (seed 000): a banner for each wallet below its share of the last paid top-up (seed 001,
 * beside the email), each wallet's current balance and its split (recharge, gift, unbilled), and the usage report.
 */
import { api } from '../api';
import { h } from '../dom';
import { walletAmount } from '../format';
import { t } from '../i18n';
import type { PageContext } from '../router';
import type { Balance, WalletBalance } from '../types';
import { heading } from '../ui';
import { walletLabel } from '../names';
import { showUsageReport } from './usage-report';

function walletCard(w: WalletBalance): HTMLElement {
  const titleId = `wallet-${w.wallet}`;
  return h(
    'section',
    { class: `card wallet${w.lowBalance ? ' low' : ''}`, 'aria-labelledby': titleId, 'data-wallet': w.wallet },
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
    h('a', { class: 'statement-link', href: `/statement?wallet=${w.wallet}` }, t('dashboard.statement')),
  );
}

/** The in-app notice of seed 001: the wallet, what is left and the top-up it is measured against, and a way to top up. */
function lowBalanceBanner(balance: Balance, w: WalletBalance): HTMLElement {
  const low = w.lowBalance!;
  return h(
    'div',
    { class: 'banner banner-low', role: 'status', 'data-wallet': w.wallet },
    h('span', {}, t('banner.low', { wallet: walletLabel(w.wallet), percent: balance.lowBalancePercent, balance: walletAmount(w.wallet, w.current), reference: walletAmount(w.wallet, low.reference) })),
    ' ',
    h('a', { class: 'button small primary', href: w.wallet === 'credit' || w.wallet === 'deposit' ? '/top-up' : '/online' }, t('banner.topUp')),
  );
}

export async function dashboardPage(ctx: PageContext): Promise<void> {
  const balance = await api<Balance>('GET', '/v1/balance');
  const usage = h('section', { class: 'usage-report', 'aria-labelledby': 'usage-title' });
  ctx.main.append(
    heading(t('dashboard.title')),
    ...balance.wallets.filter((w) => w.lowBalance).map((w) => lowBalanceBanner(balance, w)),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button primary', href: '/top-up' }, t('nav.topUp')),
      h('a', { class: 'button', href: '/online' }, t('nav.online')),
    ),
    h('h2', {}, t('dashboard.balance')),
    h('div', { class: 'wallets' }, ...balance.wallets.map(walletCard)),
    usage,
  );
  await showUsageReport(usage, ctx.query);
}
