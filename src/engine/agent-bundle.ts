/**
 * The agent as one minified ES module (what `npm run build` writes to dist/axle-agent.mjs): one file loads faster and
 * keeps less code in memory than the module tree under tsx or tsc's output.
 */
import { join } from 'node:path';
import { build } from 'esbuild';

const AGENT_SOURCE = join(import.meta.dirname, '..', 'agent', 'main.ts');

/** Bundles the agent into `outfile`. @throws the bundler's error when the sources do not build */
export async function bundleAgent(outfile: string): Promise<void> {
  await build({
    entryPoints: [AGENT_SOURCE],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Bundled CommonJS dependencies call require(); give the module one.
    banner: {
      js: "import { createRequire as axleRequire } from 'node:module'; const require = axleRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}
