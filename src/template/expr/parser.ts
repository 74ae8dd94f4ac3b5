/**
 * Pratt (precedence-climbing) parser for expr-lang expressions, with expr-lang's precedence table:
 * `or` 10, `and` 15, comparisons/`in`/`contains`/`matches`/`startsWith`/`endsWith` 20, `..` 25, `+ -` 30,
 * `* / %` 60, `** ^` 100 (right), `??` 500; unary `! not` 50 and `- +` 90; `?:` is parsed last (lowest).
 * As in expr-lang, `??` may not be followed by another binary operator without parentheses.
 */
import type { BinaryOperator, MapEntry, Node, UnaryOperator } from './ast.ts';
import { tokenize } from './lexer.ts';
import type { Token } from './lexer.ts';
import { ExprSyntaxError } from './value.ts';

const BINARY: Readonly<Record<string, readonly [BinaryOperator, number]>> = {
  or: ['||', 10],
  '||': ['||', 10],
  and: ['&&', 15],
  '&&': ['&&', 15],
  '==': ['==', 20],
  '!=': ['!=', 20],
  '<': ['<', 20],
  '<=': ['<=', 20],
  '>': ['>', 20],
  '>=': ['>=', 20],
  in: ['in', 20],
  contains: ['contains', 20],
  startsWith: ['startsWith', 20],
  endsWith: ['endsWith', 20],
  matches: ['matches', 20],
  '..': ['..', 25],
  '+': ['+', 30],
  '-': ['-', 30],
  '*': ['*', 60],
  '/': ['/', 60],
  '%': ['%', 60],
  '**': ['**', 100],
  '^': ['**', 100],
  '??': ['??', 500],
};
const RIGHT_ASSOCIATIVE = new Set<BinaryOperator>(['**']);
const NEGATABLE = new Set(['in', 'contains', 'startsWith', 'endsWith', 'matches']);
const UNARY: Readonly<Record<string, readonly [UnaryOperator, number]>> = {
  '!': ['!', 50],
  not: ['!', 50],
  '-': ['-', 90],
  '+': ['+', 90],
};
const MAX_DEPTH = 200;

/** Parses one expression. Throws ExprSyntaxError with the 0-based offset of the offending token. */
export function parseExpression(source: string): Node {
  const parser = new Parser(source, tokenize(source));
  const node = parser.expression(0);
  parser.expectEnd();
  return node;
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  expression(minPrecedence: number): Node {
    if (++this.depth > MAX_DEPTH) this.fail('expression is nested too deeply', this.peek());
    let left = this.primary();
    let previous: BinaryOperator | undefined;
    for (;;) {
      const found = this.binaryOperator(minPrecedence);
      if (found === undefined) break;
      const [op, precedence, width] = found;
      const token = this.peek();
      if (previous === '??' && op !== '??') {
        this.fail(`operator ${op} and coalesce expressions (??) cannot be mixed; use parentheses`, token);
      }
      this.pos += width;
      const right = this.expression(RIGHT_ASSOCIATIVE.has(op) ? precedence : precedence + 1);
      left = { kind: 'binary', offset: token.offset, op, left, right };
      previous = op;
    }
    if (minPrecedence === 0) left = this.conditional(left);
    this.depth--;
    return left;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(`unexpected ${describe(t)}`, t);
  }

  /** The binary operator at the cursor if it binds at least `min`: [operator, precedence, token count]. */
  private binaryOperator(min: number): readonly [BinaryOperator, number, number] | undefined {
    const t = this.peek();
    if (t.kind !== 'op' && t.kind !== 'word') return undefined;
    if (t.kind === 'word' && t.text === 'not') {
      const next = this.tokens[this.pos + 1];
      if (next?.kind !== 'word' || !NEGATABLE.has(next.text)) this.fail(`unexpected ${describe(t)}`, t);
      const entry = BINARY[next.text];
      if (entry === undefined || entry[1] < min) return undefined;
      return [`not ${entry[0]}` as BinaryOperator, entry[1], 2];
    }
    const entry = BINARY[t.text];
    if (entry === undefined || entry[1] < min) return undefined;
    return [entry[0], entry[1], 1];
  }

  private conditional(test: Node): Node {
    let node = test;
    while (this.isOp('?')) {
      const offset = this.next().offset;
      if (this.isOp(':')) {
        this.pos++;
        node = { kind: 'conditional', offset, test: node, then: node, otherwise: this.expression(0) };
      } else {
        const then = this.expression(0);
        this.expectOp(':');
        node = { kind: 'conditional', offset, test: node, then, otherwise: this.expression(0) };
      }
    }
    return node;
  }

  private primary(): Node {
    const t = this.peek();
    const unary = t.kind === 'op' || t.kind === 'word' ? UNARY[t.text] : undefined;
    if (unary !== undefined) {
      this.pos++;
      const operand = this.expression(unary[1]);
      return this.postfix({ kind: 'unary', offset: t.offset, op: unary[0], operand });
    }
    if (this.isOp('(')) {
      this.pos++;
      const inner = this.expression(0);
      this.expectOp(')');
      return this.postfix(inner);
    }
    return this.postfix(this.operand());
  }

  private operand(): Node {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'literal', offset: t.offset, value: this.number(t) };
      case 'string':
        return { kind: 'literal', offset: t.offset, value: t.text };
      case 'word':
        return this.word(t);
      case 'op':
        if (t.text === '[') return { kind: 'array', offset: t.offset, items: this.list(']') };
        if (t.text === '{') return this.mapLiteral(t);
        break;
      case 'eof':
        break;
    }
    return this.fail(`unexpected ${describe(t)}`, t);
  }

  private word(t: Token): Node {
    if (t.text === 'true' || t.text === 'false')
      return { kind: 'literal', offset: t.offset, value: t.text === 'true' };
    if (t.text === 'nil') return { kind: 'literal', offset: t.offset, value: null };
    if (BINARY[t.text] !== undefined || t.text === 'not') this.fail(`unexpected ${describe(t)}`, t);
    return { kind: 'ident', offset: t.offset, name: t.text };
  }

  private number(t: Token): number {
    const text = t.text.replace(/_/g, '');
    const prefix = text.slice(0, 2).toLowerCase();
    const radix = prefix === '0x' ? 16 : prefix === '0b' ? 2 : prefix === '0o' ? 8 : 10;
    const value = radix === 10 ? Number(text) : parseInt(text.slice(2), radix);
    if (!Number.isFinite(value)) this.fail(`invalid number literal '${t.text}'`, t);
    return value;
  }

  private mapLiteral(open: Token): Node {
    const entries: MapEntry[] = [];
    while (!this.isOp('}')) {
      const k = this.next();
      if (k.kind !== 'word' && k.kind !== 'string' && k.kind !== 'number') this.fail('expected a map key', k);
      this.expectOp(':');
      entries.push({ key: k.kind === 'number' ? String(this.number(k)) : k.text, value: this.expression(0) });
      if (!this.isOp('}')) this.expectOp(',');
    }
    this.pos++;
    return { kind: 'map', offset: open.offset, entries };
  }

  /** Comma-separated expressions up to `close` (trailing comma allowed); consumes `close`. */
  private list(close: string): Node[] {
    const items: Node[] = [];
    while (!this.isOp(close)) {
      items.push(this.expression(0));
      if (!this.isOp(close)) this.expectOp(',');
    }
    this.pos++;
    return items;
  }

  private postfix(start: Node): Node {
    let node = start;
    let optionalChain = false;
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'op') break;
      if (t.text === '.' || t.text === '?.') {
        this.pos++;
        const optional = t.text === '?.';
        optionalChain ||= optional;
        node = optional && this.isOp('[') ? this.index(node, true) : this.member(node, optional);
      } else if (t.text === '[') {
        node = this.index(node, false);
      } else if (t.text === '(') {
        this.pos++;
        node = { kind: 'call', offset: node.offset, callee: node, args: this.list(')') };
      } else {
        break;
      }
    }
    return optionalChain ? { kind: 'chain', offset: start.offset, body: node } : node;
  }

  private member(object: Node, optional: boolean): Node {
    const name = this.next();
    if (name.kind !== 'word') this.fail('expected a member name', name);
    const property: Node = { kind: 'literal', offset: name.offset, value: name.text };
    return { kind: 'member', offset: object.offset, object, property, optional };
  }

  private index(object: Node, optional: boolean): Node {
    this.pos++;
    const from = this.isOp(':') ? undefined : this.expression(0);
    if (this.isOp(':')) {
      this.pos++;
      const to = this.isOp(']') ? undefined : this.expression(0);
      this.expectOp(']');
      return { kind: 'slice', offset: object.offset, object, from, to };
    }
    this.expectOp(']');
    if (from === undefined) return this.fail('expected an index', this.peek());
    return { kind: 'member', offset: object.offset, object, property: from, optional };
  }

  private peek(): Token {
    return this.tokens[this.pos] ?? this.tokens[this.tokens.length - 1]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isOp(text: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === text;
  }

  private expectOp(text: string): void {
    const t = this.peek();
    if (!this.isOp(text)) this.fail(`expected '${text}' but found ${describe(t)}`, t);
    this.pos++;
  }

  private fail(message: string, at: Token): never {
    throw new ExprSyntaxError(message, at.offset, this.source);
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  if (t.kind === 'string') return 'string literal';
  return `'${t.text}'`;
}
