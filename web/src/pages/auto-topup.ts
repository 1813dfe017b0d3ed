/**
 * Automatic top-up (issue 20): the owner saves a card at the payment gateway (on the gateway's own page), then sets,
 * per wallet, the threshold, the target or fixed amount, the card and the daily and monthly caps; the history shows
 * every attempt, whatever became of it. PICs, finance and ops read.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime, money, walletAmount } from '../format';
import { field, form } from '../forms';
import { t } from '../i18n';
import { walletLabel } from '../names';
import { navigate, type PageContext } from '../router';
import { me, role } from '../session';
import { WALLETS, type AutoTopupAttempt, type AutoTopupRule, type SavedCard, type Wallet } from '../types';
import { flash, heading, notice } from '../ui';
import { accountPicker, accountQuery } from './account-picker';

const isOwner = () => role() === 'owner';
const timeZone = () => me().account?.timeZone ?? 'Asia/Jakarta';

function refresh(): void {
  navigate(location.pathname + location.search, { replace: true });
}

/** The cards, and (for the owner) adding one: the gateway's page opens in a new tab, then the card is saved here. */
function cardsSection(cards: SavedCard[]): HTMLElement {
  const list = cards.length
    ? h('ul', { class: 'cards' }, ...cards.map((c) => h('li', { 'data-card': c.last4 }, `${c.brand} •••• ${c.last4} (${String(c.expMonth).padStart(2, '0')}/${c.expYear})`)))
    : h('p', { class: 'empty' }, t('auto.noCards'));
  if (!isOwner()) return h('section', { 'aria-labelledby': 'cards-title' }, h('h2', { id: 'cards-title' }, t('auto.cards')), list);
  const step = h('div', {});
  const add = form({ label: t('auto.addCard') }, [h('button', { type: 'submit' }, t('auto.addCard'))], async () => {
    const setup = await api<{ setupRef: string; url: string }>('POST', '/v1/card-setups');
    window.open(setup.url, '_blank', 'noopener');
    step.replaceChildren(
      form(
        { label: t('auto.cardEntered'), class: 'card narrow' },
        [
          h('p', {}, t('auto.cardSetupOpened'), ' ', h('a', { href: setup.url, target: '_blank', rel: 'noopener' }, t('auto.cardSetupLink'))),
          h('button', { type: 'submit', class: 'primary' }, t('auto.cardEntered')),
        ],
        async () => {
          const card = await api<SavedCard>('POST', '/v1/cards', { setupRef: setup.setupRef });
          flash(t('auto.cardSaved', { last4: card.last4 }));
          refresh();
        },
      ),
    );
  });
  return h('section', { 'aria-labelledby': 'cards-title' }, h('h2', { id: 'cards-title' }, t('auto.cards')), list, add, step);
}

/** A wallet's rule: its state, and (for the owner) the form that saves it whole. */
function ruleSection(wallet: Wallet, rule: AutoTopupRule | undefined, cards: SavedCard[]): HTMLElement {
  const state = rule
    ? rule.status === 'paused'
      ? notice(t('auto.paused', { reason: rule.pausedReason ?? '' }), 'warn')
      : h('p', {}, rule.enabled ? t('auto.on', { threshold: walletAmount(wallet, rule.threshold), card: rule.card.last4 }) : t('auto.off'))
    : h('p', { class: 'empty' }, t('auto.none'));
  const title = h('h3', { id: `rule-${wallet}` }, walletLabel(wallet));
  if (!isOwner()) return h('section', { class: 'card', 'aria-labelledby': `rule-${wallet}` }, title, state);
  const enabled = h('input', { type: 'checkbox', name: 'enabled', checked: rule?.enabled ?? true });
  const threshold = h('input', { name: 'threshold', type: 'number', min: 0, step: 1, required: true, value: rule?.threshold ?? '' });
  const mode = h('select', { name: 'mode' }, h('option', { value: 'target', selected: rule?.mode !== 'fixed' }, t('auto.modeTarget')), h('option', { value: 'fixed', selected: rule?.mode === 'fixed' }, t('auto.modeFixed')));
  const amount = h('input', { name: 'amount', type: 'number', min: 1, step: 1, required: true, value: rule?.amount ?? '' });
  const card = h('select', { name: 'cardId' }, ...cards.map((c) => h('option', { value: c.id, selected: c.id === rule?.card.id }, `${c.brand} •••• ${c.last4}`)));
  const daily = h('input', { name: 'dailyCap', type: 'number', min: 1, step: 1, required: true, value: rule?.dailyCap ?? '' });
  const monthly = h('input', { name: 'monthlyCap', type: 'number', min: 1, step: 1, required: true, value: rule?.monthlyCap ?? '' });
  const unit = wallet === 'muv' ? t('unit.visitors') : 'IDR';
  const save = form(
    { label: t('auto.saveFor', { wallet: walletLabel(wallet) }), class: 'rule-form' },
    [
      h('label', { class: 'choice' }, enabled, ` ${t('auto.enabled')}`),
      field(`${t('auto.threshold')} (${unit})`, threshold, t('auto.thresholdHint')),
      field(t('auto.mode'), mode),
      field(`${t('auto.amount')} (${unit})`, amount, t('auto.amountHint')),
      field(t('auto.card'), card),
      field(`${t('auto.dailyCap')} (IDR)`, daily, t('auto.capHint')),
      field(`${t('auto.monthlyCap')} (IDR)`, monthly),
      h('button', { type: 'submit', class: 'primary', disabled: cards.length === 0 }, rule?.status === 'paused' ? t('auto.saveResume') : t('app.save')),
    ],
    async () => {
      const num = (el: HTMLInputElement) => (el.value === '' ? Number.NaN : Number(el.value));
      await api('PUT', `/v1/auto-topups/${wallet}`, {
        enabled: enabled.checked,
        threshold: num(threshold),
        mode: mode.value,
        amount: num(amount),
        cardId: card.value,
        dailyCap: num(daily),
        monthlyCap: num(monthly),
      });
      flash(t('auto.saved', { wallet: walletLabel(wallet) }));
      refresh();
    },
  );
  return h('section', { class: 'card', 'aria-labelledby': `rule-${wallet}` }, title, state, save);
}

function attemptTable(attempts: AutoTopupAttempt[]): HTMLElement {
  if (!attempts.length) return h('p', { class: 'empty' }, t('auto.noAttempts'));
  const columns = [t('hooks.when'), t('auto.wallet'), t('auto.outcome'), t('orders.orderNumber'), t('auto.balanceThen'), t('auto.pending'), t('auto.amount'), t('auto.charged'), t('auto.reason')];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'auto-topup-attempts' },
      h('caption', { class: 'visually-hidden' }, t('auto.history')),
      h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)))),
      h(
        'tbody',
        {},
        ...attempts.map((a) =>
          h(
            'tr',
            { 'data-outcome': a.outcome },
            h('td', {}, dateTime(a.createdAt, timeZone())),
            h('td', {}, walletLabel(a.wallet)),
            h('td', {}, h('span', { class: `status status-auto-${a.outcome.replace(/_/g, '-')}` }, t(`auto.outcome.${a.outcome}`))),
            h('td', {}, a.orderNumber ?? '—'),
            h('td', {}, walletAmount(a.wallet, a.balance)),
            h('td', {}, walletAmount(a.wallet, a.pending)),
            h('td', {}, a.amount === null ? '—' : walletAmount(a.wallet, a.amount)),
            h('td', {}, a.charged === null ? '—' : `${money(a.charged)}${a.cardLast4 ? ` (•••• ${a.cardLast4})` : ''}${a.outcome === 'succeeded' || a.outcome === 'charging' ? '' : ` ${t('auto.notCharged')}`}`),
            h('td', {}, a.reason ?? ''),
          ),
        ),
      ),
    ),
  );
}

/** Cards, a rule per wallet, and the history of attempts. */
export async function autoTopupPage(ctx: PageContext): Promise<void> {
  ctx.main.append(heading(t('auto.title')), h('p', { class: 'lead' }, t('auto.intro')));
  const { accountId, picker } = accountPicker(ctx);
  if (picker) ctx.main.append(picker);
  if (!accountId) return;
  const [{ items: cards }, { items: rules }, { items: attempts }] = await Promise.all([
    api<{ items: SavedCard[] }>('GET', `/v1/cards${accountQuery(accountId)}`),
    api<{ items: AutoTopupRule[] }>('GET', `/v1/auto-topups${accountQuery(accountId)}`),
    api<{ items: AutoTopupAttempt[] }>('GET', `/v1/auto-topup-attempts?pageSize=50${accountQuery(accountId, '&')}`),
  ]);
  ctx.main.append(
    cardsSection(cards),
    h('h2', {}, t('auto.rules')),
    h('div', { class: 'rules' }, ...WALLETS.map((w) => ruleSection(w, rules.find((r) => r.wallet === w), cards))),
    h('h2', {}, t('auto.history')),
    attemptTable(attempts),
  );
}
