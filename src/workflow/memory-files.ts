/** Template files held in memory: for tests and for templates that do not live in a repository. */
import type { LintFiles } from './lint.ts';

export function memoryFiles(
  files: Readonly<Record<string, string>>,
  repoId = 'memory',
  revision = 'main',
): LintFiles {
  return {
    repoId,
    revision,
    commit: revision,
    readFile: (rel) => files[rel],
    listFiles: (dir) =>
      Object.keys(files)
        .filter((k) => k.startsWith(`${dir}/`))
        .map((k) => k.slice(dir.length + 1))
        .sort(),
  };
}
