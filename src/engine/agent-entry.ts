/** How engines start the agent program on a machine that has this checkout. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const AGENT_MAIN = fileURLToPath(new URL('../agent/main.ts', import.meta.url));

/**
 * Node arguments that run the agent: through tsx from the sources (default), or compiled (`npm run build` → dist/)
 * with a small young generation, which keeps an agent hosting its tasks near Node's own footprint.
 */
export function agentEntry(compiled: boolean): string[] {
  const dist = join(import.meta.dirname, '..', '..', 'dist', 'agent', 'main.js');
  if (compiled && existsSync(dist))
    return ['--max-semi-space-size=1', '--optimize-for-size', '--v8-pool-size=1', dist];
  return ['--import', import.meta.resolve('tsx'), AGENT_MAIN];
}
