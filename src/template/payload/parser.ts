/**
 * Statement parser: text, `{{ expr }}`, and the tags if/elif/else/endif, for/else|empty/endfor, set (`= expr` or a
 * block up to endset) and include. A template that does not parse is a PayloadTemplateError('syntax').
 */
import type { CompiledTemplate, IfBranch, Node } from './ast.ts';
import { tokenize } from './lexer.ts';
import { parseExpr } from './parse-expr.ts';
import { TokenStream } from './token-stream.ts';

/** Parses `source`, the payload of `entry`. */
export function compileTemplate(source: string, entry: string): CompiledTemplate {
  const s = new TokenStream(tokenize(source, entry), entry);
  const { nodes, end } = parseBody(s, []);
  if (end !== undefined) s.fail(s.peek(), `unexpected {% ${end} %}`);
  return { entry, body: nodes };
}

interface Body {
  readonly nodes: Node[];
  /** The end tag that closed the body (its `%}` not yet consumed); undefined at the end of the template. */
  readonly end?: string;
}

function parseBody(s: TokenStream, ends: readonly string[]): Body {
  const nodes: Node[] = [];
  for (;;) {
    const t = s.next();
    if (t.type === 'eof') return { nodes };
    if (t.type === 'text') nodes.push({ kind: 'text', line: t.line, value: t.value });
    else if (t.type === 'varStart') {
      nodes.push({ kind: 'output', line: t.line, expr: parseExpr(s) });
      s.expect('varEnd');
    } else {
      const tag = s.expect('name');
      if (ends.includes(tag.value)) return { nodes, end: tag.value };
      nodes.push(s.nested(() => parseTag(s, tag.value, tag.line)));
    }
  }
}

/** A body that must be closed by one of `ends`; returns the closing tag (its `%}` consumed). */
function parseClosed(s: TokenStream, ends: readonly string[], opener: string, line: number) {
  const body = parseBody(s, ends);
  if (body.end === undefined) {
    s.fail({ type: 'eof', value: '', line }, `{% ${opener} %} is missing {% ${ends.at(-1) ?? ''} %}`);
  }
  return body as Required<Body>;
}

function parseTag(s: TokenStream, tag: string, line: number): Node {
  switch (tag) {
    case 'if':
      return parseIf(s, line);
    case 'for':
      return parseFor(s, line);
    case 'set':
      return parseSet(s, line);
    case 'include': {
      const target = parseExpr(s);
      s.expect('blockEnd');
      return { kind: 'include', line, target };
    }
    default: {
      const closing = tag.startsWith('end') || ['elif', 'else', 'empty'].includes(tag);
      return s.fail(s.peek(-1), closing ? `unexpected {% ${tag} %}` : `unknown tag "${tag}"`);
    }
  }
}

function parseIf(s: TokenStream, line: number): Node {
  const branches: IfBranch[] = [];
  let test = parseExpr(s);
  for (;;) {
    s.expect('blockEnd');
    const body = parseClosed(s, ['elif', 'else', 'endif'], 'if', line);
    branches.push({ test, body: body.nodes });
    if (body.end === 'endif') {
      s.expect('blockEnd');
      return { kind: 'if', line, branches, otherwise: [] };
    }
    if (body.end === 'else') {
      s.expect('blockEnd');
      const rest = parseClosed(s, ['endif'], 'if', line);
      s.expect('blockEnd');
      return { kind: 'if', line, branches, otherwise: rest.nodes };
    }
    test = parseExpr(s);
  }
}

function parseFor(s: TokenStream, line: number): Node {
  const names = parseNames(s);
  s.expect('name', 'in');
  const seq = parseExpr(s);
  s.expect('blockEnd');
  const body = parseClosed(s, ['else', 'empty', 'endfor'], 'for', line);
  s.expect('blockEnd');
  let empty: Node[] = [];
  if (body.end !== 'endfor') {
    empty = parseClosed(s, ['endfor'], 'for', line).nodes;
    s.expect('blockEnd');
  }
  return { kind: 'for', line, names, seq, body: body.nodes, empty };
}

function parseSet(s: TokenStream, line: number): Node {
  const names = parseNames(s);
  if (s.accept('=')) {
    const value = parseExpr(s);
    s.expect('blockEnd');
    return { kind: 'set', line, names, value };
  }
  s.expect('blockEnd');
  const [name] = names;
  if (names.length !== 1 || name === undefined) s.fail(s.peek(), 'a {% set %} block takes exactly one name');
  const body = parseClosed(s, ['endset'], 'set', line);
  s.expect('blockEnd');
  return { kind: 'setBlock', line, name, body: body.nodes };
}

function parseNames(s: TokenStream): string[] {
  const names = [s.expect('name').value];
  while (s.accept(',')) names.push(s.expect('name').value);
  return names;
}
