/**
 * Client-side routes over the History API. The API answers index.html for any of these paths, so a reload or
 * a bookmark lands on the same page. Each page renders into <main> and registers what to stop when it is left
 * (timers, object URLs).
 */
import type { Role } from './types';

/** What a page gets: where to render, the path's parameters and query, and a place to register cleanups. */
export interface PageContext {
  main: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  onLeave(cleanup: () => void): void;
}

export type Page = (ctx: PageContext) => Promise<void> | void;

/** Who may open a route: the roles it is for, or anyone signed in. */
export type Audience = readonly Role[] | 'any';

export interface Route {
  path: string;
  page: Page;
  audience: Audience;
}

/** The route matching `pathname` and its parameters (`:name` segments). */
export function match(routes: Route[], pathname: string): { route: Route; params: Record<string, string> } | null {
  const parts = pathname.replace(/\/+$/, '').split('/').slice(1);
  for (const route of routes) {
    const pattern = route.path.replace(/\/+$/, '').split('/').slice(1);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    if (pattern.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = decodeURIComponent(parts[i]!)), true) : p === parts[i]))) return { route, params };
  }
  return null;
}

let onNavigate: () => void = () => undefined;

/** Sets what runs on every navigation (the app renders the current location). */
export function startRouter(render: () => void): void {
  onNavigate = render;
  window.addEventListener('popstate', render);
  // Same-origin links navigate in place; downloads, new tabs and modified clicks behave as usual.
  document.addEventListener('click', (event) => {
    const link = (event.target as Element | null)?.closest?.('a');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (link.target || link.hasAttribute('download') || link.origin !== location.origin || /^\/(v1|docs|openapi\.json|healthz)/.test(link.pathname)) return;
    event.preventDefault();
    navigate(link.pathname + link.search);
  });
}

/** Goes to `path` (adding a history entry unless `replace`). */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (opts.replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  onNavigate();
}
