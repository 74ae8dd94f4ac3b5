/**
 * `npm run build`: compiles the program (src/, without tests) file by file into dist/ with the same
 * layout (src/cli/main.ts → dist/cli/main.js), bundles the lean agent (dist/axle-agent.mjs) and writes the stamp that
 * bin/axle.js checks before it runs dist/. Transpiles only: typechecking is `npm run typecheck`.
 */
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { bundleAgent } from '../src/engine/agent-bundle.ts';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

/** What bin/axle.js reads: dist/ is current while no program source is newer and none was added or removed. */
export const STAMP_FILE = 'build-stamp.json';

export interface BuildStamp {
  readonly newestSourceMtimeMs: number;
  readonly sourceFiles: number;
}

/**
 * Program sources: .ts under src/ except tests, `testdata/` fixtures and src/web (the browser's code, which
 * scripts/build-web.ts bundles into dist/web); bin/axle.js uses the same rule. Test support
 * is compiled too (support code outside `testing/` folders imports it), though the program never loads it.
 */
export function programSources(src = SRC): string[] {
  const files: string[] = [];
  for (const e of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue;
    const path = join(e.parentPath, e.name);
    if (!/(^|[/\\])testdata[/\\]|^web[/\\]/.test(relative(src, path))) files.push(path);
  }
  return files.sort();
}

/**
 * Keeps every relative import a separate module (`./x.ts` → `./x.js`), so dist/ mirrors src/ and each file keeps its
 * place (paths built from `import.meta.dirname` stay valid); an import of a file that is not compiled is an error.
 */
function oneToOne(compiled: ReadonlySet<string>): Plugin {
  return {
    name: 'axle-one-to-one',
    setup(b) {
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const target = resolve(args.resolveDir, args.path);
        if (!compiled.has(target))
          return { errors: [{ text: `${args.path}: imports a file that is not part of the program build` }] };
        return { path: args.path.replace(/\.ts$/, '.js'), external: true };
      });
    },
  };
}

/** Builds the program into `outdir` (default dist/). @throws the compiler's error when a source does not build */
export async function buildProgram(outdir = join(ROOT, 'dist')): Promise<BuildStamp> {
  const sources = programSources();
  const stamp: BuildStamp = {
    newestSourceMtimeMs: Math.max(...sources.map((f) => statSync(f).mtimeMs)),
    sourceFiles: sources.length,
  };
  rmSync(join(outdir, STAMP_FILE), { force: true });
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: sources,
    outbase: SRC,
    outdir,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    plugins: [oneToOne(new Set(sources))],
    logLevel: 'warning',
  });
  await bundleAgent(join(outdir, 'axle-agent.mjs'));
  writeFileSync(join(outdir, STAMP_FILE), `${JSON.stringify(stamp)}\n`);
  return stamp;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = performance.now();
  const outdir = resolve(process.argv[2] ?? join(ROOT, 'dist'));
  const stamp = await buildProgram(outdir);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(`built ${stamp.sourceFiles} sources into ${relative(ROOT, outdir)}/ in ${ms} ms\n`);
}
