/**
 * Globs over repository ids and revision names, as AliECS matches them (gobwas/glob without separators): `*` and
 * `**` match any text (dots and slashes included), `?` one character, `[abc]`/`[!a-z]` a class, `{a,b}` either
 * alternative, `\` escapes the next character.
 */

/** The glob as an anchored regular expression. */
export function nameGlob(pattern: string): RegExp {
  return new RegExp(`^${translate(pattern)}$`);
}

/** Whether the pattern has any glob syntax (else it names one revision, which may also be a commit). */
export function isLiteralGlob(pattern: string): boolean {
  return !/[*?[\]{}\\]/.test(pattern);
}

function translate(p: string): string {
  let re = '';
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i] ?? '';
    if (c === '\\' && i + 1 < p.length) re += escape(p[++i] ?? '');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = p.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        const body = p.slice(i + 1, end);
        re += body.startsWith('!') ? `[^${classBody(body.slice(1))}]` : `[${classBody(body)}]`;
        i = end;
      }
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) re += '|';
    else re += escape(c);
  }
  return re + ')'.repeat(depth);
}

function classBody(body: string): string {
  return body.replace(/[\\\]^[]/g, '\\$&');
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
