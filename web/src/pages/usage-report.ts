/**
 * The dashboard's usage report (seed 000 "Query usage for each service"): for a period (the last 7 days unless
 * chosen), each wallet's usage beside the period of the same length before it, the usage per day as a chart (uPlot)
 * with the same figures in a table, the breakdown by service, and "Download details" as CSV.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { api } from '../api';
import { h } from '../dom';
import { walletAmount } from '../format';
import { field, form } from '../forms';
import { currentLang, t } from '../i18n';
import { walletLabel } from '../names';
import { navigate } from '../router';
import type { UsageReport, Wallet } from '../types';
import { download } from '../ui';
import { loadOrShow, table, td, urlWith } from './listing';

/** One colour per wallet, the same in the chart, its legend and the cards. */
const COLOURS: Record<Wallet, string> = { credit: '#0b6e99', whatsapp: '#067647', muv: '#8a5a00', deposit: '#6941c6' };
const DAY_S = 86_400;

function change(w: UsageReport['wallets'][number]): string {
  if (w.changePercent === null) return w.amount === 0 ? t('usage.same') : t('usage.noPrevious');
  if (w.changePercent === 0) return t('usage.same');
  const percent = Math.abs(w.changePercent).toLocaleString(currentLang() === 'id' ? 'id-ID' : 'en-US');
  return t(w.changePercent > 0 ? 'usage.more' : 'usage.less', { percent });
}

function walletCards(report: UsageReport): HTMLElement {
  return h(
    'div',
    { class: 'usage-wallets' },
    ...report.wallets.map((w) =>
      h(
        'section',
        { class: 'card usage-wallet', 'data-wallet': w.wallet, 'aria-label': walletLabel(w.wallet) },
        h('h3', {}, h('span', { class: 'swatch', 'data-colour': w.wallet }), walletLabel(w.wallet)),
        h('p', { class: 'usage-amount' }, h('strong', {}, walletAmount(w.wallet, w.amount)), ' ', h('span', { class: 'muted' }, t('usage.chargesCount', { n: w.charges }))),
        h('p', { class: 'usage-change' }, change(w)),
      ),
    ),
  );
}

/** The chart: one line per wallet in rupiah; visitors (muv) on their own scale at the right. */
function chart(report: UsageReport): HTMLElement {
  const dates = [...new Set(report.days.map((d) => d.date))];
  const wallets = report.wallets.filter((w) => report.days.some((d) => d.wallet === w.wallet)).map((w) => w.wallet);
  const xs = dates.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const series = wallets.map((wallet) => dates.map((date) => report.days.find((d) => d.date === date && d.wallet === wallet)?.amount ?? 0));
  const title = t('usage.chart', { from: report.from, to: report.to });
  const figure = h('figure', { class: 'usage-chart', 'aria-label': title }, h('figcaption', {}, title));
  const plot = h('div', { class: 'plot', role: 'img', 'aria-label': title });
  figure.append(plot);
  const visitors = wallets.includes('muv');
  const number = (v: number) => v.toLocaleString(currentLang() === 'id' ? 'id-ID' : 'en-US');
  const opts: uPlot.Options = {
    width: 720,
    height: 260,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'UTC'),
    scales: { x: { time: true, range: (_u, min, max) => (min === max ? [min - DAY_S, max + DAY_S] : [min, max]) }, idr: { auto: true }, visitors: { auto: true } },
    axes: [
      // Whole days only: one tick a day, or every few days over a long period.
      { incrs: [DAY_S, 2 * DAY_S, 7 * DAY_S, 14 * DAY_S, 30 * DAY_S, 91 * DAY_S], space: 48, values: (_u, ticks) => ticks.map((s) => new Date(s * 1000).toISOString().slice(5, 10)) },
      { scale: 'idr', size: 90, values: (_u, ticks) => ticks.map(number) },
      ...(visitors ? [{ scale: 'visitors', side: 1 as const, grid: { show: false }, values: (_u: uPlot, ticks: number[]) => ticks.map(number) }] : []),
    ],
    series: [
      { label: t('usage.date'), value: (_u, s) => (s === null ? '—' : new Date(s * 1000).toISOString().slice(0, 10)) },
      ...wallets.map((wallet) => ({
        label: walletLabel(wallet),
        scale: wallet === 'muv' ? 'visitors' : 'idr',
        stroke: COLOURS[wallet],
        width: 2,
        points: { show: true },
        value: (_u: uPlot, v: number | null) => (v === null ? '—' : walletAmount(wallet, v)),
      })),
    ],
  };
  // Drawn once the figure is in the page (uPlot measures its container); the table below holds the same figures.
  requestAnimationFrame(() => {
    if (figure.isConnected && wallets.length) new uPlot(opts, [xs, ...series], plot);
  });
  return figure;
}

/** The same figures as the chart, for reading and for screen readers. */
function dayTable(report: UsageReport): HTMLElement {
  const wallets = report.wallets.filter((w) => report.days.some((d) => d.wallet === w.wallet)).map((w) => w.wallet);
  const dates = [...new Set(report.days.map((d) => d.date))];
  const rows = dates.map((date) =>
    h(
      'tr',
      { 'data-date': date },
      h('th', { scope: 'row' }, date),
      ...wallets.map((wallet) => td(walletAmount(wallet, report.days.find((d) => d.date === date && d.wallet === wallet)?.amount ?? 0), 'num')),
    ),
  );
  return h('details', { class: 'usage-days' }, h('summary', {}, t('usage.perDayTable')), table(t('usage.perDayTable'), 'usage-days', [t('usage.date'), ...wallets.map(walletLabel)], rows));
}

function serviceTable(report: UsageReport): HTMLElement {
  const rows = report.services.map((s) =>
    h(
      'tr',
      { 'data-service': s.service ?? '' },
      td(walletLabel(s.wallet)),
      h('th', { scope: 'row' }, s.service ?? t('usage.unnamed')),
      td(String(s.charges), 'num'),
      td(walletAmount(s.wallet, s.amount), 'num'),
    ),
  );
  return h('section', { 'aria-labelledby': 'usage-breakdown' }, h('h3', { id: 'usage-breakdown' }, t('usage.breakdown')), table(t('usage.breakdown'), 'usage-services', [t('usage.wallet'), t('usage.service'), t('usage.charges'), t('usage.amount')], rows));
}

function periodForm(query: URLSearchParams): HTMLFormElement {
  const from = h('input', { name: 'from', type: 'date', value: query.get('from') ?? '' });
  const to = h('input', { name: 'to', type: 'date', value: query.get('to') ?? '' });
  const el = form(
    { label: t('usage.title'), class: 'filters' },
    [field(t('usage.from'), from), field(t('usage.to'), to), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('usage.query')))],
    async () => navigate(urlWith(location.pathname, { from: from.value, to: to.value })),
  );
  el.setAttribute('role', 'search');
  return el;
}

/** Fills `section` (already in the page, so a refused period shows beside its field) with the report for the page's query. */
export async function showUsageReport(section: HTMLElement, query: URLSearchParams): Promise<void> {
  const filters = periodForm(query);
  section.append(h('h2', { id: 'usage-title' }, t('usage.title')), filters);
  const period = { from: query.get('from'), to: query.get('to') };
  const report = await loadOrShow(filters, () => api<UsageReport>('GET', urlWith('/v1/usage/report', period)));
  if (!report) return;
  const asked = { from: report.from, to: report.to };
  section.append(
    h(
      'p',
      { class: 'usage-period' },
      t('usage.period', { from: report.from, to: report.to, previousFrom: report.previousFrom, previousTo: report.previousTo }),
      ' ',
      h('button', { type: 'button', class: 'small', onclick: () => void download(urlWith('/v1/usage/report.csv', asked), `usage-${report.from}-${report.to}.csv`) }, t('usage.download')),
    ),
  );
  if (!report.wallets.length) {
    section.append(h('p', { class: 'empty' }, t('usage.empty')));
    return;
  }
  section.append(walletCards(report));
  if (report.days.length) section.append(chart(report), dayTable(report));
  section.append(serviceTable(report));
}
