/**
 * Glob patterns as AliECS reads them (gobwas/glob): `*` within a segment, `**` across segments, `?` one character,
 * `[abc]`, `[a-z]`, `[!abc]` classes, `{a,b}` alternatives and `\` escapes. Role paths use the separator '.';
 * repository ids and revision names use none (`*` then matches dots and slashes too). A malformed pattern is a
 * refusal with its reason, never a thrown SyntaxError.
 */
import { invalid } from './rpc-errors.ts';

export type GlobResult =
  { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly reason: string };

const SPECIAL = /[.+^${}()|[\]\\*?/-]/g;

/** Compiles a glob with `separator` ('.' for role paths, none for names); `reason` says what is wrong and where. */
export function compileGlob(glob: string, separator: '.' | 'none' = '.'): GlobResult {
  const any = separator === 'none' ? '.' : '[^.]';
  const out: string[] = [];
  const braces: number[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (c === '\\') {
      if (i + 1 >= glob.length) return fail('a trailing "\\" escapes nothing');
      out.push(escape(glob.charAt(++i)));
    } else if (c === '*') {
      const deep = glob.charAt(i + 1) === '*';
      out.push(deep ? '.*' : `${any}*`);
      if (deep) i++;
    } else if (c === '?') out.push(any);
    else if (c === '[') {
      const cls = charClass(glob, i);
      if (!cls.ok) return cls;
      out.push(cls.text);
      i = cls.end;
    } else if (c === '{') {
      braces.push(i);
      out.push('(?:');
    } else if (c === ',' && braces.length > 0) out.push('|');
    else if (c === '}' && braces.length > 0) {
      braces.pop();
      out.push(')');
    } else out.push(escape(c));
  }
  if (braces.length > 0) return fail(`"{" at position ${(braces.at(-1) ?? 0) + 1} is not closed`);
  return { ok: true, re: new RegExp(`^${out.join('')}$`) };
}

function charClass(
  glob: string,
  start: number,
): { ok: true; text: string; end: number } | { ok: false; reason: string } {
  const close = glob.indexOf(']', start + 1);
  if (close < 0) return fail(`"[" at position ${start + 1} is not closed`);
  let body = glob.slice(start + 1, close);
  const negated = body.startsWith('!');
  if (negated) body = body.slice(1);
  if (body === '') return fail(`the class at position ${start + 1} is empty`);
  let inner = '';
  for (let j = 0; j < body.length; j++) {
    const a = body.charAt(j);
    if (body.charAt(j + 1) !== '-' || j + 2 >= body.length) {
      inner += escape(a);
      continue;
    }
    const b = body.charAt(j + 2);
    if (a > b) return fail(`the range ${a}-${b} at position ${start + 1} is reversed`);
    inner += `${escape(a)}-${escape(b)}`;
    j += 2;
  }
  return { ok: true, text: `[${negated ? '^' : ''}${inner}]`, end: close };
}

function escape(s: string): string {
  return s.replace(SPECIAL, '\\$&');
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** Whether the pattern has no glob syntax (it names one thing, e.g. a revision that may also be a commit). */
export function isLiteralGlob(pattern: string): boolean {
  return !/[*?[\]{}\\]/.test(pattern);
}

/** The glob's RegExp, or InvalidArgument naming the RPC, the field and what is wrong. */
export function globOrInvalid(
  rpcName: string,
  field: string,
  glob: string,
  separator: '.' | 'none' = '.',
): RegExp {
  const r = compileGlob(glob, separator);
  if (!r.ok) throw invalid(rpcName, field, `"${glob.slice(0, 100)}" is not a valid pattern: ${r.reason}`);
  return r.re;
}
