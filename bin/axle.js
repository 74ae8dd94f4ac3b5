#!/usr/bin/env node
// Entry point of the `axle` command. Runs the compiled program (dist/, `npm run build`) when it is current — built after
// the last change to any program source under src/ — else the TypeScript sources through tsx, saying so on stderr.
// AXLE_DIST names another build folder (it must sit beside src/, as dist/ does).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const dist = resolve(process.env.AXLE_DIST ?? join(root, 'dist'));

/** Why dist/ cannot run (missing, or older than the sources), or undefined when it is current. */
function staleReason() {
  const stampFile = join(dist, 'build-stamp.json');
  if (!existsSync(stampFile)) return 'no compiled program';
  const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  const src = join(root, 'src');
  // The same files as scripts/build.ts programSources(): no tests, no testdata/ folders, not the browser's src/web.
  let files = 0;
  for (const e of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
    const path = join(e.parentPath, e.name);
    if (/(^|[/\\])testdata[/\\]|^web[/\\]/.test(relative(src, path))) continue;
    files++;
    if (statSync(path).mtimeMs > stamp.newestSourceMtimeMs)
      return `${relative(root, path)} changed since the build`;
  }
  return files === stamp.sourceFiles ? undefined : 'source files were added or removed since the build';
}

const reason = staleReason();
if (reason === undefined) {
  await import(pathToFileURL(join(dist, 'cli', 'bin.js')).href);
} else {
  process.stderr.write(
    `axle: running the sources through tsx (${reason}); \`npm run build\` makes it start faster\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/bin.ts');
}
