/**
 * The console's entry: the shell (header with the language switch, the navigation for the user's role,
 * <main>), sign-in from a stored token, and the routes.
 */
import './styles.css';
import { apiWithToken, whenUnauthenticated } from './api';
import { h, replaceChildren } from './dom';
import { currentLang, langChosen, LANGS, setLang, t, type MessageKey } from './i18n';
import { dashboardPage } from './pages/dashboard';
import { onlineOrderPage, onlineTopUpPage } from './pages/online';
import { ordersPage } from './pages/orders';
import { reviewPage } from './pages/review';
import { signInPage } from './pages/sign-in';
import { topUpPage } from './pages/top-up';
import { match, navigate, startRouter, type Route } from './router';
import { clearSession, isCustomer, me, signedIn, startSession, token } from './session';
import type { Me, TopUpRules } from './types';
import { errorNotice, heading, takeFlash } from './ui';

const ROUTES: Route[] = [
  { path: '/', page: dashboardPage, audience: 'customer' },
  { path: '/top-up', page: topUpPage, audience: 'customer' },
  { path: '/online', page: onlineTopUpPage, audience: 'customer' },
  { path: '/online/:orderNumber', page: onlineOrderPage, audience: 'customer' },
  { path: '/orders', page: ordersPage, audience: 'any' },
  { path: '/review', page: reviewPage, audience: 'staff' },
];

const NAV: { path: string; label: MessageKey; audience: 'customer' | 'staff' | 'any' }[] = [
  { path: '/', label: 'nav.dashboard', audience: 'customer' },
  { path: '/top-up', label: 'nav.topUp', audience: 'customer' },
  { path: '/online', label: 'nav.online', audience: 'customer' },
  { path: '/orders', label: 'nav.orders', audience: 'any' },
  { path: '/review', label: 'nav.review', audience: 'staff' },
];

const app = document.getElementById('app')!;
let leaving: (() => void)[] = [];
let firstRender = true;

/** Reads who a token belongs to and the rules in force, then keeps it for the session. */
export async function signIn(bearer: string): Promise<Me> {
  const [who, rules] = await Promise.all([apiWithToken<Me>('/v1/me', bearer), apiWithToken<TopUpRules>('/v1/top-up-rules', bearer)]);
  startSession(bearer, who, rules);
  if (!langChosen() && who.account) setLang(who.account.locale);
  return who;
}

function homePath(): string {
  return isCustomer() ? '/' : '/review';
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
  const audience = isCustomer() ? 'customer' : 'staff';
  const nav = h(
    'nav',
    { class: 'sidebar', 'aria-label': t('app.mainNav') },
    h(
      'ul',
      {},
      ...NAV.filter((n) => n.audience === 'any' || n.audience === audience).map((n) =>
        h('li', {}, h('a', { href: n.path, 'aria-current': location.pathname === n.path ? 'page' : null }, t(n.label))),
      ),
    ),
  );
  const header = h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'brand', href: homePath() }, t('app.title')),
    languageSwitch(),
    h('span', { class: 'who' }, `${user.username} · ${t(`role.${user.role}`)}${user.account ? ` · ${user.account.companyName}` : ''}`),
    h(
      'button',
      {
        type: 'button',
        class: 'link-button',
        onclick: () => {
          clearSession();
          navigate('/sign-in');
        },
      },
      t('app.signOut'),
    ),
  );
  return [header, h('div', { class: 'layout' }, nav, main)];
}

/** Renders the current location: sign-in when there is no session, otherwise the page in the shell. */
function render(): void {
  for (const cleanup of leaving) cleanup();
  leaving = [];
  document.documentElement.lang = currentLang();
  const main = h('main', { id: 'main', tabindex: -1 });
  const skip = h('a', { class: 'skip-link', href: '#main' }, t('app.skip'));
  const ctx = { main, params: {}, query: new URLSearchParams(location.search), onLeave: (f: () => void) => leaving.push(f) };
  if (!signedIn()) {
    if (location.pathname !== '/sign-in') history.replaceState(null, '', `/sign-in${location.pathname === '/' ? '' : `?next=${encodeURIComponent(location.pathname + location.search)}`}`);
    replaceChildren(app, skip, h('header', { class: 'topbar' }, h('span', { class: 'brand' }, t('app.title')), languageSwitch()), h('div', { class: 'layout layout-single' }, main));
    signInPage(ctx, async (bearer) => {
      const who = await signIn(bearer);
      // A service credential records usage; it has nothing to do in the console.
      if (who.role === 'service') {
        clearSession();
        return who;
      }
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(), { replace: true });
      return who;
    });
    document.title = `${t('signIn.title')} · ${t('app.title')}`;
    return;
  }
  if (location.pathname === '/sign-in') history.replaceState(null, '', homePath());
  const found = match(ROUTES, location.pathname);
  replaceChildren(app, skip, ...shell(main));
  const flashed = takeFlash();
  if (flashed) main.append(flashed);
  if (!found) {
    main.append(heading(t('app.notFound')));
    return;
  }
  if (found.route.audience === 'customer' && !isCustomer()) {
    if (location.pathname === '/') return navigate(homePath(), { replace: true });
    main.append(heading(t('app.notFound')), h('p', {}, t('app.forRoles', { roles: `${t('role.owner')}, ${t('role.pic')}` })));
    return;
  }
  if (found.route.audience === 'staff' && isCustomer()) {
    main.append(heading(t('app.notFound')), h('p', {}, t('app.forRoles', { roles: `${t('role.finance')}, ${t('role.ops')}` })));
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
  const stored = token();
  if (stored) {
    try {
      await signIn(stored);
    } catch {
      clearSession();
    }
  }
  render();
}

void boot();
