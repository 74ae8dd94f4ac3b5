/** Pages by URL hash (`#/environments`, `#/environment/<id>`, …): links work, back/forward work, no server routes. */
import { signal } from '@preact/signals';

export type Route =
  | { readonly page: 'environments' }
  | { readonly page: 'environment'; readonly id: string }
  | { readonly page: 'create' }
  | { readonly page: 'tasks' }
  | { readonly page: 'locks' }
  | { readonly page: 'hardware' }
  | { readonly page: 'about' };

export function parseRoute(hash: string): Route {
  const [page = '', id = ''] = hash.replace(/^#\/?/, '').split('/');
  switch (page) {
    case 'environment':
      return id === '' ? { page: 'environments' } : { page: 'environment', id: decodeURIComponent(id) };
    case 'create':
    case 'tasks':
    case 'locks':
    case 'hardware':
    case 'about':
      return { page };
    default:
      return { page: 'environments' };
  }
}

export const route = signal<Route>(parseRoute(window.location.hash));
window.addEventListener('hashchange', () => (route.value = parseRoute(window.location.hash)));

export function go(hash: string): void {
  window.location.hash = hash;
}
