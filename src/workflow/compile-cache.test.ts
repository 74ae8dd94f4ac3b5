import { test } from 'node:test';
import assert from 'node:assert/strict';
import { templateCompilations } from '../template/interpolate.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

/** Template strings unique to this test, so that other tests in the process cannot have compiled them. */
const MARK = `m${process.pid}x${Date.now()}`;

const WORKFLOW = `name: wf
defaults:
  mark: ${MARK}
roles:
  - name: host-{{ it }}
    for: { range: "{{ hosts }}", var: it }
    vars: { tag: "{{ it + '-${MARK}' }}" }
    roles:
      - name: a
        task: { load: probe }
      - name: b
        task: { load: probe }
`;

const PROBE = `name: probe
command:
  value: /bin/probe
  arguments: [ "--tag={{ tag }}-${MARK}", "--upper={{ strings.ToUpper(it) }}-${MARK}" ]
`;

const hosts = (n: number): string => JSON.stringify(Array.from({ length: n }, (_, i) => `flp${i + 1}`));

test('each template string is compiled once per process, however many roles and hosts render it', async () => {
  const plan = async (n: number, revision: string): Promise<number> => {
    const before = templateCompilations();
    const files = { 'workflows/wf.yaml': WORKFLOW, 'tasks/probe.yaml': PROBE };
    const r = await planWorkflow({
      workflow: 'wf',
      files: memoryFiles(files, 'memory', revision),
      userVars: { hosts: hosts(n) },
    });
    assert.ok(r.ok, JSON.stringify(r.issues));
    assert.equal(r.value.tasks.length, 2 * n);
    assert.deepEqual(r.value.tasks[0]?.command.arguments, [
      `--tag=flp1-${MARK}-${MARK}`,
      `--upper=FLP1-${MARK}`,
    ]);
    return templateCompilations() - before;
  };
  const first = await plan(2, `compile-a-${MARK}`);
  assert.ok(first > 0 && first < 20, `first plan compiled ${first} strings`);
  assert.equal(
    await plan(50, `compile-b-${MARK}`),
    0,
    'a new revision with the same strings compiles nothing',
  );
  assert.equal(await plan(200, `compile-c-${MARK}`), 0, 'nor do more hosts');
});
