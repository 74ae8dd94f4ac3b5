/** Go-style durations as AliECS templates write them: `30s`, `1m30s`, `500ms`, `1.5h`, `0s`. */

const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds of a Go duration, or undefined when the text is not one. A bare `0` is accepted. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s === '') return undefined;
  const sign = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[-+]/, '');
  let total = 0;
  PART.lastIndex = 0;
  let matched = 0;
  while (PART.lastIndex < body.length) {
    const m = PART.exec(body);
    if (m === null) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
    matched++;
  }
  return matched === 0 || Number.isNaN(total) ? undefined : sign * total;
}
