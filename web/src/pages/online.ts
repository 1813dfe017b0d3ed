/**
 * The online self top-up of seed 001: amounts per wallet with each rule shown → the editable summary with what
 * each payment method bills → "Confirm payment" → the sales invoice (virtual account number or payment link)
 * with a live countdown to its expiry, updating by itself when the payment arrives. While the payment gateway
 * has not issued the invoice yet, the page says so, follows the order, and offers to cancel the confirmation.
 */
import { api, ApiError, idempotencyKey, idempotencyKeyFor } from '../api';
import { h, replaceChildren } from '../dom';
import { countdown, dateTime, money, walletAmount } from '../format';
import { field, form, showError, showProblems } from '../forms';
import { currentLang, t } from '../i18n';
import { navigate, type PageContext } from '../router';
import { me, rules } from '../session';
import { WALLETS, type AnyOrder, type OnlineLine, type OnlineOrder, type OnlineOrderSummary, type OnlinePaymentMethod } from '../types';
import { isOnline } from '../types';
import { download, facts, heading, notice, statusBadge } from '../ui';
import { parseAmount, walletRule } from './amounts';
import { paymentMethodLabel, statusLabel, walletLabel } from '../names';

const POLL_MS = 5000;

function timeZone(): string {
  return me().account?.timeZone ?? 'Asia/Jakarta';
}

/** Under the muv field: the visitors and the price the packs typed so far buy (DOMAIN.md: muv is bought in packs). */
function packsOutput(input: HTMLInputElement): HTMLElement {
  const out = h('output', { class: 'hint packs-buy', for: input.id || undefined, 'aria-live': 'polite' });
  const show = () => {
    const packs = parseAmount(input.value);
    const r = rules();
    out.textContent = typeof packs === 'number' ? t('online.packsBuy', { visitors: (packs * r.muvPackVisitors).toLocaleString(currentLang() === 'id' ? 'id-ID' : 'en-US'), price: money(packs * r.muvPackPrice) }) : '';
  };
  input.addEventListener('input', show);
  show();
  return out;
}

/** The form of amounts per wallet; `order` when editing a draft's lines (PATCH), none for a new order (POST). */
function amountsForm(order: OnlineOrder | null, done: (summary: OnlineOrderSummary) => void): HTMLFormElement {
  const requested = new Map(order?.lines.map((l) => [l.wallet, l.requested]) ?? []);
  const inputs = WALLETS.map((wallet) => ({
    wallet,
    input: h('input', { name: `amount.${wallet}`, type: 'text', inputmode: 'numeric', autocomplete: 'off', value: requested.has(wallet) ? String(requested.get(wallet)) : '' }),
  }));
  const createKey = idempotencyKey();
  return form(
    { label: t('online.title'), class: 'card' },
    [
      ...inputs.map(({ wallet, input }) => {
        const el = field(t('online.amountFor', { wallet: walletLabel(wallet), unit: wallet === 'muv' ? t('unit.packs') : t('unit.idr') }), input, walletRule(wallet));
        if (wallet === 'muv') el.append(packsOutput(input));
        return el;
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('online.continue'))),
    ],
    async (el) => {
      const lines: { wallet: string; amount: number }[] = [];
      const problems: { path: string; rule: string }[] = [];
      for (const { wallet, input } of inputs) {
        if (input.value.trim() === '') continue;
        const amount = parseAmount(input.value);
        if (typeof amount === 'string') problems.push({ path: input.name, rule: wallet === 'muv' && input.value.trim() !== '' ? t('online.wholePacks') : amount });
        else lines.push({ wallet, amount });
      }
      if (problems.length) return showProblems(el, problems, '');
      if (!lines.length) return showProblems(el, [], t('online.noLines'));
      // The API names a line by its index in what was sent: lines.1.amount is the second wallet filled in.
      const alias = Object.fromEntries(lines.flatMap((l, i) => [[`lines.${i}.amount`, `amount.${l.wallet}`], [`lines.${i}.wallet`, `amount.${l.wallet}`]]));
      try {
        const summary = order
          ? await api<OnlineOrderSummary>('PATCH', `/v1/online-orders/${order.orderNumber}`, { lines })
          : await api<OnlineOrderSummary>('POST', '/v1/online-orders', { lines }, { 'Idempotency-Key': idempotencyKeyFor(createKey, lines) });
        done(summary);
      } catch (err) {
        showError(el, err, alias);
      }
    },
  );
}

/** Why a line bills other than asked, in the console's language (the API's own words for any other rule). */
function adjustmentText(line: OnlineLine): string {
  if (!line.adjustment) return '';
  return line.wallet === 'whatsapp' && line.credit > line.requested ? t('online.raised', { min: money(line.credit) }) : line.adjustment;
}

function linesTable(order: OnlineOrder): HTMLElement {
  return h(
    'table',
    { class: 'lines' },
    h('thead', {}, h('tr', {}, ...[t('orders.wallet'), t('online.requested'), t('online.credited'), t('online.price'), t('online.note')].map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      ...order.lines.map((l) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, walletLabel(l.wallet)),
          h('td', { class: 'num' }, l.wallet === 'muv' ? t('online.packs', { n: l.requested.toLocaleString(currentLang() === 'id' ? 'id-ID' : 'en-US') }) : walletAmount(l.wallet, l.requested)),
          h('td', { class: 'num' }, walletAmount(l.wallet, l.credit)),
          h('td', { class: 'num' }, money(l.price)),
          h('td', {}, adjustmentText(l)),
        ),
      ),
    ),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 3 }, t('online.subtotal')), h('td', { class: 'num' }, money(order.subtotal)), h('td', {}))),
  );
}

/** What each method bills, by the policy the order was created under (its card fee, whatever the policy is now). */
async function paymentOptions(order: OnlineOrder): Promise<OnlineOrderSummary['paymentOptions']> {
  return (await api<Pick<OnlineOrderSummary, 'paymentOptions'>>('GET', `/v1/online-orders/${order.orderNumber}/payment-options`)).paymentOptions;
}

async function summaryView(ctx: PageContext, order: OnlineOrder): Promise<void> {
  const options = await paymentOptions(order);
  const methods = rules().onlinePaymentMethods.filter((m) => options[m]);
  const choices = h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, t('online.methodLegend')),
    ...methods.map((method, i) => {
      const option = options[method]!;
      const id = `method-${method}`;
      return h(
        'div',
        { class: 'choice' },
        h('input', { type: 'radio', id, name: 'paymentMethod', value: method, checked: i === 0 }),
        h('label', { for: id }, paymentMethodLabel(method), ' · ', h('strong', {}, option.fee ? t('online.withFee', { total: money(option.total), fee: money(option.fee) }) : money(option.total))),
      );
    }),
  );
  const body = h('div', {});
  // Seed 001: the billing info goes to the email on this page, editable; the account's billing email first.
  const billingEmail = h('input', { name: 'billingEmail', type: 'email', autocomplete: 'email', value: me().account?.billingEmail ?? me().email });
  const confirmForm = form(
    { label: t('online.methodLegend') },
    [
      choices,
      field(t('online.billingEmail'), billingEmail, t('online.billingEmailHint')),
      h(
        'div',
        { class: 'actions' },
        // An order that pays an invoice is its amount; the others stay editable until confirmed (seed 001).
        order.settles
          ? null
          : h(
              'button',
              { type: 'button', onclick: () => replaceChildren(body, amountsForm(order, () => navigate(`/online/${order.orderNumber}`, { replace: true }))) },
              t('online.editAmounts'),
            ),
        h('button', { type: 'submit', class: 'primary' }, t('online.confirm')),
      ),
    ],
    async (el) => {
      const method = el.querySelector<HTMLInputElement>('input[name=paymentMethod]:checked')?.value as OnlinePaymentMethod | undefined;
      if (!method) return showProblems(el, [], t('online.methodLegend'));
      try {
        await api<OnlineOrder>('POST', `/v1/online-orders/${order.orderNumber}/confirm`, { paymentMethod: method, billingEmail: billingEmail.value.trim() || undefined });
      } catch (err) {
        // The gateway has not issued the invoice yet: the order page shows it being issued and follows it.
        if (!(err instanceof ApiError && err.status === 503 && err.code === 'invoice_pending')) throw err;
      }
      navigate(`/online/${order.orderNumber}`, { replace: true });
    },
  );
  body.append(linesTable(order), confirmForm);
  const failure = order.confirmationFailure;
  const paysInvoice = order.settles ? [notice(t('online.paysInvoice', { id: order.settles.invoiceId }))] : [];
  ctx.main.append(heading(t('online.summaryTitle', { n: order.orderNumber })), ...paysInvoice, ...(failure ? [notice(t('online.notIssued', { reason: failure.reason }), 'warn')] : []), body);
}

/** Confirmed, the invoice not issued yet: what is happening, a way to cancel, and the page follows the order. */
function issuingView(ctx: PageContext, order: OnlineOrder): void {
  const issuing = order.issuing!;
  const cancel = h('button', { type: 'button' }, t('online.cancelConfirmation'));
  const alert = h('div', { class: 'form-alert', role: 'alert', hidden: true });
  cancel.addEventListener('click', () => {
    cancel.setAttribute('disabled', '');
    api<OnlineOrder>('POST', `/v1/online-orders/${order.orderNumber}/cancel-confirmation`).then(
      () => navigate(`/online/${order.orderNumber}`, { replace: true }),
      (err: unknown) => {
        cancel.removeAttribute('disabled');
        alert.textContent = err instanceof Error ? err.message : String(err);
        alert.hidden = false;
      },
    );
  });
  ctx.main.append(
    heading(t('online.invoiceTitle', { n: order.orderNumber })),
    notice(t('online.issuing', { until: dateTime(issuing.giveUpAt, timeZone()) })),
    h(
      'section',
      { class: 'card invoice' },
      facts([
        [t('orders.status'), statusBadge(order.status)],
        [t('orders.paymentType'), paymentMethodLabel(issuing.paymentMethod)],
        [t('online.confirmedAt'), dateTime(issuing.since, timeZone())],
        ...(issuing.lastError ? ([[t('online.gatewayProblem'), issuing.lastError]] as [string, string][]) : []),
      ]),
      linesTable(order),
      alert,
      h('div', { class: 'actions' }, cancel),
    ),
  );
  const poll = setInterval(() => {
    void api<AnyOrder>('GET', `/v1/orders/${order.orderNumber}`).then((now) => {
      if (now.revision !== order.revision) navigate(`/online/${order.orderNumber}`, { replace: true });
    });
  }, POLL_MS);
  ctx.onLeave(() => clearInterval(poll));
}

/** An order that paid a subscription invoice: what its money did (the invoice, the deposit, or held for finance). */
function invoicePaymentFacts(order: OnlineOrder): [string, string][] {
  const paid = order.invoicePayment;
  if (!paid) return order.settles ? [[t('online.paysInvoiceFact'), order.settles.invoiceId]] : [];
  return [
    [t('online.paysInvoiceFact'), paid.paidInvoice ? t('online.invoicePaid', { id: paid.invoiceId, amount: money(paid.paidInvoice) }) : t('online.invoiceNotPaid', { id: paid.invoiceId })],
    ...(paid.deposited ? ([[t('online.deposited'), money(paid.deposited)]] as [string, string][]) : []),
    ...(paid.held ? ([[t('online.held'), `${money(paid.held)}: ${paid.heldReason ?? ''}`]] as [string, string][]) : []),
  ];
}

function invoiceView(ctx: PageContext, order: OnlineOrder): void {
  const invoice = order.invoice!;
  const timer = h('span', { role: 'timer', class: 'countdown' });
  const tick = () => {
    const left = (Date.parse(invoice.expiresAt) - Date.now()) / 1000;
    timer.textContent = left > 0 ? countdown(left) : t('online.expired');
  };
  const message =
    order.status === 'awaiting_payment'
      ? notice(t('online.waiting'))
      : order.status === 'paid'
        ? notice(t('online.paid'), 'ok')
        : order.status === 'paid_late'
          ? notice(t('online.paidLate'), 'warn')
          : notice(t('online.closed'), 'warn');
  const payWith: [string, HTMLElement | string][] = invoice.vaNumber
    ? [
        [t('online.vaNumber'), h('strong', { class: 'va-number' }, invoice.vaNumber)],
        [t('online.bankCode'), invoice.bankCode ?? ''],
      ]
    : invoice.paymentUrl
      ? [[paymentMethodLabel(invoice.paymentMethod), h('a', { class: 'button primary', href: invoice.paymentUrl, target: '_blank', rel: 'noopener' }, t('online.payLink'))]]
      : [];
  ctx.main.append(
    heading(t('online.invoiceTitle', { n: order.orderNumber })),
    message,
    h(
      'section',
      { class: 'card invoice' },
      facts([
        [t('orders.status'), statusBadge(order.status)],
        [t('orders.paymentType'), paymentMethodLabel(invoice.paymentMethod)],
        ...payWith,
        [t('online.subtotal'), money(invoice.subtotal)],
        ...(invoice.fee ? ([[t('online.fee'), money(invoice.fee)]] as [string, string][]) : []),
        [t('online.total'), h('strong', { class: 'total' }, money(invoice.total))],
        [t('online.validUntil'), dateTime(invoice.expiresAt, timeZone())],
        ...(order.status === 'awaiting_payment' ? ([[t('online.timeLeft'), timer]] as [string, HTMLElement][]) : []),
        ...invoicePaymentFacts(order),
      ]),
      linesTable(order),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', onclick: () => void download(`/v1/orders/${order.orderNumber}/invoice.pdf`, `invoice-${order.orderNumber}.pdf`) }, t('online.downloadInvoice')),
        order.status === 'closed' ? h('a', { class: 'button', href: '/online' }, t('online.newOrder')) : null,
      ),
    ),
  );
  if (order.status !== 'awaiting_payment') return;
  tick();
  const clock = setInterval(tick, 1000);
  // The gateway's callback changes the order on the server; this page follows it.
  const poll = setInterval(() => {
    void api<AnyOrder>('GET', `/v1/orders/${order.orderNumber}`).then((now) => {
      if (now.status !== order.status) navigate(`/online/${order.orderNumber}`, { replace: true });
    });
  }, POLL_MS);
  ctx.onLeave(() => {
    clearInterval(clock);
    clearInterval(poll);
  });
}

/** `/online`: a new online top-up. */
export function onlineTopUpPage(ctx: PageContext): void {
  ctx.main.append(
    heading(t('online.title')),
    h('p', { class: 'lead' }, t('online.intro')),
    amountsForm(null, (summary) => navigate(`/online/${summary.orderNumber}`)),
  );
}

/** `/online/:orderNumber`: the summary of a draft, or the invoice once payment is confirmed. */
export async function onlineOrderPage(ctx: PageContext): Promise<void> {
  const order = await api<AnyOrder>('GET', `/v1/orders/${encodeURIComponent(ctx.params.orderNumber!)}`);
  if (!isOnline(order)) return navigate(`/orders?orderNumber=${order.orderNumber}`, { replace: true });
  if (order.invoice) return invoiceView(ctx, order);
  if (order.issuing) return issuingView(ctx, order);
  if (order.status === 'unpaid') return summaryView(ctx, order);
  ctx.main.append(heading(t('online.invoiceTitle', { n: order.orderNumber })), notice(statusLabel(order.status), 'warn'), linesTable(order));
}
