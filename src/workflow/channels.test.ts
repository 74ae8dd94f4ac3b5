/**
 * Channels and constraints in the plan (reference §6.6, §6.2): bind/connect lists merged by name (role over task
 * template, deeper role over shallower), channels of an aggregator applying to the tasks below it, target resolution
 * and its errors; constraints replaced per attribute by deeper roles, task-template constraints merged under them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import type { Plan, TaskDescriptor } from '../common/plan.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

const PRODUCER = `name: producer
bind:
  - { name: out, type: push, sndBufSize: "10", transport: shmem }
  - { name: extra, type: pub }
constraints:
  - { attribute: machine_id, value: tt-host }
  - { attribute: rack, value: tt-rack }
command: { value: /bin/producer }
`;
const CONSUMER = `name: consumer
command: { value: /bin/consumer }
`;

let revisions = 0;

async function plan(wf: string, vars: Record<string, string> = {}) {
  const files = memoryFiles(
    { 'workflows/wf.yaml': wf, 'tasks/producer.yaml': PRODUCER, 'tasks/consumer.yaml': CONSUMER },
    'memory',
    `c${++revisions}`,
  );
  return planWorkflow({ workflow: 'wf', files, userVars: vars, environmentId: 'env-1' });
}

async function okPlan(wf: string): Promise<Plan> {
  const r = await plan(wf);
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  return r.value;
}

async function failed(wf: string): Promise<readonly Issue[]> {
  const r = await plan(wf);
  assert.equal(r.ok, false, 'planning should fail');
  return r.issues;
}

function task(p: Plan, path: string): TaskDescriptor {
  const t = p.tasks.find((x) => x.path === path);
  assert.ok(t !== undefined, `no task ${path} in ${p.tasks.map((x) => x.path).join(', ')}`);
  return t;
}

test('a role channel replaces the task-template channel of the same name; others are appended', async () => {
  const p = await okPlan(`name: wf
roles:
  - name: p
    bind:
      - { name: out, type: pull }
    task: { load: producer }
`);
  const t = task(p, 'wf.p');
  assert.deepEqual(
    t.bind.map((b) => b.name),
    ['out', 'extra'],
  );
  assert.deepEqual(t.bind[0], {
    name: 'out',
    type: 'pull',
    sndBufSize: 1000,
    rcvBufSize: 1000,
    rateLogging: '0',
    transport: 'default',
    addressing: 'tcp',
  });
  assert.equal(t.bind[1]?.type, 'pub');
});

test('channels on an aggregator apply to every task below it; deeper declarations win', async () => {
  const p = await okPlan(`name: wf
roles:
  - name: g
    bind:
      - { name: shared, type: push, addressing: ipc }
      - { name: out, type: sub }
    connect:
      - { name: feedback, type: pull, target: "tcp://collector:5555" }
    roles:
      - name: p
        bind:
          - { name: shared, type: pub }
        task: { load: producer }
      - name: c
        task: { load: consumer }
`);
  const prod = task(p, 'wf.g.p');
  assert.deepEqual(
    prod.bind.map((b) => [b.name, b.type]),
    [
      ['shared', 'pub'],
      ['out', 'sub'],
      ['extra', 'pub'],
    ],
  );
  assert.deepEqual(prod.connect[0]?.resolved, { kind: 'address', address: 'tcp://collector:5555' });
  const cons = task(p, 'wf.g.c');
  assert.deepEqual(
    cons.bind.map((b) => [b.name, b.type, b.addressing]),
    [
      ['shared', 'push', 'ipc'],
      ['out', 'sub', 'tcp'],
    ],
  );
  assert.equal(cons.connect[0]?.target, 'tcp://collector:5555');
});

test('connect targets resolve to role paths, global aliases and literal addresses', async () => {
  const p = await okPlan(`name: wf
roles:
  - name: "h-{{ it }}"
    for: { range: '["a","b"]', var: it }
    roles:
      - name: p
        bind:
          - { name: out, type: push }
          - { name: g, type: push, global: "proxy-{{ it }}" }
        task: { load: producer }
      - name: c
        connect:
          - { name: byPath, type: pull, target: "{{ Parent().Path }}.p:out" }
          - { name: byGlobal, type: pull, target: "::proxy-{{ it }}" }
          - { name: byTcp, type: pull, target: "tcp://10.0.0.1:9000" }
          - { name: byIpc, type: pull, target: "ipc:///tmp/sock" }
        task: { load: consumer }
`);
  const c = task(p, 'wf.h-b.c');
  assert.deepEqual(
    c.connect.map((x) => [x.name, x.target, x.resolved]),
    [
      ['byPath', 'wf.h-b.p:out', { kind: 'channel', taskPath: 'wf.h-b.p', channel: 'out' }],
      ['byGlobal', '::proxy-b', { kind: 'channel', taskPath: 'wf.h-b.p', channel: 'g' }],
      ['byTcp', 'tcp://10.0.0.1:9000', { kind: 'address', address: 'tcp://10.0.0.1:9000' }],
      ['byIpc', 'ipc:///tmp/sock', { kind: 'address', address: 'ipc:///tmp/sock' }],
    ],
  );
});

const TARGET_CASES = [
  { name: 'unknown role path', target: 'wf.nobody:out' },
  { name: 'known role, unknown channel', target: 'wf.p:nope' },
  { name: 'unknown global alias', target: '::nowhere' },
  { name: 'no channel part', target: 'wf.p' },
  { name: 'not an address', target: 'http://example.org' },
];

for (const c of TARGET_CASES) {
  test(`unresolvable target (${c.name}) gives channel_target naming the role`, async () => {
    const issues = await failed(`name: wf
roles:
  - name: p
    bind: [ { name: out, type: push } ]
    task: { load: producer }
  - name: c
    connect: [ { name: in, type: pull, target: "${c.target}" } ]
    task: { load: consumer }
`);
    const i = issues.find((x) => x.code === 'channel_target' && x.severity === 'error');
    assert.ok(i !== undefined, issues.map(formatIssue).join('\n'));
    assert.match(i.message, /wf\.c/);
    assert.ok(i.message.includes(c.target));
  });
}

test('an unresolvable target is located at the connect declaration', async () => {
  const issues = await failed(`name: wf
roles:
  - name: c
    connect: [ { name: in, type: pull, target: "::nowhere" } ]
    task: { load: consumer }
`);
  const i = issues.find((x) => x.code === 'channel_target');
  assert.equal(i?.file, 'workflows/wf.yaml');
  assert.equal(i?.line, 4);
});

test('a duplicate global alias gives duplicate_global', async () => {
  const issues = await failed(`name: wf
roles:
  - name: a
    bind: [ { name: out, type: push, global: same } ]
    task: { load: producer }
  - name: b
    bind: [ { name: out, type: push, global: same } ]
    task: { load: producer }
`);
  const i = issues.find((x) => x.code === 'duplicate_global');
  assert.ok(i !== undefined, issues.map(formatIssue).join('\n'));
  assert.match(i.message, /"same"/);
  assert.match(i.message, /wf\.a:out/);
  assert.match(i.message, /wf\.b:out/);
});

const BAD_CHANNELS = [
  { name: 'type', channel: '{ name: out, type: req }', pattern: /type must be one of/ },
  { name: 'templated type', channel: '{ name: out, type: "{{ \'pair\' }}" }', pattern: /"pair"/ },
  { name: 'transport', channel: '{ name: out, type: push, transport: udp }', pattern: /transport/ },
  { name: 'buffer size', channel: '{ name: out, type: push, sndBufSize: "1k" }', pattern: /BufSize/ },
  { name: 'addressing', channel: '{ name: out, type: push, addressing: udp }', pattern: /addressing/ },
];

for (const c of BAD_CHANNELS) {
  test(`a bad channel ${c.name} gives invalid_value at the declaration`, async () => {
    const issues = await failed(`name: wf
roles:
  - name: p
    bind:
      - ${c.channel}
    task: { load: producer }
`);
    const i = issues.find((x) => x.code === 'invalid_value');
    assert.ok(i !== undefined, issues.map(formatIssue).join('\n'));
    assert.match(i.message, c.pattern);
    assert.equal(i.file, 'workflows/wf.yaml');
    assert.equal(i.line, 5);
  });
}

test('a bad task-template channel is located in the task template', async () => {
  const tt = `name: consumer
command: { value: /bin/consumer }
connect:
  - { name: in, type: pull }
`;
  const files = memoryFiles(
    {
      'workflows/wf.yaml': 'name: wf\nroles:\n  - name: c\n    task: { load: consumer }\n',
      'tasks/consumer.yaml': tt,
    },
    'memory',
    `c${++revisions}`,
  );
  const r = await planWorkflow({ workflow: 'wf', files, environmentId: 'env-1' });
  const i = r.issues.find((x) => x.code === 'invalid_value');
  assert.ok(i !== undefined);
  assert.deepEqual([i.file, i.line], ['tasks/consumer.yaml', 4]);
});

test('a connect channel without target is an error', async () => {
  const issues = await failed(`name: wf
roles:
  - name: c
    connect: [ { name: in, type: pull } ]
    task: { load: consumer }
`);
  assert.ok(issues.some((i) => i.code === 'invalid_value' && /needs a target/.test(i.message)));
});

test('a target in a task template is ignored with a warning', async () => {
  const tt = `name: consumer
connect: [ { name: in, type: pull, target: "tcp://x:1" } ]
command: { value: /bin/consumer }
`;
  const files = memoryFiles(
    {
      'workflows/wf.yaml': `name: wf
roles:
  - name: c
    connect: [ { name: in, type: pull, target: "tcp://y:2" } ]
    task: { load: consumer }
`,
      'tasks/consumer.yaml': tt,
    },
    'memory',
    `c${++revisions}`,
  );
  const r = await planWorkflow({ workflow: 'wf', files, environmentId: 'env-1' });
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  assert.equal(r.value.tasks[0]?.connect[0]?.target, 'tcp://y:2');
  const w = r.issues.find((i) => i.code === 'channel_target');
  assert.equal(w?.severity, 'warning');
  assert.equal(w?.file, 'tasks/consumer.yaml');
});

test('constraints: a child replaces its parent on the same attribute; task-template ones merge under', async () => {
  const p = await okPlan(`name: wf
roles:
  - name: g
    constraints:
      - { attribute: machine_id, value: parent-host }
      - { attribute: zone, value: parent-zone }
    roles:
      - name: p
        constraints:
          - { attribute: zone, value: child-zone }
        task: { load: producer }
      - name: c
        task: { load: consumer }
`);
  const sorted = (t: TaskDescriptor): string[] =>
    t.constraints.map((c) => `${c.attribute}=${c.value}`).sort();
  assert.deepEqual(sorted(task(p, 'wf.g.p')), ['machine_id=parent-host', 'rack=tt-rack', 'zone=child-zone']);
  assert.deepEqual(sorted(task(p, 'wf.g.c')), ['machine_id=parent-host', 'zone=parent-zone']);
});

test('constraints: a task template constraint applies when no role sets the attribute', async () => {
  const p = await okPlan(`name: wf
roles:
  - name: p
    task: { load: producer }
`);
  assert.deepEqual(
    task(p, 'wf.p')
      .constraints.map((c) => `${c.attribute}=${c.value}`)
      .sort(),
    ['machine_id=tt-host', 'rack=tt-rack'],
  );
});

test('constraints: operators != and in are kept in the plan; = is the default and == means =', async () => {
  const p = await okPlan(`name: wf
roles:
  - name: p
    constraints:
      - { attribute: detector, operator: in, value: "TPC,ITS" }
      - { attribute: cards, operator: "!=", value: "0" }
      - { attribute: zone, operator: "==", value: z1 }
    task: { load: producer }
`);
  const text = task(p, 'wf.p')
    .constraints.map((c) => `${c.attribute}${c.operator}${c.value}`)
    .sort();
  assert.deepEqual(text, ['cards!=0', 'detectorinTPC,ITS', 'machine_id=tt-host', 'rack=tt-rack', 'zone=z1']);
});

test('constraints: an unknown operator is an issue at its YAML path and line', async () => {
  const issues = await failed(`name: wf
roles:
  - name: p
    constraints:
      - { attribute: detector, operator: "~", value: TPC }
    task: { load: producer }
`);
  const i = issues.find((x) => x.message.includes('constraint operator'));
  assert.ok(i !== undefined, issues.map(formatIssue).join('\n'));
  assert.equal(i.line, 5);
  assert.match(i.path ?? '', /constraints\[0\]\.operator/);
});
