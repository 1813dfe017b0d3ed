/**
 * The "Top Up" wizard of the seed portal: amount → payment method (Transfer Remittance) → the provider's bank
 * account and the order number → upload the payment slip → submitted (Dealing). `?order=<n>` resumes an
 * Unpaid order where it stopped.
 */
import { api, idempotencyKey, idempotencyKeyFor } from '../api';
import { h, replaceChildren, uid } from '../dom';
import { money, policyDuration } from '../format';
import { field, form, showProblems } from '../forms';
import { t, type MessageKey } from '../i18n';
import type { PageContext } from '../router';
import { rules } from '../session';
import type { AnyOrder, BankTransfer, Order, Wallet } from '../types';
import { isOnline } from '../types';
import { facts, heading, notice, statusBadge } from '../ui';
import { parseAmount, walletRule } from './amounts';
import { paymentMethodLabel, statusLabel, walletLabel } from '../names';

const STEPS = ['amount', 'method', 'bank', 'slip', 'done'] as const;
type Step = (typeof STEPS)[number];

interface WizardState {
  step: Step;
  order: Order | null;
  bank: BankTransfer | null;
  /** One key per wizard: a double click or a retry of "Next" creates one order. */
  createKey: string;
}

function stepList(current: Step): HTMLElement {
  const at = STEPS.indexOf(current);
  return h(
    'ol',
    { class: 'steps', 'aria-label': t('topUp.steps') },
    ...STEPS.map((step, i) => h('li', { class: i < at ? 'done' : i === at ? 'current' : '', 'aria-current': i === at ? 'step' : null }, t(`topUp.step.${step}` as MessageKey))),
  );
}

function buttons(...children: HTMLElement[]): HTMLElement {
  return h('div', { class: 'actions' }, ...children);
}

function backButton(state: WizardState, to: Step, show: (s: WizardState) => void): HTMLButtonElement {
  return h('button', { type: 'button', onclick: () => show({ ...state, step: to }) }, t('app.back'));
}

function amountStep(state: WizardState, show: (s: WizardState) => void): HTMLElement {
  const wallets = rules().bankTransferWallets;
  const wallet = h('select', { name: 'wallet', disabled: state.order !== null }, ...wallets.map((w) => h('option', { value: w, selected: state.order?.wallet === w }, walletLabel(w))));
  const amount = h('input', { name: 'amount', type: 'text', inputmode: 'numeric', autocomplete: 'off', required: true, value: state.order ? String(state.order.amount) : '' });
  const amountField = field(t('topUp.amount'), amount, walletRule(wallet.value as Wallet));
  wallet.addEventListener('change', () => {
    amountField.querySelector('.hint')!.textContent = walletRule(wallet.value as Wallet);
  });
  return form({ label: t('topUp.step.amount') }, [field(t('topUp.wallet'), wallet), amountField, buttons(h('button', { type: 'submit', class: 'primary' }, t('app.next')))], async (el) => {
    const value = parseAmount(amount.value);
    if (typeof value === 'string') return showProblems(el, [{ path: 'amount', rule: value }], '');
    let order = state.order;
    const body = { wallet: wallet.value, amount: value };
    if (!order) order = await api<Order>('POST', '/v1/orders', body, { 'Idempotency-Key': idempotencyKeyFor(state.createKey, body) });
    else if (order.amount !== value) order = await api<Order>('PATCH', `/v1/orders/${order.orderNumber}`, { amount: value });
    show({ ...state, order, step: 'method' });
  });
}

function methodStep(state: WizardState, show: (s: WizardState) => void): HTMLElement {
  const order = state.order!;
  const radioId = uid('method');
  const legend = h('legend', {}, t('topUp.methodLegend'));
  const choice = h(
    'fieldset',
    { class: 'choices' },
    legend,
    h('div', { class: 'choice' }, h('input', { type: 'radio', id: radioId, name: 'paymentMethod', value: 'bank_transfer', checked: true }), h('label', { for: radioId }, paymentMethodLabel('bank_transfer'))),
    h('p', { class: 'hint' }, t('topUp.onlineHint'), ' ', h('a', { href: '/online' }, t('nav.online'))),
  );
  return form({ label: t('topUp.step.method') }, [choice, buttons(backButton(state, 'amount', show), h('button', { type: 'submit', class: 'primary' }, t('app.next')))], async () => {
    const answer = await api<{ order: Order; bankTransfer: BankTransfer }>('POST', `/v1/orders/${order.orderNumber}/payment-method`, { paymentMethod: 'bank_transfer' });
    show({ ...state, order: answer.order, bank: answer.bankTransfer, step: 'bank' });
  });
}

function bankStep(state: WizardState, show: (s: WizardState) => void): HTMLElement {
  const bank = state.bank!;
  return h(
    'div',
    {},
    h('p', {}, t('topUp.bankIntro')),
    facts([
      [t('topUp.orderNumber'), h('strong', { class: 'order-number' }, bank.orderNumber)],
      [t('topUp.bankName'), bank.bankName],
      [t('topUp.accountName'), bank.accountName],
      [t('topUp.accountNumber'), h('strong', { class: 'account-number' }, bank.accountNumber)],
      [t('orders.amount'), money(bank.amount)],
      [t('topUp.transferNote'), bank.transferNote],
    ]),
    buttons(backButton(state, 'method', show), h('button', { type: 'button', class: 'primary', onclick: () => show({ ...state, step: 'slip' }) }, t('app.next'))),
  );
}

function slipStep(state: WizardState, show: (s: WizardState) => void): HTMLElement {
  const order = state.order!;
  const file = h('input', { name: 'slip', type: 'file', accept: 'image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf', required: true });
  return form(
    { label: t('topUp.step.slip') },
    [facts([[t('topUp.orderNumber'), order.orderNumber], [t('orders.amount'), money(order.amount)]]), field(t('topUp.slip'), file, t('topUp.slipHint')), buttons(backButton(state, 'bank', show), h('button', { type: 'submit', class: 'primary' }, t('app.submit')))],
    async (el) => {
      const chosen = file.files?.[0];
      if (!chosen) return showProblems(el, [{ path: 'slip', rule: t('topUp.slipRequired') }], '');
      const body = new FormData();
      body.append('slip', chosen);
      const submitted = await api<Order>('POST', `/v1/orders/${order.orderNumber}/slip`, body);
      show({ ...state, order: submitted, step: 'done' });
    },
  );
}

function doneStep(state: WizardState): HTMLElement {
  const order = state.order!;
  return h(
    'div',
    { class: 'done' },
    facts([
      [t('topUp.orderNumber'), h('strong', { class: 'order-number' }, order.orderNumber)],
      [t('orders.amount'), money(order.amount)],
      [t('orders.status'), statusBadge(order.status)],
    ]),
    h('p', {}, t('topUp.doneBody', { window: policyDuration(rules().reviewWindow) })),
    buttons(h('a', { class: 'button primary', href: '/orders' }, t('topUp.viewOrders'))),
  );
}

const STEP_VIEWS: Record<Step, (state: WizardState, show: (s: WizardState) => void) => HTMLElement> = {
  amount: amountStep,
  method: methodStep,
  bank: bankStep,
  slip: slipStep,
  done: doneStep,
};

/** Where an existing order resumes, or null when it cannot. */
async function resume(order: AnyOrder, state: WizardState): Promise<WizardState | null> {
  if (isOnline(order) || order.status !== 'unpaid') return null;
  if (order.paymentMethod !== 'bank_transfer') return { ...state, order, step: 'method' };
  const answer = await api<{ order: Order; bankTransfer: BankTransfer }>('POST', `/v1/orders/${order.orderNumber}/payment-method`, { paymentMethod: 'bank_transfer' });
  return { ...state, order: answer.order, bank: answer.bankTransfer, step: 'bank' };
}

export async function topUpPage(ctx: PageContext): Promise<void> {
  const panel = h('section', { class: 'card wizard' });
  const stepsHolder = h('div', {});
  let firstShow = true;
  const show = (state: WizardState) => {
    const title = h('h2', { tabindex: -1 }, state.step === 'done' ? t('topUp.doneTitle', { n: state.order!.orderNumber }) : t(`topUp.step.${state.step}` as MessageKey));
    replaceChildren(stepsHolder, stepList(state.step));
    replaceChildren(panel, title, STEP_VIEWS[state.step](state, show));
    // Each step is announced by moving focus to its title (not on arrival: the page heading gets it then).
    if (!firstShow) title.focus();
    firstShow = false;
  };
  ctx.main.append(heading(t('topUp.title')), stepsHolder, panel);
  let state: WizardState = { step: 'amount', order: null, bank: null, createKey: idempotencyKey() };
  const resumeNumber = ctx.query.get('order');
  if (resumeNumber) {
    const order = await api<AnyOrder>('GET', `/v1/orders/${encodeURIComponent(resumeNumber)}`);
    const resumed = await resume(order, state);
    if (resumed) state = resumed;
    else panel.before(notice(t('topUp.cannotContinue', { n: order.orderNumber, status: statusLabel(order.status) }), 'warn'));
  }
  show(state);
}
