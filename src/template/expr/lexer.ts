/**
 * Tokenizer for expr-lang expressions. Produces the whole token list up front; every token carries its 0-based
 * offset so syntax errors can point at it.
 */
import { ExprSyntaxError } from './value.ts';

export type TokenKind = 'number' | 'string' | 'word' | 'op' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Operator/word text, the decoded string, or the number's source text. */
  readonly text: string;
  readonly offset: number;
}

const OPERATORS = [
  '?.',
  '??',
  '..',
  '**',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '!',
  '?',
  ':',
  '.',
  ',',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
];

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  '0': '\0',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isWordStart = (c: string): boolean => /[A-Za-z_$]/.test(c) || c > '\x7f';
const isWordPart = (c: string): boolean => isWordStart(c) || isDigit(c);

/** Splits `src` into tokens, ending with an `eof` token. Throws ExprSyntaxError on a bad character or literal. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(src.charAt(i + 1)))) {
      i = readNumber(src, i, tokens);
    } else if (c === '"' || c === "'") {
      i = readQuoted(src, i, tokens);
    } else if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new ExprSyntaxError('unterminated raw string', i, src);
      tokens.push({ kind: 'string', text: src.slice(i + 1, end), offset: i });
      i = end + 1;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < src.length && isWordPart(src.charAt(j))) j++;
      tokens.push({ kind: 'word', text: src.slice(i, j), offset: i });
      i = j;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (op === undefined) throw new ExprSyntaxError(`unexpected character '${c}'`, i, src);
      tokens.push({ kind: 'op', text: op, offset: i });
      i += op.length;
    }
  }
  tokens.push({ kind: 'eof', text: '', offset: src.length });
  return tokens;
}

function readNumber(src: string, start: number, out: Token[]): number {
  const m =
    /^(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*(?:\.(?!\.)[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)/.exec(
      src.slice(start),
    );
  const text = m?.[0] ?? '';
  const end = start + text.length;
  if (text === '' || (end < src.length && isWordPart(src.charAt(end)))) {
    throw new ExprSyntaxError(`bad number syntax '${src.slice(start, end + 1)}'`, start, src);
  }
  out.push({ kind: 'number', text, offset: start });
  return end;
}

function readQuoted(src: string, start: number, out: Token[]): number {
  const quote = src.charAt(start);
  let text = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === quote) {
      out.push({ kind: 'string', text, offset: start });
      return i + 1;
    }
    if (c === '\\') {
      const [decoded, next] = readEscape(src, i);
      text += decoded;
      i = next;
    } else {
      text += c;
      i++;
    }
  }
  throw new ExprSyntaxError('unterminated string literal', start, src);
}

function readEscape(src: string, at: number): [string, number] {
  const e = src.charAt(at + 1);
  const simple = ESCAPES[e];
  if (simple !== undefined) return [simple, at + 2];
  const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
  const hex = src.slice(at + 2, at + 2 + hexLength);
  if (hexLength > 0 && hex.length === hexLength && /^[0-9a-fA-F]+$/.test(hex)) {
    const code = parseInt(hex, 16);
    if (code <= 0x10ffff) return [String.fromCodePoint(code), at + 2 + hexLength];
  }
  throw new ExprSyntaxError(`invalid escape sequence '\\${e}'`, at, src);
}
