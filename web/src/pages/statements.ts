/**
 * Finance's bank statements: the import form (the file, and for a CSV the saved column mapping), the statements
 * imported with the count of each outcome, and one statement's lines with their outcome (proposed, confirmed,
 * reconciled, exception, imported before, money out) and the button that confirms the proposed matches in bulk.
 */
import { api } from '../api';
import { h } from '../dom';
import { dateTime, money } from '../format';
import { field, form } from '../forms';
import { t, type MessageKey } from '../i18n';
import { navigate, type PageContext } from '../router';
import { me } from '../session';
import type { BankStatement, LineOutcome, Page } from '../types';
import { facts, flash, heading, notice } from '../ui';
import { reasonLabel } from './exceptions';

const outcomeLabel = (o: LineOutcome) => t(`statements.outcome.${o}` as MessageKey);

function outcomeBadge(o: LineOutcome): HTMLElement {
  return h('span', { class: `status outcome-${o.replace(/_/g, '-')}` }, outcomeLabel(o));
}

function countsText(s: Pick<BankStatement, 'counts'>): string {
  return (Object.entries(s.counts) as [LineOutcome, number][])
    .filter(([, n]) => n > 0)
    .map(([o, n]) => `${outcomeLabel(o)} ${n}`)
    .join(' · ');
}

async function importForm(): Promise<HTMLElement> {
  const mappings = await api<{ items: Array<{ name: string }> }>('GET', '/v1/finance/csv-mappings');
  const file = h('input', { type: 'file', name: 'file', accept: '.sta,.mt940,.txt,.csv,.xml' });
  const mapping = h('select', { name: 'mapping' }, h('option', { value: '' }, t('statements.mappingNone')), ...mappings.items.map((m) => h('option', { value: m.name }, m.name)));
  return form({ label: t('statements.import'), class: 'card statement-import' }, [field(t('statements.file'), file), field(t('statements.mapping'), mapping), h('button', { type: 'submit', class: 'primary' }, t('statements.import'))], async () => {
    const body = new FormData();
    const chosen = file.files?.[0];
    if (chosen) body.append('file', chosen, chosen.name);
    if (mapping.value) body.append('mapping', mapping.value);
    const statement = await api<BankStatement>('POST', '/v1/finance/statements', body);
    flash(t('statements.imported', { file: statement.fileName }));
    navigate(`/finance/statements/${statement.statementId}`);
  });
}

export async function statementsPage(ctx: PageContext): Promise<void> {
  const list = await api<Page<Omit<BankStatement, 'lines'>>>('GET', '/v1/finance/statements?pageSize=50');
  ctx.main.append(heading(t('statements.title')), h('p', { class: 'lead' }, t('statements.intro')));
  if (me().role === 'finance') ctx.main.append(await importForm());
  if (!list.items.length) {
    ctx.main.append(h('p', { class: 'empty' }, t('statements.empty')));
    return;
  }
  const head = [t('statements.fileName'), t('statements.format'), t('statements.period'), t('statements.importedAt'), t('statements.outcomes'), ''];
  ctx.main.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'queue' },
        h('caption', { class: 'visually-hidden' }, t('statements.title')),
        h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...list.items.map((s) =>
            h(
              'tr',
              { 'data-statement': s.statementId },
              h('th', { scope: 'row' }, s.fileName),
              h('td', {}, s.format.toUpperCase()),
              h('td', {}, `${s.from ?? '?'} – ${s.to ?? '?'}`),
              h('td', {}, dateTime(s.importedAt)),
              h('td', {}, countsText(s)),
              h('td', {}, h('a', { class: 'button small', href: `/finance/statements/${s.statementId}`, 'aria-label': `${t('statements.view')} ${s.fileName}` }, t('statements.view'))),
            ),
          ),
        ),
      ),
    ),
  );
}

export async function bankStatementPage(ctx: PageContext): Promise<void> {
  const s = await api<BankStatement>('GET', `/v1/finance/statements/${encodeURIComponent(ctx.params.statementId ?? '')}`);
  ctx.main.append(
    heading(t('statements.detailTitle', { file: s.fileName })),
    facts([
      [t('statements.account'), s.account],
      [t('statements.format'), s.format.toUpperCase()],
      [t('statements.period'), `${s.from ?? '?'} – ${s.to ?? '?'}`],
      [t('statements.importedAt'), `${dateTime(s.importedAt)} · ${s.importedBy}`],
      [t('statements.outcomes'), countsText(s)],
    ]),
  );
  const proposed = s.counts.proposed;
  if (me().role === 'finance') {
    if (proposed === 0) ctx.main.append(notice(t('statements.nothingToConfirm')));
    else {
      ctx.main.append(
        form({ label: t('statements.confirm', { n: proposed }) }, [h('button', { type: 'submit', class: 'primary' }, t('statements.confirm', { n: proposed }))], async () => {
          const answer = await api<{ results: Array<{ outcome: string }> }>('POST', `/v1/finance/statements/${s.statementId}/confirm`, {});
          const count = (o: string) => answer.results.filter((r) => r.outcome === o).length;
          flash(t('statements.confirmed', { confirmed: count('confirmed'), reconciled: count('reconciled'), exceptions: count('exception'), retry: count('retry') }));
          navigate(`/finance/statements/${s.statementId}`, { replace: true });
        }),
      );
    }
  }
  const head = [t('statements.line'), t('statements.date'), t('statements.text'), t('statements.amount'), t('statements.outcome'), t('statements.order')];
  ctx.main.append(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'queue statement-lines' },
        h('caption', { class: 'visually-hidden' }, t('statements.detailTitle', { file: s.fileName })),
        h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          ...s.lines.map((l) =>
            h(
              'tr',
              { 'data-line': String(l.line) },
              h('th', { scope: 'row' }, String(l.line)),
              h('td', {}, l.valueDate),
              h('td', { class: 'reference' }, l.text),
              h('td', { class: 'num' }, `${l.direction === 'debit' ? '−' : ''}${money(l.amount)}`),
              h('td', {}, outcomeBadge(l.outcome), l.exceptionReason ? h('span', { class: 'hint' }, ` ${reasonLabel(l.exceptionReason)}`) : null),
              h('td', {}, l.orderNumber ?? '—'),
            ),
          ),
        ),
      ),
    ),
  );
}
