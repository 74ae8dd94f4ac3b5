import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openConfigSource } from '../config/open-config-source.ts';
import { GitFixture, removeDir, tempDir } from '../repos/git-fixture.ts';
import { RepoManager } from '../repos/repo-manager.ts';
import { formatIssue } from '../common/issue.ts';
import { explainFromRepos, lintFromRepos, planFromRepos } from './repo-planning.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples');

function exampleFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dir of ['workflows', 'tasks', 'jit']) {
    for (const f of readdirSync(join(examples, 'templates', dir)))
      out[`${dir}/${f}`] = readFileSync(join(examples, 'templates', dir, f), 'utf8');
  }
  return out;
}

test('the example repository plans end to end at two revisions, concurrently', async () => {
  const work = await tempDir();
  try {
    const git = await GitFixture.init(join(work, 'templates'));
    const files = exampleFiles();
    await git.commit(files, 'v1');
    await git.tag('v1');
    const datataking = files['workflows/datataking.yaml'] ?? '';
    await git.commit(
      {
        'workflows/datataking.yaml': datataking.replace(
          /readout_rate: !public\n(\s+)value: "?\d+"?/,
          'readout_rate: !public\n$1value: "77"',
        ),
      },
      'v2',
    );
    const repos = await RepoManager.open({ stateDir: join(work, 'state') });
    await repos.add(git.dir);
    const config = openConfigSource(join(examples, 'config.yaml'));
    const common = {
      repos,
      workflow: 'datataking',
      config,
      userVars: { hosts: '["flp001","flp002"]', qc_enabled: 'true' },
    };
    const [v1, head] = await Promise.all([
      planFromRepos({ ...common, revision: 'v1' }),
      planFromRepos(common),
    ]);
    assert.ok(v1.ok, v1.issues.map(formatIssue).join('\n'));
    assert.ok(head.ok, head.issues.map(formatIssue).join('\n'));
    assert.notEqual(v1.value.workflow.commit, head.value.workflow.commit);
    const rate = (p: typeof v1): string | undefined =>
      p.ok
        ? p.value.tasks
            .find((t) => t.path.endsWith('host-flp001.readout'))
            ?.command.arguments.find((a) => a.startsWith('--rate='))
        : undefined;
    assert.notEqual(rate(v1), '--rate=77');
    assert.equal(rate(head), '--rate=77');
    assert.ok(head.value.tasks.some((t) => t.path === 'datataking.host-flp002.qc.qc-task'));
    assert.ok(head.value.tasks.every((t) => t.taskTemplate.endsWith(`@${head.value.workflow.commit}`)));

    const why = await explainFromRepos(common, 'host-flp001.readout', ['readout_rate']);
    assert.ok(why.ok);
    assert.equal(why.explanations[0]?.contributions[0]?.value, '77');

    const lint = await lintFromRepos({ repos, config });
    assert.deepEqual(
      lint.filter((i) => i.severity === 'error'),
      [],
    );
  } finally {
    await removeDir(work);
  }
});
