/**
 * Rendering of component payloads with nunjucks, standing in for Apricot's pongo2 (same Django/Jinja syntax for
 * the tags payloads use: `{{ var }}`, `{% if %}`, `{% for %}`, `{% include %}`).
 *
 * Choices: autoescape off (payloads are INI/JSON/YAML, not HTML); undefined variables render as "" (pongo2 does
 * the same); one nunjucks environment per entry directory, as AliECS keeps one pongo2 template set per directory,
 * each caching its compiled templates until {@link PayloadRenderer.invalidate}.
 * @module
 */
import nunjucks from 'nunjucks';
import type { ILoader, LoaderSource } from 'nunjucks';
import { ConfigError } from '../common/config-source.ts';
import { COMPONENTS_PREFIX, parseComponentPath } from './component-path.ts';
import { renderError, syntaxError } from './template-error.ts';
import { templateHelpers } from './template-functions.ts';

export interface PayloadRendererOptions {
  /** Raw payload of a component path (`component/RUNTYPE/role/entry`), or undefined when there is none. */
  readonly lookup: (path: string) => string | undefined;
  /** Generator behind `uid.New()`; defaults to random base58 ids. */
  readonly newUid?: () => string;
}

/** Renders payloads; every failure is a ConfigError naming the entry (and line, for template errors). */
export class PayloadRenderer {
  private readonly environments = new Map<string, nunjucks.Environment>();

  constructor(private readonly options: PayloadRendererOptions) {}

  /**
   * Renders the payload at the valid component path `path` with `varStack` (keys trimmed) plus the helpers of
   * template-functions.ts, which win over vars of the same name (as in AliECS).
   */
  render(path: string, varStack: Readonly<Record<string, string>>): string {
    const context: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(varStack)) context[k.trim()] = v;
    Object.assign(context, templateHelpers(varStack, this.options.newUid));
    try {
      return this.environmentFor(directoryOf(path)).getTemplate(path, true).render(context);
    } catch (e) {
      throw renderError(path, e);
    }
  }

  /** Drops every compiled template (Apricot's InvalidateComponentTemplateCache). */
  invalidate(): void {
    this.environments.clear();
  }

  private environmentFor(dir: string): nunjucks.Environment {
    let env = this.environments.get(dir);
    if (env === undefined) {
      const loader: ILoader = { getSource: (name) => this.load(env, dir, name) };
      env = new nunjucks.Environment(loader, { autoescape: false, throwOnUndefined: false, dev: true });
      this.environments.set(dir, env);
    }
    return env;
  }

  /**
   * Loads and syntax-checks a template. Checking here matters: nunjucks reports a compile error of an included
   * template asynchronously, after a synchronous render has returned, which would crash the process.
   */
  private load(env: nunjucks.Environment | undefined, dir: string, name: string): LoaderSource {
    const path = resolveInclude(dir, name, this.options.lookup);
    const src = this.options.lookup(path);
    if (src === undefined) {
      throw new ConfigError(`no payload at configuration path ${COMPONENTS_PREFIX}/${path}`, path);
    }
    try {
      new nunjucks.Template(src, env, path, true);
    } catch (e) {
      throw syntaxError(path, e);
    }
    return { src, path, noCache: false };
  }
}

/** `component/RUNTYPE/role[/sub...]`: the path up to its last `/`, where sibling includes are looked up. */
export function directoryOf(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/**
 * The component path an `{% include name %}` refers to, from a template in directory `dir`:
 * `/x` is absolute; a name already under `dir` is kept; an existing sibling `dir/name` wins; otherwise a valid
 * full `component/RUNTYPE/role/entry` is absolute; anything else is taken as a (missing) sibling.
 */
export function resolveInclude(
  dir: string,
  name: string,
  lookup: (path: string) => string | undefined,
): string {
  if (name.startsWith('/')) return name.slice(1);
  if (dir === '' || name.startsWith(`${dir}/`)) return name;
  const sibling = `${dir}/${name}`;
  if (lookup(sibling) !== undefined) return sibling;
  return parseComponentPath(name).ok ? name : sibling;
}
