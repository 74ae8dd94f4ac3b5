import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitFixture, removeDir, tempDir } from '../repos/git-fixture.ts';
import { fixtureStore } from '../server/apricot-test-util.ts';
import { startCore } from '../server/core.ts';
import { cliBundle } from './testing/cli-bundle.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/** A port nothing listens on: the CLI finds no core there. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
const noCore = `127.0.0.1:${await closedPort()}`;

/** The CLI as a real process (compiled once, see cliBundle); without `--endpoint` among `args` it finds no core. */
async function axle(
  stateDir: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const endpoint = args.includes('--endpoint') ? [] : ['--endpoint', noCore];
  try {
    const r = await run(
      process.execPath,
      [await cliBundle(), '--state-dir', stateDir, ...endpoint, ...args],
      {
        cwd: root,
      },
    );
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e: unknown) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

test('axle workflow plan/lint/explain and repo/template commands as a real process', async () => {
  const work = await tempDir();
  try {
    const repoDir = join(work, 'templates');
    cpSync(join(root, 'examples', 'templates'), repoDir, { recursive: true });
    const git = await GitFixture.init(repoDir);
    await git.commit({}, 'examples');
    const state = join(work, 'state');
    const config = `file://${join(root, 'examples', 'config.yaml')}`;

    const plan = await axle(
      state,
      'workflow',
      'plan',
      'datataking',
      '--repo',
      repoDir,
      '--config',
      config,
      '-e',
      'hosts=["flp001"],qc_enabled=true',
      '--json',
    );
    assert.equal(plan.code, 0, plan.stderr);
    const json = JSON.parse(plan.stdout) as {
      tasks: Record<string, unknown>[];
      calls: unknown[];
      issues: unknown[];
    };
    const readout = json.tasks.find((t) => t['path'] === 'datataking.host-flp001.readout');
    assert.ok(readout !== undefined);
    for (const key of [
      'taskTemplate',
      'control',
      'command',
      'wants',
      'constraints',
      'bind',
      'connect',
      'properties',
      'critical',
    ]) {
      assert.ok(key in readout, `task has ${key}`);
    }
    assert.deepEqual(readout['constraints'], [{ attribute: 'machine_id', operator: '=', value: 'flp001' }]);

    const list = await axle(state, 'repo', 'list');
    assert.match(list.stdout, /templates/);
    const templates = await axle(state, 'template', 'list', '-r', repoDir, '--json');
    const names = (JSON.parse(templates.stdout) as { templates: { name: string }[] }).templates.map(
      (t) => t.name,
    );
    assert.ok(names.includes('datataking'));

    const explain = await axle(
      state,
      'workflow',
      'explain',
      'datataking',
      'host-flp001.readout',
      'readout_rate',
      '--repo',
      repoDir,
      '--config',
      config,
      '-e',
      'hosts=["flp001"]',
    );
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /readout_rate = "\d+"/);
    assert.match(explain.stdout, /overridden/);

    const clean = await axle(state, 'workflow', 'lint', '--repo', repoDir);
    assert.equal(clean.code, 0, clean.stderr);

    await git.commit(
      {
        'workflows/broken.yaml':
          'name: broken\nroles:\n  - name: a\n    task: { load: nothere }\n  - name: b\n    enabled: "{{ 1 + }}"\n    roles: []\n',
      },
      'broken',
    );
    await axle(state, 'repo', 'refresh');
    const broken = await axle(state, 'workflow', 'lint', '--repo', repoDir);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /workflows\/broken\.yaml:4: error: roles\[0\]\.task\.load: .*nothere/);
    assert.match(
      broken.stderr,
      /workflows\/broken\.yaml:6: error: roles\[1\]\.enabled: .*\[expression_syntax\]/,
    );

    const missing = await axle(state, 'workflow', 'plan', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /workflow template "nope" not found/);
    const badVars = await axle(state, 'workflow', 'plan', 'datataking', '-e', 'novalue');
    assert.equal(badVars.code, 1);
    assert.match(badVars.stderr, /not key=value/);
  } finally {
    await removeDir(work);
  }
});

test('with no core and no --repo/--config, plan, explain and lint use the example repository and configuration and say so', async () => {
  const work = await tempDir();
  try {
    const state = join(work, 'state');
    const plan = await axle(state, 'workflow', 'plan', 'datataking', '-e', 'hosts=["flp001"]');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /^workflow datataking /);
    assert.match(
      plan.stderr,
      new RegExp(
        `^axle: using repository \\S+example-templates \\(the example repository: no default repository and no core at ${noCore}; choose with --repo\\); ` +
          `configuration file://\\S+/examples/config\\.yaml \\(the example configuration: no core at ${noCore}\\)$`,
        'm',
      ),
    );
    const json = await axle(state, '--json', 'workflow', 'plan', 'datataking', '-e', 'hosts=["flp001"]');
    const sources = (JSON.parse(json.stdout) as { sources: Record<string, { origin: string }> }).sources;
    assert.equal(sources['repository']?.origin, 'example');
    assert.equal(sources['configuration']?.origin, 'example');
    const lint = await axle(state, 'workflow', 'lint', '--plan', '-e', 'hosts=["flp001"]');
    assert.equal(lint.code, 0, lint.stderr);
    const explain = await axle(
      state,
      'workflow',
      'explain',
      'datataking',
      'host-flp001.readout',
      'readout_rate',
      '-e',
      'hosts=["flp001"]',
    );
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /readout_rate = "\d+"/);
  } finally {
    await removeDir(work);
  }
});

test('a --repo is for one command: it does not become the default repository of later commands', async () => {
  const work = await tempDir();
  try {
    const other = join(work, 'other');
    const git = await GitFixture.init(other);
    await git.commit(
      {
        'workflows/only-here.yaml': 'name: only-here\nroles:\n  - name: a\n    task: { load: t }\n',
        'tasks/t.yaml': 'name: t\ncontrol: { mode: basic }\ncommand: { value: /bin/true }\n',
      },
      'other',
    );
    const state = join(work, 'state');
    const once = await axle(state, 'workflow', 'plan', 'only-here', '--repo', other);
    assert.equal(once.code, 0, once.stderr);
    const later = await axle(state, '--json', 'workflow', 'plan', 'only-here');
    assert.equal(
      later.code,
      1,
      'the later plan does not find only-here: it plans from the example repository',
    );
    const json = JSON.parse(later.stdout) as { sources: { repository: { used: string; origin: string } } };
    assert.equal(json.sources.repository.origin, 'example');
    const list = JSON.parse((await axle(state, '--json', 'repo', 'list')).stdout) as {
      id: string;
      isDefault: boolean;
    }[];
    assert.deepEqual(
      list.filter((r) => r.isDefault).map((r) => r.id),
      [],
      'neither the --repo nor the example repository became the default',
    );
  } finally {
    await removeDir(work);
  }
});

test("with a core running, plan uses the core's configuration and default repository and says so", async () => {
  const work = await tempDir();
  const store = await fixtureStore(join(root, 'examples', 'config.yaml'));
  await store.put('o2/runtime/aliecs/defaults/axle_task_bin', '/from/the/core');
  const core = await startCore({ stateDir: join(work, 'core'), port: 0, store });
  try {
    const repoDir = join(work, 'core-templates');
    cpSync(join(root, 'examples', 'templates'), repoDir, { recursive: true });
    await (await GitFixture.init(repoDir)).commit({}, 'examples');
    const repo = await core.context.repos.add(repoDir);
    const endpoint = `127.0.0.1:${core.port}`;
    const state = join(work, 'cli');
    const args = ['workflow', 'plan', 'datataking', '-e', 'hosts=["flp001"]', '--endpoint', endpoint];
    const text = await axle(state, ...args);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stderr,
      new RegExp(
        `^axle: using repository ${repo.id} \\(the default repository of the core at ${endpoint}\\); configuration apricot://${endpoint} \\(the running core's\\)$`,
        'm',
      ),
    );
    const json = JSON.parse((await axle(state, '--json', ...args)).stdout) as {
      tasks: { path: string; command: { value: string } }[];
      sources: { configuration: { used: string; origin: string } };
    };
    assert.deepEqual(json.sources.configuration, {
      used: `apricot://${endpoint}`,
      origin: 'core',
      why: "the running core's",
    });
    const readout = json.tasks.find((t) => t.path === 'datataking.host-flp001.readout');
    assert.equal(readout?.command.value, '/from/the/core/readout', "the core's configuration was read");
  } finally {
    await core.stop();
    await store.close();
    await removeDir(work);
  }
});
