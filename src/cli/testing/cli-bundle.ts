/**
 * Test support: the `axle` command compiled once per test process into one ES module (esbuild), so tests that run the
 * CLI many times do not pay for loading the TypeScript sources through tsx each time (about a third of the CPU time).
 * npm packages stay outside the bundle, imported from node_modules by absolute path; every source keeps its own
 * `import.meta.url` and `import.meta.dirname` (paths next to the sources, "am I the main module" checks). For client
 * commands (env, task, config …); `axle core` and `axle agent` run through bin/axle.js.
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';

const MAIN = join(import.meta.dirname, '..', 'main.ts');
let bundle: Promise<string> | undefined;

/** The path of the compiled CLI (built on first use, removed when the process exits): run it as `node <path> …`. */
export function cliBundle(): Promise<string> {
  bundle ??= buildCli();
  return bundle;
}

async function buildCli(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'axle-cli-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await build({
    entryPoints: [MAIN],
    outfile: join(dir, 'cli.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [packagesByPath, sourceLocations],
    logLevel: 'warning',
  });
  const entry = join(dir, 'axle.mjs');
  writeFileSync(entry, "import { main } from './cli.mjs';\nawait main(process.argv.slice(2));\n");
  return entry;
}

/** Package imports stay imports, of the file node would load from this checkout. */
const packagesByPath: Plugin = {
  name: 'packages-by-path',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) =>
      a.path.startsWith('node:') ? undefined : { path: import.meta.resolve(a.path), external: true },
    );
  },
};

/** Each source's `import.meta.url` and `import.meta.dirname` stay those of its .ts file. */
const sourceLocations: Plugin = {
  name: 'source-locations',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (a) => ({
      contents: readFileSync(a.path, 'utf8')
        .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(a.path).href))
        .replaceAll('import.meta.dirname', JSON.stringify(dirname(a.path))),
      loader: 'ts',
    }));
  },
};
