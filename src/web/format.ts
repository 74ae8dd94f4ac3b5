/** Display helpers: times and durations for a control-room screen (UTC, to the second). */

/** `2026-12-03 19:45:12` (UTC) for milliseconds since the epoch; empty for 0. */
export function utcTime(ms: number | bigint): string {
  const n = Number(ms);
  if (!Number.isFinite(n) || n <= 0) return '';
  return new Date(n).toISOString().replace('T', ' ').slice(0, 19);
}

/** `3 min 12 s` since `ms`. */
export function since(ms: number, now: number): string {
  if (ms <= 0) return '';
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

/** Sorted entries of a string map. */
export function sortedEntries(m: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(m).sort(([a], [b]) => a.localeCompare(b));
}
