/**
 * The workflow engine plans the example data-taking workflow with its inventory read from each kind of
 * configuration: the AliECS YAML file, the embedded store and a real etcd (both seeded from the same file), and the
 * Apricot service of a core over the embedded store. All give the same tasks and detectors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd } from '../config/etcd-store-server.ts';
import type { EtcdServer } from '../config/etcd-store-server.ts';
import { formatIssue } from '../common/issue.ts';
import { memoryFiles } from '../workflow/memory-files.ts';
import { planWorkflow } from '../workflow/planner.ts';
import { openConfiguration, seedStore } from './configuration.ts';
import { startCore } from './core.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
let root = '';
let etcd: EtcdServer | undefined;

function files(): ReturnType<typeof memoryFiles> {
  const out: Record<string, string> = {};
  for (const dir of ['workflows', 'tasks', 'jit']) {
    for (const f of readdirSync(join(EXAMPLES, 'templates', dir)))
      out[`${dir}/${f}`] = readFileSync(join(EXAMPLES, 'templates', dir, f), 'utf8');
  }
  return memoryFiles(out);
}

async function planWith(uri: string): Promise<string[]> {
  const c = await openConfiguration(uri, join(root, 'state'));
  try {
    if (c.store !== undefined) await seedStore(c.store, join(EXAMPLES, 'config.yaml'));
    const fresh = await openConfiguration(uri, join(root, 'state'));
    try {
      const r = await planWorkflow({
        workflow: 'datataking',
        files: files(),
        config: fresh.source,
        userVars: { hosts: '["flp001","flp003"]' },
        environmentId: 'envcfg00001',
      });
      assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
      const readout = r.value.tasks.find((t) => t.path === 'datataking.host-flp003.readout');
      return [...r.value.tasks.map((t) => t.path), `env:${readout?.command.env.join(' ') ?? ''}`];
    } finally {
      await fresh.close();
    }
  } finally {
    await c.close();
  }
}

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'axle-cfg-'));
  // An etcd of its own: seeding writes the example configuration only into an empty o2 tree, and the etcd shared by
  // a test run (AXLE_TEST_ETCD) holds the store contract's o2/runtime keys.
  etcd = await startEtcd({ own: true });
});

after(async () => {
  await etcd?.stop();
  rmSync(root, { recursive: true, force: true });
});

test('the same plan from the file, the embedded store, etcd and a core serving Apricot', async () => {
  const fromFile = await planWith(`file://${join(EXAMPLES, 'config.yaml')}`);
  assert.ok(
    fromFile.some((p) => p.includes('O2_DETECTOR=TPC')),
    'flp003 is a TPC host in the example inventory',
  );
  assert.deepEqual(await planWith(`embedded://${join(root, 'embedded')}`), fromFile);
  assert.deepEqual(await planWith(etcd?.uri ?? ''), fromFile);
  const core = await startCore({
    stateDir: join(root, 'core'),
    port: 0,
    config: `embedded://${join(root, 'core-store')}`,
    seedConfig: join(EXAMPLES, 'config.yaml'),
  });
  try {
    assert.deepEqual(await planWith(`apricot://${core.url.replace('http://', '')}`), fromFile);
  } finally {
    await core.stop();
  }
});
