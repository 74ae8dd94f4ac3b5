/** A request's arguments as bounded JSON for the audit log: long strings, lists and maps are cut, depth is limited. */

const MAX_STRING = 200;
const MAX_ITEMS = 20;
const MAX_DEPTH = 4;
const MAX_TOTAL = 4000;

export function boundedArgs(message: unknown): string {
  const text = JSON.stringify(bound(message, 0)) ?? '{}';
  return text.length <= MAX_TOTAL ? text : `${text.slice(0, MAX_TOTAL)}…`;
}

function bound(v: unknown, depth: number): unknown {
  if (typeof v === 'string')
    return v.length <= MAX_STRING ? v : `${v.slice(0, MAX_STRING)}… (${v.length} chars)`;
  if (typeof v === 'bigint') return v.toString();
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(v)) {
    const items = v.slice(0, MAX_ITEMS).map((x: unknown) => bound(x, depth + 1));
    return v.length > MAX_ITEMS ? [...items, `… (${v.length} items)`] : items;
  }
  const out: Record<string, unknown> = {};
  const entries = Object.entries(v).filter(([k]) => k !== '$typeName');
  for (const [k, x] of entries.slice(0, MAX_ITEMS)) out[k] = bound(x, depth + 1);
  if (entries.length > MAX_ITEMS) out['…'] = `${entries.length} keys`;
  return out;
}
