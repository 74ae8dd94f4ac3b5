/** How engines start the agent program on a machine that has this checkout. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryModule, RUNNING_COMPILED } from '../common/compiled-entry.ts';

/** The agent's main module: src/agent/main.ts, or its compiled sibling when this program runs compiled. */
const AGENT_MAIN = fileURLToPath(entryModule(new URL('../agent/main.ts', import.meta.url)));

/** The bundled agent that `npm run build` writes: in the build folder this program runs from, else in dist/. */
export const AGENT_BUNDLE = RUNNING_COMPILED
  ? join(import.meta.dirname, '..', 'axle-agent.mjs')
  : join(import.meta.dirname, '..', '..', 'dist', 'axle-agent.mjs');

/**
 * V8 settings for the bundled agent, which mostly waits on sockets and pipes: a small young generation, no optimizing
 * compiler (its code and data cost more memory than the agent gains), one platform thread, and an exposed collector
 * for the agent's heap trim (src/agent/heap-trim.ts). Together they keep an agent hosting 20 tasks under 64 MB.
 */
const LEAN_AGENT_FLAGS = [
  '--max-semi-space-size=1',
  '--optimize-for-size',
  '--no-opt',
  '--v8-pool-size=1',
  '--expose-gc',
];

/**
 * Node arguments that run the agent: the bundle (default the one `npm run build` writes) with lean settings when
 * `compiled` is asked and the bundle is newer than the agent's sources, else the agent's main module (through tsx
 * when this program runs the sources).
 */
export function agentEntry(compiled: boolean, bundle = AGENT_BUNDLE): string[] {
  if (compiled && bundleIsCurrent(bundle)) return [...LEAN_AGENT_FLAGS, bundle];
  return RUNNING_COMPILED ? [AGENT_MAIN] : ['--import', import.meta.resolve('tsx'), AGENT_MAIN];
}

/** Source folders the agent is built from. */
const AGENT_SOURCES = ['agent', 'occ', 'common', 'gen'].map((d) => join(import.meta.dirname, '..', d));

/** Answers of `bundleIsCurrent` by bundle path and build time (engines ask once per agent they start). */
const currentCache = new Map<string, boolean>();

/** The bundle exists and is newer than every agent source (a stale bundle would run old agent code). */
function bundleIsCurrent(bundle: string): boolean {
  if (!existsSync(bundle)) return false;
  // The build that compiled this program wrote its bundle too (bin/axle.js runs only a current build).
  if (RUNNING_COMPILED && bundle === AGENT_BUNDLE) return true;
  const built = statSync(bundle).mtimeMs;
  const key = `${bundle}@${built}`;
  let current = currentCache.get(key);
  if (current === undefined) {
    current = AGENT_SOURCES.every((dir) => newestIn(dir) <= built);
    currentCache.set(key, current);
  }
  return current;
}

function newestIn(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile() && e.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  return newest;
}
