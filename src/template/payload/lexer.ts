/**
 * Splits payload template text into tokens: text runs, the delimiters of `{{ }}` and `{% %}`, and the expression
 * tokens between them. Comments `{# #}` are dropped; `{{-`/`{%-`/`{#-` trim whitespace before the tag and
 * `-}}`/`-%}`/`-#}` trim it after; `{% raw %}…{% endraw %}` (or `verbatim`) is kept as text.
 */
import { PayloadTemplateError } from './errors.ts';

export type TokenType =
  'text' | 'varStart' | 'varEnd' | 'blockStart' | 'blockEnd' | 'name' | 'number' | 'string' | 'op' | 'eof';

export interface Token {
  readonly type: TokenType;
  readonly value: string;
  readonly line: number;
}

const OPERATORS = [
  '==', '!=', '<=', '>=', '//', '&&', '||',
  '<', '>', '+', '-', '*', '/', '%', '~', '|', '(', ')', '[', ']', '{', '}', ',', ':', '.', '=', '!',
]; // prettier-ignore
const OPEN = /\{\{|\{%|\{#/g;
const RAW_OPEN = /\{%-?\s*(raw|verbatim)\s*-?%\}/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /\d+(?:\.\d+)?/y;
const DIGITS = /\d+/y;
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  '"': '"',
  "'": "'",
};

/** Tokens of `source`; throws PayloadTemplateError('syntax') naming `entry` for an unterminated tag or string. */
export function tokenize(source: string, entry: string): Token[] {
  return new Lexer(source, entry).run();
}

class Lexer {
  private pos = 0;
  private line = 1;
  private readonly tokens: Token[] = [];
  private trimNext = false;

  constructor(
    private readonly src: string,
    private readonly entry: string,
  ) {}

  run(): Token[] {
    while (this.pos < this.src.length) {
      OPEN.lastIndex = this.pos;
      const m = OPEN.exec(this.src);
      const at = m === null ? this.src.length : m.index;
      const trimBefore = m !== null && this.src[at + 2] === '-';
      this.text(this.src.slice(this.pos, at), trimBefore);
      this.advanceTo(at);
      if (m === null) break;
      if (m[0] === '{#') this.comment();
      else if (m[0] === '{%' && this.raw()) continue;
      else this.code(m[0] === '{{' ? 'var' : 'block');
    }
    this.tokens.push({ type: 'eof', value: '', line: this.line });
    return this.tokens;
  }

  private text(raw: string, trimEnd: boolean): void {
    let value = this.trimNext ? raw.trimStart() : raw;
    if (trimEnd) value = value.trimEnd(); // built-ins: linear, unlike /\s+$/ on long whitespace runs
    this.trimNext = false;
    if (value !== '') this.push('text', value);
  }

  private advanceTo(pos: number): void {
    this.line += countLines(this.src.slice(this.pos, pos));
    this.pos = pos;
  }

  private comment(): void {
    const end = this.src.indexOf('#}', this.pos + 2);
    if (end < 0) this.error('unterminated comment');
    this.trimNext = this.src[end - 1] === '-';
    this.advanceTo(end + 2);
  }

  /** `{% raw %}`: everything up to `{% endraw %}` is text. */
  private raw(): boolean {
    RAW_OPEN.lastIndex = this.pos;
    const open = RAW_OPEN.exec(this.src);
    if (open === null) return false;
    const close = new RegExp(`\\{%-?\\s*end${open[1] ?? ''}\\s*-?%\\}`, 'g');
    close.lastIndex = this.pos + open[0].length;
    const end = close.exec(this.src);
    if (end === null) this.error(`unterminated ${open[1] ?? ''} block`);
    const line = this.line;
    let body = this.src.slice(this.pos + open[0].length, end.index);
    if (open[0].endsWith('-%}')) body = body.trimStart();
    if (end[0].startsWith('{%-')) body = body.trimEnd();
    if (body !== '') this.tokens.push({ type: 'text', value: body, line });
    this.advanceTo(end.index + end[0].length);
    this.trimNext = end[0].endsWith('-%}');
    return true;
  }

  private code(kind: 'var' | 'block'): void {
    const startLine = this.line;
    this.push(kind === 'var' ? 'varStart' : 'blockStart', '');
    this.advanceTo(this.pos + (this.src[this.pos + 2] === '-' ? 3 : 2));
    const close = kind === 'var' ? '}}' : '%}';
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length) this.error(`unterminated ${kind === 'var' ? '{{' : '{%'}`, startLine);
      const trim = this.src.startsWith(`-${close}`, this.pos);
      if (trim || this.src.startsWith(close, this.pos)) {
        this.push(kind === 'var' ? 'varEnd' : 'blockEnd', '');
        this.advanceTo(this.pos + (trim ? 3 : 2));
        this.trimNext = trim;
        return;
      }
      this.expressionToken();
    }
  }

  private skipSpace(): void {
    let p = this.pos;
    while (p < this.src.length && /\s/.test(this.src[p] ?? '')) p++;
    this.advanceTo(p);
  }

  private expressionToken(): void {
    const c = this.src[this.pos] ?? '';
    if (c === '"' || c === "'") return this.string(c);
    const afterDot = this.tokens.at(-1)?.value === '.' && this.tokens.at(-1)?.type === 'op';
    if (this.sticky(afterDot ? DIGITS : NUMBER, 'number') || this.sticky(NAME, 'name')) return;
    const op = OPERATORS.find((o) => this.src.startsWith(o, this.pos));
    if (op === undefined) this.error(`unexpected character "${c}"`);
    this.push('op', op);
    this.advanceTo(this.pos + op.length);
  }

  private sticky(re: RegExp, type: TokenType): boolean {
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    if (m === null) return false;
    this.push(type, m[0]);
    this.advanceTo(this.pos + m[0].length);
    return true;
  }

  private string(quote: string): void {
    let out = '';
    let p = this.pos + 1;
    for (;;) {
      const c = this.src[p];
      if (c === undefined) this.error('unterminated string');
      if (c === quote) break;
      if (c === '\\') {
        const next = this.src[p + 1] ?? '';
        out += ESCAPES[next] ?? `\\${next}`;
        p += 2;
      } else {
        out += c;
        p++;
      }
    }
    this.push('string', out);
    this.advanceTo(p + 1);
  }

  private push(type: TokenType, value: string): void {
    this.tokens.push({ type, value, line: this.line });
  }

  private error(message: string, line = this.line): never {
    throw new PayloadTemplateError('syntax', this.entry, line, message);
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}
