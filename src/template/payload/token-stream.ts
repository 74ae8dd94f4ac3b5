/** A cursor over lexer tokens with the small helpers the parsers share. */
import { PayloadTemplateError } from './errors.ts';
import type { Token, TokenType } from './lexer.ts';

const SHOWN: Partial<Record<TokenType, string>> = {
  varStart: '{{',
  varEnd: '}}',
  blockStart: '{%',
  blockEnd: '%}',
  eof: 'end of template',
};

/** Deepest nesting of expressions or tags the parsers accept (keeps parsing and evaluation off the stack limit). */
const MAX_NESTING = 100;

export class TokenStream {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: readonly Token[],
    readonly entry: string,
  ) {}

  peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }

  /** True (and consumed) when the next token is the operator or keyword `value`. */
  accept(value: string): boolean {
    const t = this.peek();
    if ((t.type === 'op' || t.type === 'name') && t.value === value) {
      this.next();
      return true;
    }
    return false;
  }

  /** The next token, which must have `type` (and `value`, when given). */
  expect(type: TokenType, value?: string): Token {
    const t = this.peek();
    if (t.type !== type || (value !== undefined && t.value !== value)) {
      const wanted = value ?? SHOWN[type] ?? type;
      this.fail(t, `unexpected token ${show(t)}, expected ${JSON.stringify(wanted)}`);
    }
    return this.next();
  }

  /** Runs `parse` one nesting level deeper; a syntax error past MAX_NESTING levels. */
  nested<T>(parse: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(this.peek(), `nested more than ${MAX_NESTING} levels deep`);
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  fail(t: Token, message: string): never {
    throw new PayloadTemplateError('syntax', this.entry, t.line, message);
  }
}

/** A token as quoted in messages. */
export function show(t: Token): string {
  return JSON.stringify(SHOWN[t.type] ?? t.value);
}
