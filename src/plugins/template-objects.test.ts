import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planLimits } from '../common/plan-limits.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { PlanWorkers } from '../environment/plan-runner.ts';
import { planEnvironment } from '../environment/planning.ts';
import { RepoManager } from '../repos/repo-manager.ts';
import { pluginSettings } from './settings.ts';
import { templateObjects } from './template-objects.ts';

const WF = `name: wf
roles:
  - name: "r-{{ test }}"
    task: { load: worker }
`;

test(
  'plugin objects (testplugin: test) are usable in template expressions, in process and in a planning worker',
  { timeout: 120_000 * timeScale() },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'axle-objects-'));
    const workers: PlanWorkers[] = [];
    try {
      const repo = join(root, 'repo');
      mkdirSync(join(repo, 'workflows'), { recursive: true });
      mkdirSync(join(repo, 'tasks'));
      writeFileSync(join(repo, 'workflows', 'wf.yaml'), WF);
      writeFileSync(join(repo, 'tasks', 'worker.yaml'), 'name: worker\ncommand: { value: /bin/worker }\n');
      const git = (...args: string[]): string =>
        execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
      git('init', '-q', '-b', 'master');
      git('add', '.');
      git('-c', 'user.name=t', '-c', 'user.email=t@x', 'commit', '-qm', 'wf');
      const repos = await RepoManager.open({ stateDir: join(root, 'state') });
      await repos.add(repo);
      const settings = pluginSettings([]);
      const paths = (p: Awaited<ReturnType<typeof planEnvironment>>): string[] =>
        p.ok ? p.plan.tasks.map((t) => t.path) : [JSON.stringify(p.issues)];
      const inProcess = await planEnvironment({
        repos,
        workflow: 'wf',
        userVars: {},
        objects: templateObjects(settings),
      });
      assert.deepEqual(paths(inProcess), ['wf.r-test_data']);
      const w = new PlanWorkers({ repos, limits: planLimits(), plugins: settings });
      workers.push(w);
      assert.deepEqual(paths(await w.plan({ workflow: 'wf', userVars: {} })), ['wf.r-test_data']);
      const without = await planEnvironment({ repos, workflow: 'wf', userVars: {} });
      assert.deepEqual(paths(without), ['wf.r-'], 'without the objects `test` is not defined');
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      rmSync(root, { recursive: true, force: true });
    }
  },
);
