/**
 * The console's entry: the shell (header with the language switch, the navigation for the user's role, <main>),
 * the session (a reload asks GET /v1/session, whose cookie the browser keeps), the pages open without one (sign-in,
 * choosing a password from an emailed link, asking for a reset), and the routes.
 */
import './styles.css';
import { api, whenUnauthenticated } from './api';
import { h, replaceChildren } from './dom';
import { currentLang, langChosen, LANGS, setLang, t, type MessageKey } from './i18n';
import { roleLabel } from './names';
import { accountPage } from './pages/account';
import { accountsPage, accountDetailPage } from './pages/accounts';
import { apiKeysPage } from './pages/api-keys';
import { dashboardPage } from './pages/dashboard';
import { documentsPage } from './pages/documents';
import { giftsPage } from './pages/gifts';
import { onlineOrderPage, onlineTopUpPage } from './pages/online';
import { operationLogPage } from './pages/operation-log';
import { ordersPage } from './pages/orders';
import { forgotPasswordPage, setPasswordPage } from './pages/passwords';
import { reviewPage } from './pages/review';
import { exceptionsPage } from './pages/exceptions';
import { bankStatementPage, statementsPage } from './pages/statements';
import { signInPage } from './pages/sign-in';
import { statementPage } from './pages/statement';
import { subscriptionsPage } from './pages/subscriptions';
import { topUpPage } from './pages/top-up';
import { usersPage } from './pages/users';
import { autoTopupPage } from './pages/auto-topup';
import { webhookEndpointPage, webhooksPage } from './pages/webhooks';
import { match, navigate, startRouter, type Audience, type PageContext, type Route } from './router';
import { clearSession, me, role, signedIn, startSession } from './session';
import type { Role, SessionView, TopUpRules } from './types';
import { errorNotice, heading, takeFlash } from './ui';

const CUSTOMERS: readonly Role[] = ['owner', 'pic'];
const STAFF: readonly Role[] = ['finance', 'ops'];
const MANAGERS: readonly Role[] = ['owner', 'admin'];

const ROUTES: Route[] = [
  { path: '/', page: dashboardPage, audience: CUSTOMERS },
  { path: '/top-up', page: topUpPage, audience: CUSTOMERS },
  { path: '/online', page: onlineTopUpPage, audience: CUSTOMERS },
  { path: '/online/:orderNumber', page: onlineOrderPage, audience: CUSTOMERS },
  { path: '/orders', page: ordersPage, audience: [...CUSTOMERS, ...STAFF] },
  { path: '/statement', page: statementPage, audience: [...CUSTOMERS, ...STAFF] },
  { path: '/documents', page: documentsPage, audience: [...CUSTOMERS, ...STAFF] },
  { path: '/subscriptions', page: subscriptionsPage, audience: [...CUSTOMERS, ...STAFF] },
  { path: '/gifts', page: giftsPage, audience: [...CUSTOMERS, ...STAFF] },
  { path: '/review', page: reviewPage, audience: STAFF },
  { path: '/operation-log', page: operationLogPage, audience: [...CUSTOMERS, ...STAFF, 'admin'] },
  { path: '/finance/exceptions', page: exceptionsPage, audience: STAFF },
  { path: '/finance/statements', page: statementsPage, audience: STAFF },
  { path: '/finance/statements/:statementId', page: bankStatementPage, audience: STAFF },
  { path: '/accounts', page: accountsPage, audience: ['admin'] },
  { path: '/accounts/:accountId', page: accountDetailPage, audience: ['admin'] },
  { path: '/users', page: usersPage, audience: MANAGERS },
  { path: '/api-keys', page: apiKeysPage, audience: MANAGERS },
  { path: '/webhooks', page: webhooksPage, audience: [...MANAGERS, 'ops'] },
  { path: '/webhooks/:endpointId', page: webhookEndpointPage, audience: [...MANAGERS, 'ops'] },
  { path: '/auto-topup', page: autoTopupPage, audience: [...CUSTOMERS, ...STAFF] },
  { path: '/account', page: accountPage, audience: 'any' },
];

/** Pages for people who are not signed in: they open without a session, signed in or not. */
const PUBLIC_ROUTES: { path: string; page: (ctx: PageContext) => Promise<void> | void; title: MessageKey }[] = [
  { path: '/set-password', page: setPasswordPage, title: 'password.setTitle' },
  { path: '/forgot-password', page: forgotPasswordPage, title: 'password.forgotTitle' },
];

const NAV: { path: string; label: MessageKey; audience: Audience }[] = [
  { path: '/', label: 'nav.dashboard', audience: CUSTOMERS },
  { path: '/top-up', label: 'nav.topUp', audience: CUSTOMERS },
  { path: '/online', label: 'nav.online', audience: CUSTOMERS },
  { path: '/orders', label: 'nav.orders', audience: [...CUSTOMERS, ...STAFF] },
  { path: '/statement', label: 'nav.statement', audience: [...CUSTOMERS, ...STAFF] },
  { path: '/documents', label: 'nav.documents', audience: [...CUSTOMERS, ...STAFF] },
  { path: '/subscriptions', label: 'nav.subscriptions', audience: [...CUSTOMERS, ...STAFF] },
  { path: '/gifts', label: 'nav.gifts', audience: [...CUSTOMERS, ...STAFF] },
  { path: '/review', label: 'nav.review', audience: STAFF },
  { path: '/operation-log', label: 'nav.operationLog', audience: [...CUSTOMERS, ...STAFF, 'admin'] },
  { path: '/finance/exceptions', label: 'nav.exceptions', audience: STAFF },
  { path: '/finance/statements', label: 'nav.statements', audience: STAFF },
  { path: '/accounts', label: 'nav.accounts', audience: ['admin'] },
  { path: '/users', label: 'nav.users', audience: MANAGERS },
  { path: '/api-keys', label: 'nav.apiKeys', audience: MANAGERS },
  { path: '/webhooks', label: 'nav.webhooks', audience: [...MANAGERS, 'ops'] },
  { path: '/auto-topup', label: 'nav.autoTopup', audience: [...CUSTOMERS, ...STAFF] },
  { path: '/account', label: 'nav.account', audience: 'any' },
];

const app = document.getElementById('app')!;
let leaving: (() => void)[] = [];
let firstRender = true;

function allows(audience: Audience): boolean {
  const current = role();
  return audience === 'any' || (current !== null && audience.includes(current));
}

/** Starts the session the API answered: the rules in force are read once, the account's language used unless one was chosen. */
async function begin(session: SessionView): Promise<void> {
  const rules = await api<TopUpRules>('GET', '/v1/top-up-rules', undefined, {});
  startSession(session, rules);
  if (!langChosen() && session.user.account) setLang(session.user.account.locale);
}

/** Signs in with a username and password (POST /v1/session sets the cookie). */
async function signIn(username: string, password: string): Promise<void> {
  await begin(await api<SessionView>('POST', '/v1/session', { username, password }));
}

/** Signs out: the API ends the session and clears its cookie. */
async function signOut(): Promise<void> {
  await api('DELETE', '/v1/session').catch(() => undefined);
  clearSession();
  navigate('/sign-in');
}

function homePath(): string {
  const current = role();
  if (current === 'owner' || current === 'pic') return '/';
  return current === 'admin' ? '/accounts' : '/review';
}

function languageSwitch(): HTMLElement {
  return h(
    'div',
    { class: 'lang-switch', role: 'group', 'aria-label': t('app.language') },
    ...LANGS.map((l) =>
      h(
        'button',
        {
          type: 'button',
          lang: l,
          'aria-pressed': String(currentLang() === l),
          onclick: () => {
            setLang(l);
            render();
          },
        },
        t(`lang.${l}`),
      ),
    ),
  );
}

function shell(main: HTMLElement): HTMLElement[] {
  const user = me();
  const nav = h(
    'nav',
    { class: 'sidebar', 'aria-label': t('app.mainNav') },
    h('ul', {}, ...NAV.filter((n) => allows(n.audience)).map((n) => h('li', {}, h('a', { href: n.path, 'aria-current': location.pathname === n.path ? 'page' : null }, t(n.label))))),
  );
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: homePath() }, t('app.title')),
    languageSwitch(),
    h('span', { class: 'who' }, `${user.username} · ${roleLabel(user.role)}${user.account ? ` · ${user.account.companyName}` : ''}`),
    h('button', { type: 'button', class: 'link-button', onclick: () => void signOut() }, t('app.signOut')),
  );
  return [header, h('div', { class: 'layout' }, nav, main)];
}

/** The shell of the pages without a session: the title and the language switch. */
function publicShell(main: HTMLElement, skip: HTMLElement): void {
  replaceChildren(app, skip, h('header', { class: 'topbar' }, h('span', { class: 'brand' }, t('app.title')), languageSwitch()), h('div', { class: 'layout layout-single' }, main));
}

/** Renders the current location: the public pages, sign-in when there is no session, otherwise the page in the shell. */
function render(): void {
  for (const cleanup of leaving) cleanup();
  leaving = [];
  document.documentElement.lang = currentLang();
  const main = h('main', { id: 'main', tabindex: -1 });
  const skip = h('a', { class: 'skip-link', href: '#main' }, t('app.skip'));
  const ctx = { main, params: {}, query: new URLSearchParams(location.search), onLeave: (f: () => void) => leaving.push(f) };
  const flashed = takeFlash();
  const open = PUBLIC_ROUTES.find((r) => r.path === location.pathname);
  if (open) {
    publicShell(main, skip);
    if (flashed) main.append(flashed);
    document.title = `${t(open.title)} · ${t('app.title')}`;
    Promise.resolve(open.page(ctx)).catch((err: unknown) => main.append(errorNotice(err)));
    return;
  }
  if (!signedIn()) {
    if (location.pathname !== '/sign-in') history.replaceState(null, '', `/sign-in${location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`}`);
    publicShell(main, skip);
    if (flashed) main.append(flashed);
    signInPage(ctx, async (username, password) => {
      await signIn(username, password);
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(), { replace: true });
    });
    document.title = `${t('signIn.title')} · ${t('app.title')}`;
    return;
  }
  if (location.pathname === '/sign-in') history.replaceState(null, '', homePath());
  const found = match(ROUTES, location.pathname);
  replaceChildren(app, skip, ...shell(main));
  if (flashed) main.append(flashed);
  if (!found) {
    main.append(heading(t('app.notFound')));
    return;
  }
  if (!allows(found.route.audience)) {
    if (location.pathname === '/') return navigate(homePath(), { replace: true });
    const audience = found.route.audience as readonly Role[];
    main.append(heading(t('app.notFound')), h('p', {}, t('app.forRoles', { roles: audience.map(roleLabel).join(', ') })));
    return;
  }
  const focusHeading = !firstRender;
  firstRender = false;
  Promise.resolve(found.route.page({ ...ctx, params: found.params }))
    .then(() => {
      const title = main.querySelector('h1');
      document.title = `${title?.textContent ?? ''} · ${t('app.title')}`;
      if (focusHeading) (main.querySelector<HTMLElement>('[data-autofocus]') ?? title)?.focus();
    })
    .catch((err: unknown) => main.append(errorNotice(err)));
}

async function boot(): Promise<void> {
  document.documentElement.lang = currentLang();
  whenUnauthenticated(() => navigate('/sign-in'));
  startRouter(render);
  // The cookie may hold a live session (a reload, a new tab): ask for it, unless this is a page without one.
  if (!PUBLIC_ROUTES.some((r) => r.path === location.pathname)) {
    await api<SessionView>('GET', '/v1/session')
      .then(begin)
      .catch(() => clearSession());
  }
  render();
}

void boot();
