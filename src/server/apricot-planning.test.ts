/**
 * The workflow engine planning the example `datataking` workflow with its inventory and defaults from the
 * configuration service: in-process over the store, and remote over gRPC (`apricot://`); and the core serving
 * `apricot.Apricot` on its own port when given a store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigSource } from '../common/config-source.ts';
import { formatIssue } from '../common/issue.ts';
import { openConfigSource } from '../config/open-config-source.ts';
import { storeConfigSource } from '../config/store-config-source.ts';
import { GitFixture, removeDir, tempDir } from '../repos/git-fixture.ts';
import { RepoManager } from '../repos/repo-manager.ts';
import { planFromRepos } from '../workflow/repo-planning.ts';
import { apricotClient, apricotConfigSource } from './apricot-client.ts';
import { fixtureStore, startTestApricot } from './apricot-test-util.ts';
import { startCore } from './core.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples');

function exampleFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of ['workflows', 'tasks', 'jit']) {
    for (const f of readdirSync(join(examples, 'templates', dir)))
      out[`${dir}/${f}`] = readFileSync(join(examples, 'templates', dir, f), 'utf8');
  }
  return out;
}

async function planWith(repos: RepoManager, config: ConfigSource) {
  const plan = await planFromRepos({
    repos,
    workflow: 'datataking',
    config,
    userVars: { hosts: '["flp001","flp002"]', qc_enabled: 'true' },
  });
  assert.ok(plan.ok, plan.ok ? '' : plan.issues.map(formatIssue).join('\n'));
  return plan.value;
}

test('datataking plans with the inventory from the service (in-process and apricot://)', async () => {
  const work = await tempDir();
  const store = await fixtureStore(join(examples, 'config.yaml'));
  const server = await startTestApricot(store);
  try {
    const git = await GitFixture.init(join(work, 'templates'));
    await git.commit(exampleFiles(), 'v1');
    const repos = await RepoManager.open({ stateDir: join(work, 'state') });
    await repos.add(git.dir);

    const local = storeConfigSource(store);
    await local.ready;
    const remote = apricotConfigSource(`apricot://127.0.0.1:${server.port}`);
    await remote.ready;
    const summary = (plan: Awaited<ReturnType<typeof planWith>>) =>
      plan.tasks.map((t) => ({
        path: t.path,
        args: t.command.arguments.filter((a) => !/^--(id|session)=/.test(a)),
      }));
    const fromFile = summary(await planWith(repos, openConfigSource(join(examples, 'config.yaml'))));
    assert.ok(fromFile.some((t) => t.path === 'datataking.host-flp002.qc.qc-task'));
    for (const source of [local, remote]) {
      assert.deepEqual(summary(await planWith(repos, source)), fromFile, source.uri);
      source.close();
    }
    assert.equal(remote.stale, false);
  } finally {
    await server.stop();
    await store.close();
    await removeDir(work);
  }
});

test('the core serves apricot.Apricot on its port when given a store', async () => {
  const work = await tempDir();
  const store = await fixtureStore();
  const core = await startCore({ stateDir: work, port: 0, store });
  try {
    const c = apricotClient(`127.0.0.1:${core.port}`);
    assert.deepEqual((await c.listDetectors({})).detectors, ['ITS', 'TPC']);
    assert.equal((await c.newRunNumber({})).runNumber, 1);
  } finally {
    await core.stop();
    await store.close();
    await removeDir(work);
  }
});
