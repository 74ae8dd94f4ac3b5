/** The core's state directory, its repository state, JIT cache and the agents' logs are private under umask 000. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { moduleUrl, runWithUmask0 } from '../agent/testing/umask-child.ts';
import { timeScale } from '../common/testing/time-scale.ts';

function mode(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

test('with umask 000 the core creates its state 0700/0600, local agents and their logs included', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-perm-'));
  try {
    const state = join(root, 'state');
    const examples = join(import.meta.dirname, '..', '..', 'examples', 'templates');
    const core = moduleUrl(join(import.meta.dirname, 'core.ts'));
    await runWithUmask0(
      `
const { startCore } = await import(${JSON.stringify(core)});
const { existsSync } = await import('node:fs');
const core = await startCore({ stateDir: ${JSON.stringify(state)}, port: 0, localAgents: [{ host: 'localhost' }] });
try {
  await core.context.repos.add(${JSON.stringify(examples)});
  const deadline = Date.now() + ${10_000 * timeScale()};
  while (!existsSync(${JSON.stringify(join(state, 'agents'))})) {
    if (Date.now() > deadline) throw new Error('the local agent did not create its agents/ folder in time');
    await new Promise((r) => setTimeout(r, 50));
  }
} finally {
  await core.stop();
}
`,
      60_000 * timeScale(),
    );
    const dirs = ['', 'jit', 'repos', 'logs', join('logs', 'agents'), 'agents'];
    for (const d of dirs) assert.equal(mode(join(state, d)), '700', `${d || 'the state dir'}`);
    for (const f of [join('repos', 'repos.json'), join('logs', 'agents', 'agent-1.log')])
      assert.equal(mode(join(state, f)), '600', f);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
