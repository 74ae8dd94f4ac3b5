import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GitFixture, removeDir, tempDir } from '../repos/git-fixture.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'axle.js');

async function axle(
  stateDir: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [bin, '--state-dir', stateDir, ...args], { cwd: root });
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
    const templates = await axle(state, 'template', 'list', '--json');
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
      '--config',
      config,
      '-e',
      'hosts=["flp001"]',
    );
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /readout_rate = "\d+"/);
    assert.match(explain.stdout, /overridden/);

    const clean = await axle(state, 'workflow', 'lint');
    assert.equal(clean.code, 0, clean.stderr);

    await git.commit(
      {
        'workflows/broken.yaml':
          'name: broken\nroles:\n  - name: a\n    task: { load: nothere }\n  - name: b\n    enabled: "{{ 1 + }}"\n    roles: []\n',
      },
      'broken',
    );
    await axle(state, 'repo', 'refresh');
    const broken = await axle(state, 'workflow', 'lint');
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
