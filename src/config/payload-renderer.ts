/**
 * Rendering of component payloads with our sandboxed Jinja/pongo2-style engine (src/template/payload), standing
 * in for Apricot's pongo2: `{{ expr|filter }}`, `{% if %}`, `{% for %}`, `{% set %}`, `{% include %}`.
 *
 * Choices: no HTML escaping (payloads are INI/JSON/YAML, not HTML); undefined variables render as "" (pongo2
 * does the same); templates compile once per entry directory, as AliECS keeps one pongo2 template set per
 * directory, and stay cached until {@link PayloadRenderer.invalidate}. Templates reach only their var stack,
 * the helpers of template-functions.ts and plain data; output size, work and include depth are bounded.
 * @module
 */
import { ConfigError } from '../common/config-source.ts';
import { compileTemplate, renderTemplate } from '../template/payload/index.ts';
import type { CompiledTemplate, RenderLimits } from '../template/payload/index.ts';
import { COMPONENTS_PREFIX, parseComponentPath } from './component-path.ts';
import { renderError, syntaxError } from './template-error.ts';
import { createPayloadHelpers } from './template-functions.ts';
import type { PayloadHelpers } from './template-functions.ts';

export interface PayloadRendererOptions {
  /** Raw payload of a component path (`component/RUNTYPE/role/entry`), or undefined when there is none. */
  readonly lookup: (path: string) => string | undefined;
  /** Generator behind `uid.New()`; defaults to random base58 ids. */
  readonly newUid?: () => string;
  /** Overrides of the render limits (output size, steps, include depth, range length). */
  readonly limits?: Partial<RenderLimits>;
}

/** Renders payloads; every failure is a ConfigError naming the entry (and line, for template errors). */
export class PayloadRenderer {
  /** Compiled templates per directory, keyed by the name they were asked for there. */
  private readonly directories = new Map<string, Map<string, CompiledTemplate>>();
  private readonly helpers: PayloadHelpers;

  constructor(private readonly options: PayloadRendererOptions) {
    this.helpers = createPayloadHelpers(options.newUid);
  }

  /**
   * Renders the payload at the valid component path `path` with `varStack` (keys trimmed) plus the helpers of
   * template-functions.ts, which win over vars of the same name (as in AliECS).
   */
  render(path: string, varStack: Readonly<Record<string, string>>): string {
    const vars = Object.create(null) as Record<string, string>; // `__proto__` is an ordinary name here
    for (const [k, v] of Object.entries(varStack)) vars[k.trim()] = v;
    try {
      return renderTemplate(this.compiled(directoryOf(path), path), {
        vars,
        helpers: this.helpers(varStack),
        loader: { load: (name, from) => this.compiled(directoryOf(from), name) },
        ...(this.options.limits !== undefined ? { limits: this.options.limits } : {}),
      });
    } catch (e) {
      throw renderError(path, e);
    }
  }

  /** Drops every compiled template (Apricot's InvalidateComponentTemplateCache). */
  invalidate(): void {
    this.directories.clear();
  }

  /** The template `name` refers to from directory `dir`, compiled on first use. */
  private compiled(dir: string, name: string): CompiledTemplate {
    let cache = this.directories.get(dir);
    if (cache === undefined) {
      cache = new Map();
      this.directories.set(dir, cache);
    }
    const hit = cache.get(name);
    if (hit !== undefined) return hit;
    const path = resolveInclude(dir, name, this.options.lookup);
    const src = this.options.lookup(path);
    if (src === undefined) {
      throw new ConfigError(`no payload at configuration path ${COMPONENTS_PREFIX}/${path}`, path);
    }
    let template: CompiledTemplate;
    try {
      template = compileTemplate(src, path);
    } catch (e) {
      throw syntaxError(path, e);
    }
    cache.set(name, template);
    return template;
  }
}

/** `component/RUNTYPE/role[/sub...]`: the path up to its last `/`, where sibling includes are looked up. */
export function directoryOf(path: string): string {
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/**
 * The component path an `{% include name %}` refers to, from a template in directory `dir` (the including
 * entry's directory): `/x` is absolute; a name already under `dir` is kept; an existing sibling `dir/name` wins;
 * otherwise a valid full `component/RUNTYPE/role/entry` is absolute; anything else is taken as a (missing) sibling.
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
