/**
 * coconut's `-e/--extra-vars`: `k=v,k2=v2` or a JSON object. Non-string JSON values are re-serialised as JSON text
 * (so `{"hosts":["a","b"]}` gives hosts='["a","b"]'). Several -e flags merge, later ones win.
 */
export class ExtraVarsError extends Error {
  override readonly name = 'ExtraVarsError';
}

export function parseExtraVars(texts: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const text of texts) Object.assign(out, parseOne(text.trim()));
  return out;
}

function parseOne(text: string): Record<string, string> {
  if (text === '') return {};
  if (text.startsWith('{')) return parseJson(text);
  const out: Record<string, string> = {};
  for (const pair of splitPairs(text)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ExtraVarsError(`--extra-vars: "${pair}" is not key=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** Splits on commas that are not inside brackets or quotes, so `hosts=["a","b"],x=1` works. */
function splitPairs(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseJson(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e: unknown) {
    throw new ExtraVarsError(`--extra-vars: invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ExtraVarsError('--extra-vars: JSON must be an object of variables');
  }
  return Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}
