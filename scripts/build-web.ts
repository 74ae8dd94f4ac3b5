/**
 * `npm run build` step (and the quick start's): bundles the web GUI (src/web) with esbuild into dist/web — the page
 * (index.html) and its assets (app.js, style.css) — which the core serves at `/`. Nothing is built at run time.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src', 'web');

/** Writes the GUI into `outDir` (default dist/web), replacing what was there. */
export async function buildWeb(outDir = join(ROOT, 'dist', 'web')): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'assets'), { recursive: true });
  await build({
    entryPoints: [join(SRC, 'main.tsx')],
    outfile: join(outDir, 'assets', 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(SRC, 'tsconfig.json'),
    logLevel: 'warning',
  });
  copyFileSync(join(SRC, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(SRC, 'style.css'), join(outDir, 'assets', 'style.css'));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await buildWeb();
