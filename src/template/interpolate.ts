/**
 * `{{ expression }}` interpolation in template strings (AliECS uses fasttemplate with these delimiters). Text
 * outside tags is literal. Unlike fasttemplate, a `}}` inside a string literal or map literal does not end a tag.
 * Compiled templates are cached by source text, so rendering the same string for many roles parses it once.
 */
import { compileExpression } from './expr/compile.ts';
import type { CompiledExpression } from './expr/compile.ts';
import { renderValue } from './expr/render.ts';
import { checkSize, ExprError, ExprSyntaxError } from './expr/value.ts';
import type { ExprErrorCode, Scope, Value } from './expr/value.ts';

/** A template string ready to render any number of times. */
export interface CompiledTemplate {
  readonly source: string;
  /** True when the text has no tags: render() returns it unchanged. */
  readonly isConstant: boolean;
  /** The text with every tag replaced by its rendered value. Throws TemplateEvalError or DeferredSignal. */
  readonly render: (scope: Scope) => string;
  /** Present when the whole text is exactly one tag: the raw (unrendered) value. Throws like render(). */
  readonly evaluateSingle?: (scope: Scope) => Value;
  /** Source text of each tag, in order (for static checks). */
  readonly expressions: readonly string[];
}

/** A tag does not parse or is not closed. `column` is 1-based in the template text. */
export class TemplateSyntaxError extends Error {
  override readonly name = 'TemplateSyntaxError';
  constructor(
    message: string,
    readonly column: number,
    readonly expression: string,
  ) {
    super(message);
  }
}

/** A tag failed to evaluate. `column` is the 1-based position of its `{{` in the template text. */
export class TemplateEvalError extends Error {
  override readonly name = 'TemplateEvalError';
  constructor(
    readonly code: ExprErrorCode,
    message: string,
    readonly expression: string,
    readonly column: number,
  ) {
    super(message);
  }
}

interface Tag {
  readonly expr: CompiledExpression;
  /** 1-based column of the tag's `{{`. */
  readonly column: number;
}

const CACHE_LIMIT = 50_000;
const cache = new Map<string, CompiledTemplate | TemplateSyntaxError>();
let compilations = 0;

/** How many template texts this process has compiled so far (cache misses), for tests and benchmarks. */
export function templateCompilations(): number {
  return compilations;
}

/** The compiled form of `text`, from the cache when seen before. Throws TemplateSyntaxError. */
export function compileTemplate(text: string): CompiledTemplate {
  let entry = cache.get(text);
  if (entry === undefined) {
    compilations++;
    try {
      entry = build(text);
    } catch (e) {
      if (!(e instanceof TemplateSyntaxError)) throw e;
      entry = e;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, entry);
  }
  if (entry instanceof TemplateSyntaxError) throw entry;
  return entry;
}

/** Renders `text` against `scope`. Throws TemplateSyntaxError, TemplateEvalError or DeferredSignal. */
export function renderTemplate(text: string, scope: Scope): string {
  return compileTemplate(text).render(scope);
}

function build(text: string): CompiledTemplate {
  const literals: string[] = [];
  const tags: Tag[] = [];
  let pos = 0;
  for (let open = text.indexOf('{{'); open >= 0; open = text.indexOf('{{', pos)) {
    const close = findClose(text, open);
    literals.push(text.slice(pos, open));
    tags.push({ expr: compileTag(text, open, close), column: open + 1 });
    pos = close + 2;
  }
  literals.push(text.slice(pos));
  if (tags.length === 0) return { source: text, isConstant: true, render: () => text, expressions: [] };
  const expressions = tags.map((t) => t.expr.source);
  const render = (scope: Scope): string => renderParts(literals, tags, scope);
  const only = tags[0]!;
  if (tags.length === 1 && literals[0] === '' && literals[1] === '') {
    return {
      source: text,
      isConstant: false,
      render,
      expressions,
      evaluateSingle: (scope) => evaluate(only, scope),
    };
  }
  return { source: text, isConstant: false, render, expressions };
}

function renderParts(literals: readonly string[], tags: readonly Tag[], scope: Scope): string {
  let out = literals[0]!;
  let i = 0;
  try {
    for (; i < tags.length; i++) {
      const piece = renderValue(tags[i]!.expr.evaluate(scope));
      const literal = literals[i + 1]!;
      checkSize(scope, out.length + piece.length + literal.length, 'rendered text');
      out += piece + literal;
    }
  } catch (e) {
    throw toEvalError(e, tags[i]!);
  }
  return out;
}

function evaluate(tag: Tag, scope: Scope): Value {
  try {
    return tag.expr.evaluate(scope);
  } catch (e) {
    throw toEvalError(e, tag);
  }
}

function toEvalError(e: unknown, tag: Tag): unknown {
  if (!(e instanceof ExprError)) return e;
  return new TemplateEvalError(e.code, e.message, tag.expr.source.trim(), tag.column);
}

function compileTag(text: string, open: number, close: number): CompiledExpression {
  const source = text.slice(open + 2, close);
  try {
    return compileExpression(source);
  } catch (e) {
    if (!(e instanceof ExprSyntaxError)) throw e;
    throw new TemplateSyntaxError(e.message, open + 3 + e.offset, source.trim());
  }
}

/** Index of the `}}` closing the tag opened at `open`, skipping string literals and nested `{…}`. */
function findClose(text: string, open: number): number {
  let depth = 0;
  for (let i = open + 2; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(text, i);
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      if (depth === 0 && text.charAt(i + 1) === '}') return i;
      if (depth > 0) depth--;
    }
  }
  throw new TemplateSyntaxError('unterminated {{ (missing }})', open + 1, text.slice(open + 2).trim());
}

function skipString(text: string, start: number): number {
  const quote = text.charAt(start);
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '\\' && quote !== '`') i++;
    else if (c === quote) return i;
  }
  const tagText = text.slice(text.lastIndexOf('{{', start) + 2).trim();
  throw new TemplateSyntaxError('unterminated string literal in {{ }}', start + 1, tagText);
}
