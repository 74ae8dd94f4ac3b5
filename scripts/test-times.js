// A node:test reporter that prints, once the run is over, the wall time of the slowest 15 test files (each file's
// process, from its start to its end) and of the whole run. `npm test` writes it to stderr. (Plain JavaScript: the
// test runner loads reporters before tsx.)
import { relative } from 'node:path';

const SHOWN = 15;

/** @param {AsyncIterable<{ type: string, data?: { name?: string, file?: string, details?: { duration_ms?: number } } }>} source */
export default async function* testTimes(source) {
  const started = Date.now();
  /** @type {Map<string, number>} */
  const files = new Map();
  for await (const event of source) {
    const { name, file, details } = event.data ?? {};
    // A file's own completion is the event whose name is the file's path.
    if (event.type === 'test:complete' && file !== undefined && name === file)
      files.set(relative(process.cwd(), file), details?.duration_ms ?? 0);
  }
  const slowest = [...files].sort((a, b) => b[1] - a[1]).slice(0, SHOWN);
  yield `\nslowest ${slowest.length} of ${files.size} test files (wall time of each file):\n`;
  for (const [file, ms] of slowest) yield `${(ms / 1000).toFixed(1).padStart(7)} s  ${file}\n`;
  yield `whole run: ${((Date.now() - started) / 1000).toFixed(1)} s\n`;
}
