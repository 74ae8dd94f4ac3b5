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

/** For dense tables: `19:45:12` today, `12-03 19:45` on another day (UTC); empty for 0. */
export function shortUtcTime(ms: number | bigint, now = Date.now()): string {
  const full = utcTime(ms);
  if (full === '') return '';
  return full.slice(0, 10) === utcTime(now).slice(0, 10) ? full.slice(11) : full.slice(5, 16);
}

/** A task's name without its repository folder and revision (`repo/tasks/readout@abc#id` → `readout`). */
export function shortTaskName(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const at = base.search(/[@#]/);
  return at < 0 ? base : base.slice(0, at);
}
