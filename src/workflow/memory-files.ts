/** Template files held in memory: for tests and for templates that do not live in a repository. */
import { createHash } from 'node:crypto';
import type { LintFiles } from './lint.ts';

export function memoryFiles(
  files: Readonly<Record<string, string>>,
  repoId = 'memory',
  revision = 'main',
): LintFiles {
  return {
    repoId,
    revision,
    commit: contentHash(files),
    readFile: (rel) => files[rel],
    listFiles: (dir) =>
      Object.keys(files)
        .filter((k) => k.startsWith(`${dir}/`))
        .map((k) => k.slice(dir.length + 1))
        .sort(),
  };
}

/** A commit-like id of the content, so that parse caches never mix two different in-memory trees. */
function contentHash(files: Readonly<Record<string, string>>): string {
  const h = createHash('sha1');
  for (const k of Object.keys(files).sort()) h.update(`${k}\0${files[k] ?? ''}\0`);
  return h.digest('hex');
}
