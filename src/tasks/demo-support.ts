/**
 * Small helpers shared by the demo task programs: logging, the `--fail-on <hook>` test switch and the stats file.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { optionValue } from '../occ/task-args.ts';

/** Prints one line on stdout, prefixed with the program name. */
export function log(program: string, message: string): void {
  process.stdout.write(`${program}: ${message}\n`);
}

/**
 * Throws when `--fail-on` names `hook` (comma-separated list allowed), so tests and demos can make a transition
 * fail inside the task: e.g. `--fail-on start` sends the task to ERROR on START.
 */
export function failIfAsked(argv: readonly string[], hook: string): void {
  const wanted = (optionValue(argv, '--fail-on') ?? '').split(',');
  if (wanted.includes(hook)) throw new Error(`${hook} failed on request (--fail-on)`);
}

/** Positive number option, or the fallback when absent or not a positive number. */
export function numberOption(argv: readonly string[], name: string, fallback: number): number {
  const n = Number(optionValue(argv, name));
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Writes `value` as JSON to `path` atomically (temporary file, then rename). No-op when `path` is empty. */
export function writeStats(path: string | undefined, value: unknown): void {
  if (path === undefined || path === '') return;
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(value)}\n`);
  renameSync(tmp, path);
}
