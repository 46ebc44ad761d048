// History API routing for /admin/...; the server answers index.html for
// every deep link, so a reload lands on the same screen.
import { createStore, useStore } from './store';

export const BASE = '/admin';

export type Route =
  | { name: 'posts' }
  | { name: 'editor'; id: string | null }
  | { name: 'sign-in' }
  | { name: 'media'; id: string | null }
  | { name: 'site'; section: string; id: string | null }
  | { name: 'not-found' };

const location = createStore(window.location.pathname + window.location.search);

window.addEventListener('popstate', () => location.set(window.location.pathname + window.location.search));

export function parseRoute(path: string): Route {
  const pathname = path.split('?')[0] ?? '';
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const parts = rest.split('/').filter(Boolean);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'posts')) return { name: 'posts' };
  if (parts.length === 1 && parts[0] === 'sign-in') return { name: 'sign-in' };
  // /media, /media/ID: the library, with one item's details open.
  if (parts[0] === 'media' && parts.length <= 2) return { name: 'media', id: parts[1] ? decodeURIComponent(parts[1]) : null };
  // /site, /site/SECTION, /site/SECTION/ID: the administration screens.
  if (parts[0] === 'site' && parts.length <= 3) {
    return { name: 'site', section: parts[1] ?? '', id: parts[2] ? decodeURIComponent(parts[2]) : null };
  }
  if (parts.length === 2 && parts[0] === 'posts') {
    return { name: 'editor', id: parts[1] === 'new' ? null : decodeURIComponent(parts[1] ?? '') };
  }
  return { name: 'not-found' };
}

export function useLocation(): string {
  return useStore(location);
}

export function currentPath(): string {
  return location.get();
}

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = path.startsWith(BASE) ? path : BASE + path;
  if (url === location.get()) return;
  if (options.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  location.set(url);
}

/** Lets plain <a href> links navigate without a page load. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
    return;
  }
  const anchor = (event.target as Element | null)?.closest?.('a');
  const href = anchor?.getAttribute('href');
  if (!anchor || !href || anchor.target || !href.startsWith(`${BASE}/`) && href !== BASE) return;
  event.preventDefault();
  navigate(href);
}
