/**
 * @module template/payload
 * A sandboxed Jinja/pongo2-style engine for configuration payloads: lexer → parser → tree → evaluator over plain
 * data, with a whitelist of callable helpers and bounded work (output size, steps, include depth).
 *
 * @example
 * const t = compileTemplate('{% for h in hosts|split(",") %}{{ h|upper }};{% endfor %}', 'c/ANY/any/e');
 * renderTemplate(t, { vars: { hosts: 'a,b' }, helpers: {}, loader }); // "A;B;"
 */
export { compileTemplate } from './parser.ts';
export { renderTemplate } from './render.ts';
export type { RenderOptions, TemplateLoader } from './render.ts';
export type { CompiledTemplate } from './ast.ts';
export { DEFAULT_LIMITS, formatSize } from './budget.ts';
export type { RenderLimits } from './budget.ts';
export { PayloadTemplateError } from './errors.ts';
export type { PayloadErrorKind } from './errors.ts';
