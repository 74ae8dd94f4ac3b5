/**
 * Where code runs from: the TypeScript sources (through tsx) or the compiled program (`npm run build`: dist/ mirrors
 * src/, each src/x/y.ts compiled to dist/x/y.js). Code that starts a module in a child process or worker thread names
 * the module by its source URL and asks {@link entryModule} which file to start.
 */

/** True when this program runs compiled (a .js module of dist/), false when it runs the .ts sources. */
export const RUNNING_COMPILED = import.meta.url.endsWith('.js');

/**
 * The module to start for a source entry point given as `new URL('./x.ts', import.meta.url)`: the compiled sibling
 * (x.js) when running compiled, else the source itself (which the child then loads through tsx).
 */
export function entryModule(source: URL, compiled = RUNNING_COMPILED): URL {
  if (!compiled || !source.pathname.endsWith('.ts')) return source;
  const url = new URL(source.href);
  url.pathname = `${url.pathname.slice(0, -'.ts'.length)}.js`;
  return url;
}
