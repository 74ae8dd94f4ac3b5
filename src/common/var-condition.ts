/**
 * The `visibleIf` / `enabledIf` expressions of var specs, evaluated without `eval`: `$$name` (the variable's current
 * text), string and number literals, `true`/`false`, `=== !== == != < <= > >=`, `! && ||` and parentheses. Equality
 * compares as text (`$$qc_enabled === true` holds for the text "true"); `<`… compare as numbers. Pure.
 */

export type Condition =
  { readonly ok: true; readonly value: boolean } | { readonly ok: false; readonly reason: string };

type Value = string | number | boolean;
type Token = { readonly kind: 'var' | 'str' | 'num' | 'op' | 'word'; readonly text: string };

const OPS = ['===', '!==', '==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? '';
    if (/\s/.test(c)) i++;
    else if (src.startsWith('$$', i)) {
      const m = /^[A-Za-z_][\w.]*/.exec(src.slice(i + 2));
      if (m === null) throw new Error(`a variable name must follow $$ at column ${i + 1}`);
      out.push({ kind: 'var', text: m[0] });
      i += 2 + m[0].length;
    } else if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated string at column ${i + 1}`);
      out.push({ kind: 'str', text: src.slice(i + 1, end) });
      i = end + 1;
    } else if (/[0-9.-]/.test(c) && /^-?\d/.test(src.slice(i))) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i)) ?? [''];
      out.push({ kind: 'num', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z]/.test(c)) {
      const m = /^[A-Za-z]+/.exec(src.slice(i)) ?? [''];
      out.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else {
      const op = OPS.find((o) => src.startsWith(o, i));
      if (op === undefined) throw new Error(`unexpected "${c}" at column ${i + 1}`);
      out.push({ kind: 'op', text: op });
      i += op.length;
    }
  }
  return out;
}

class Parser {
  private at = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly vars: Readonly<Record<string, string>>,
  ) {}

  parse(): Value {
    const v = this.or();
    if (this.at < this.tokens.length) throw new Error(`unexpected "${this.tokens[this.at]?.text ?? ''}"`);
    return v;
  }

  private peek(text: string): boolean {
    const t = this.tokens[this.at];
    return t !== undefined && t.kind === 'op' && t.text === text;
  }

  private or(): Value {
    let v = this.and();
    while (this.peek('||')) {
      this.at++;
      const r = this.and();
      v = truthy(v) || truthy(r);
    }
    return v;
  }

  private and(): Value {
    let v = this.cmp();
    while (this.peek('&&')) {
      this.at++;
      const r = this.cmp();
      v = truthy(v) && truthy(r);
    }
    return v;
  }

  private cmp(): Value {
    const left = this.unary();
    const t = this.tokens[this.at];
    if (
      t === undefined ||
      t.kind !== 'op' ||
      !['===', '!==', '==', '!=', '<', '<=', '>', '>='].includes(t.text)
    )
      return left;
    this.at++;
    const right = this.unary();
    switch (t.text) {
      case '===':
      case '==':
        return String(left) === String(right);
      case '!==':
      case '!=':
        return String(left) !== String(right);
      case '<':
        return Number(left) < Number(right);
      case '<=':
        return Number(left) <= Number(right);
      case '>':
        return Number(left) > Number(right);
      default:
        return Number(left) >= Number(right);
    }
  }

  private unary(): Value {
    if (this.peek('!')) {
      this.at++;
      return !truthy(this.unary());
    }
    return this.primary();
  }

  private primary(): Value {
    const t = this.tokens[this.at++];
    if (t === undefined) throw new Error('the expression ends too early');
    if (t.kind === 'op' && t.text === '(') {
      const v = this.or();
      if (!this.peek(')')) throw new Error('a ")" is missing');
      this.at++;
      return v;
    }
    if (t.kind === 'var') return this.vars[t.text] ?? '';
    if (t.kind === 'str') return t.text;
    if (t.kind === 'num') return Number(t.text);
    if (t.kind === 'word' && (t.text === 'true' || t.text === 'false')) return t.text === 'true';
    throw new Error(`unexpected "${t.text}"`);
  }
}

/** Text "false", "" and "0" are false, as a GUI user means them. */
function truthy(v: Value): boolean {
  if (typeof v === 'string') return v !== '' && v !== 'false' && v !== '0';
  return typeof v === 'number' ? v !== 0 : v;
}

/** Evaluates `expr` over the current values; an empty expression holds. */
export function evaluateCondition(expr: string, vars: Readonly<Record<string, string>>): Condition {
  if (expr.trim() === '') return { ok: true, value: true };
  try {
    return { ok: true, value: truthy(new Parser(tokenize(expr), vars).parse()) };
  } catch (e) {
    return { ok: false, reason: `${(e as Error).message} in "${expr}"` };
  }
}
