/**
 * A wallet's statement (issue 21): every movement with the running balance, by date range and kind, 20 a page,
 * oldest first, with the balance before and after the range; "Download CSV" gives every line of the range. Provider
 * staff name the customer account.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime, walletAmount } from '../format';
import { field, form } from '../forms';
import { t, type MessageKey } from '../i18n';
import { walletLabel } from '../names';
import type { PageContext } from '../router';
import { isCustomer, me } from '../session';
import { STATEMENT_KINDS, WALLETS, type Statement, type StatementLine, type Wallet } from '../types';
import { download, facts, heading } from '../ui';
import { loadOrShow, pager, table, td, urlWith } from './listing';
import { navigate } from '../router';

const PATH = '/statement';
const PAGE_SIZE = 20;

function kindLabel(kind: string): string {
  return t(`statement.kind.${kind}` as MessageKey);
}

/** What a line is about: its order or invoice, its service and memo, a top-up's settlement. */
function details(line: StatementLine, wallet: Wallet): string {
  return [
    line.orderNumber ? t('statement.order', { n: line.orderNumber }) : null,
    line.invoiceId ? t('statement.invoice', { id: line.invoiceId }) : null,
    line.service,
    line.memo,
    line.settled > 0 ? t('statement.settled', { amount: walletAmount(wallet, line.settled) }) : null,
  ]
    .filter(Boolean)
    .join(' · ');
}

function signed(wallet: Wallet, amount: number): string {
  return `${amount > 0 ? '+' : amount < 0 ? '−' : ''}${walletAmount(wallet, Math.abs(amount))}`;
}

function filterForm(query: URLSearchParams): HTMLFormElement {
  const wallet = h('select', { name: 'wallet' }, ...WALLETS.map((w) => h('option', { value: w, selected: query.get('wallet') === w }, walletLabel(w))));
  const from = h('input', { name: 'from', type: 'date', value: query.get('from') ?? '' });
  const to = h('input', { name: 'to', type: 'date', value: query.get('to') ?? '' });
  const chosen = new Set((query.get('kind') ?? '').split(',').filter(Boolean));
  const kinds = STATEMENT_KINDS.map((k) => h('input', { type: 'checkbox', id: `kind-${k}`, value: k, checked: chosen.has(k) }));
  // The API names `kind` when it refuses the list; a hidden control owns that error.
  const kindField = h('input', { name: 'kind', type: 'hidden' });
  const account = isCustomer() ? null : h('input', { name: 'accountId', type: 'text', value: query.get('accountId') ?? '', required: true });
  const el = form(
    { label: t('statement.title'), class: 'filters' },
    [
      field(t('statement.wallet'), wallet),
      field(t('statement.from'), from),
      field(t('statement.to'), to),
      h(
        'fieldset',
        { class: 'choices inline' },
        h('legend', {}, t('statement.kinds')),
        ...kinds.map((box) => h('div', { class: 'choice' }, box, h('label', { for: box.id }, kindLabel(box.value)))),
        kindField,
      ),
      account ? field(t('statement.account'), account, t('statement.accountHint')) : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('statement.query'))),
    ],
    async () => {
      const kind = kinds.filter((k) => k.checked).map((k) => k.value).join(',');
      navigate(urlWith(PATH, { wallet: wallet.value, from: from.value, to: to.value, kind, accountId: account?.value.trim() }));
    },
  );
  el.setAttribute('role', 'search');
  return el;
}

export async function statementPage(ctx: PageContext): Promise<void> {
  const filters = filterForm(ctx.query);
  ctx.main.append(heading(t('statement.title')), filters);
  const wallet = (WALLETS.find((w) => w === ctx.query.get('wallet')) ?? 'credit') as Wallet;
  if (!isCustomer() && !ctx.query.get('accountId')) return;
  const params = { from: ctx.query.get('from'), to: ctx.query.get('to'), kind: ctx.query.get('kind'), accountId: ctx.query.get('accountId') };
  const statement = await loadOrShow(filters, () => api<Statement>('GET', urlWith(`/v1/wallets/${wallet}/statement`, { ...params, page: ctx.query.get('page'), pageSize: String(PAGE_SIZE) })));
  if (!statement) return;
  const timeZone = me().account?.timeZone ?? 'Asia/Jakarta';
  const csvName = ['statement', statement.accountId, wallet, params.from, params.to].filter(Boolean).join('-');
  ctx.main.append(
    h(
      'div',
      { class: 'statement-summary' },
      facts([
        [t('statement.wallet'), walletLabel(wallet)],
        [t('statement.opening'), walletAmount(wallet, statement.openingBalance)],
        [t('statement.closing'), h('strong', {}, walletAmount(wallet, statement.closingBalance))],
      ]),
      h('button', { type: 'button', onclick: () => void download(urlWith(`/v1/wallets/${wallet}/statement.csv`, params), `${csvName}.csv`) }, t('statement.csv')),
    ),
  );
  if (!statement.lines.length) {
    ctx.main.append(h('p', { class: 'empty' }, t('statement.empty')));
    return;
  }
  const rows = statement.lines.map((line) =>
    h(
      'tr',
      { 'data-entry': line.entryId, 'data-kind': line.kind },
      td(dateTime(line.createdAt, timeZone)),
      td(kindLabel(line.kind)),
      td(details(line, wallet), 'details'),
      td(signed(wallet, line.change), `num ${line.change < 0 ? 'debit' : 'credit'}`),
      td(walletAmount(wallet, line.balanceAfter), 'num balance'),
    ),
  );
  ctx.main.append(
    table(t('statement.title'), 'statement', [t('statement.time'), t('statement.kind'), t('statement.details'), t('statement.change'), t('statement.balance')], rows),
    pager(statement, PATH, ctx.query),
  );
}
