/**
 * Planning in a worker thread gives the same plan as planning in process: the configuration is read through the
 * synchronous bridge, the repository snapshot and JIT exports go through the core thread, and the plan comes back
 * as plain data. Uses the example repository, configuration and JIT stand-in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planLimits } from '../common/plan-limits.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { openConfigSource } from '../config/open-config-source.ts';
import { RepoManager } from '../repos/repo-manager.ts';
import { JitService } from '../workflow/jit.ts';
import { PlanWorkers } from './plan-runner.ts';
import { planEnvironment } from './planning.ts';

const ROOT = join(import.meta.dirname, '..', '..');

test(
  'a worker plans datataking with JIT and configuration exactly as in process',
  { timeout: 120_000 * timeScale() },
  async () => {
    const state = mkdtempSync(join(tmpdir(), 'axle-planw-'));
    const workers: PlanWorkers[] = [];
    try {
      const repos = await RepoManager.open({ stateDir: state });
      await repos.add(join(ROOT, 'examples', 'templates'));
      const config = openConfigSource(`file://${join(ROOT, 'examples', 'config.yaml')}`);
      const env = { PATH: `${join(ROOT, 'examples', 'jit-tool')}:${process.env['PATH'] ?? ''}` };
      const vars = { hosts: '["localhost"]', dpl_workflow: 'jit-demo' };
      const limits = planLimits();
      for (const d of ['jit-w', 'jit-p']) mkdirSync(join(state, d));
      const w = new PlanWorkers({ repos, limits, config, jit: { cacheDir: join(state, 'jit-w'), env } });
      workers.push(w);
      const inWorker = await w.plan({ workflow: 'datataking', userVars: vars, environmentId: 'env1' });
      const jit = new JitService({ cacheDir: join(state, 'jit-p'), env, config });
      const inProcess = await planEnvironment({
        repos,
        workflow: 'datataking',
        userVars: vars,
        environmentId: 'env1',
        jit,
        config,
      });
      assert.ok(inWorker.ok, JSON.stringify(inWorker.issues));
      assert.ok(inProcess.ok, JSON.stringify(inProcess.issues));
      const shape = (p: typeof inWorker) =>
        p.ok
          ? p.plan.tasks.map((t) => [
              t.path,
              t.command.value,
              t.command.arguments.join(' ').replace(/--id=\S+/g, '--id=<uid>'),
            ])
          : [];
      assert.deepEqual(shape(inWorker), shape(inProcess));
      assert.ok(
        shape(inWorker).some(([path]) => /jit-demo-1/.test(path ?? '')),
        'the JIT sub-workflow is in the plan',
      );
      assert.deepEqual(inWorker.detectors, inProcess.detectors);
      assert.deepEqual(inWorker.rootVars, inProcess.rootVars);
    } finally {
      for (const w of workers) await w.close();
      rmSync(state, { recursive: true, force: true });
    }
  },
);
