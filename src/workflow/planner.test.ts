import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../common/issue.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

const TASK = `name: worker
control: { mode: fairmq }
defaults: { rate: "10", user: "" }
wants: { cpu: 0.5, memory: 128, ports: "9100-9101" }
bind:
  - name: out
    type: push
command:
  env: [ "RATE={{ rate }}" ]
  value: "/bin/worker"
  arguments: [ "--rate={{ rate }}", "--host={{ task_hostname }}", "--id={{ task_parent_role }}" ]
properties:
  severity: "{{ sev ?? 'info' }}"
`;
const SINK = `name: sink
bind:
  - name: in
    type: pull
    global: "sink-{{ it }}"
command: { value: "/bin/sink" }
`;

const WF = `name: !public wf
description: !public "test"
defaults:
  rate: "5"
  flag: !public
    value: "true"
    type: bool
vars:
  sev: warn
roles:
  - name: "host-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: w
        vars: { rate: "{{ it == 'a' ? '1' : '2' }}" }
        task: { load: worker }
      - name: s
        connect:
          - name: in
            type: pull
            target: "{{ Parent().Path }}.w:out"
        task: { load: sink }
      - name: off
        enabled: "{{ flag == 'false' }}"
        task: { load: worker }
  - name: hook
    task: { load: worker, trigger: before_START_ACTIVITY+10, timeout: 5s, critical: false }
  - name: sor
    call: { func: test.Noop(), trigger: before_START_ACTIVITY+100, await: after_START_ACTIVITY-10, return: res }
`;

test('plans an iterator workflow with channels, constraints, hooks and calls', async () => {
  const files = memoryFiles({ 'workflows/wf.yaml': WF, 'tasks/worker.yaml': TASK, 'tasks/sink.yaml': SINK });
  const r = await planWorkflow({
    workflow: 'wf',
    files,
    userVars: { hosts: '["a","b"]' },
    environmentId: 'env1',
  });
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  const plan = r.value;
  assert.deepEqual(
    plan.tasks.map((t) => t.path),
    ['wf.host-a.w', 'wf.host-a.s', 'wf.host-b.w', 'wf.host-b.s', 'wf.hook'],
  );
  const w = plan.tasks[0];
  assert.ok(w !== undefined);
  assert.equal(w.control, 'fairmq');
  assert.deepEqual(w.command.arguments, ['--rate=1', '--host=a', '--id=wf.host-a.w']);
  assert.deepEqual(w.command.env, ['RATE=1']);
  assert.deepEqual(w.constraints, [{ attribute: 'machine_id', operator: '=', value: 'a' }]);
  assert.deepEqual(w.wants, { cpu: 0.5, memory: 128, ports: [{ begin: 9100, end: 9101 }] });
  assert.equal(w.properties['severity'], 'warn');
  assert.equal(w.taskTemplate, `memory/tasks/worker@${files.commit}`);
  const s = plan.tasks[1];
  assert.deepEqual(s?.connect[0]?.resolved, { kind: 'channel', taskPath: 'wf.host-a.w', channel: 'out' });
  assert.equal(s?.bind[0]?.global, 'sink-a');
  const hook = plan.tasks[4];
  assert.equal(hook?.control, 'hook');
  assert.deepEqual(hook?.hook, {
    trigger: { name: 'before_START_ACTIVITY', weight: 10 },
    await: { name: 'before_START_ACTIVITY', weight: 10 },
    timeoutMs: 5000,
  });
  assert.equal(hook?.critical, false);
  assert.equal(hook?.hostDependent, true);
  const call = plan.calls[0];
  assert.equal(call?.func, 'test.Noop()');
  assert.equal(call?.returnVar, 'res');
  assert.equal(call?.timeoutMs, 30_000);
  assert.equal(call?.vars['environment_id'], 'env1');
});
