/** Printing for the CLI: human text by default, JSON with --json. */
import { formatIssue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Issues to stderr, errors first; returns the number of errors. */
export function printIssues(issues: readonly Issue[]): number {
  const sorted = [...issues].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1,
  );
  for (const i of sorted) process.stderr.write(`${formatIssue(i)}\n`);
  return issues.filter((i) => i.severity === 'error').length;
}

/** A plain aligned table. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(headers)}\n${rows.map(line).join('\n')}${rows.length > 0 ? '\n' : ''}`);
}
