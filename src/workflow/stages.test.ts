/**
 * Stage order of role processing (reference §6.2): `enabled` sees the parent stack only, `defaults` do not see the
 * role's own vars, `vars` see its own defaults, `name` sees everything; tree objects (Parent, Up, This); pruning of
 * disabled roles; duplicate sibling names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../common/issue.ts';
import type { PlanRole } from '../common/plan.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

const PROBE = `name: probe
command:
  value: /bin/probe
  arguments: [ "{{ out ?? '-' }}", "{{ out2 ?? '-' }}" ]
`;

let revisions = 0;

/** Plans `wf` (roles given as YAML under `roles:`, indented by 2) with the probe task template. */
async function plan(rootExtra: string, roles: string, userVars: Record<string, string> = {}) {
  const wf = `name: wf\n${rootExtra}roles:\n${roles}`;
  const files = memoryFiles(
    { 'workflows/wf.yaml': wf, 'tasks/probe.yaml': PROBE },
    'memory',
    `s${++revisions}`,
  );
  return planWorkflow({ workflow: 'wf', files, userVars, environmentId: 'env-1' });
}

async function okPlan(rootExtra: string, roles: string, userVars: Record<string, string> = {}) {
  const r = await plan(rootExtra, roles, userVars);
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  return r.value;
}

/** Paths of all plan roles, depth first. */
function paths(r: PlanRole): string[] {
  return [r.path, ...r.children.flatMap(paths)];
}

const ENABLED_CASES = [
  {
    name: 'own vars do not enable a role',
    root: 'vars: { on: "false" }\n',
    own: 'vars: { on: "true" }',
    kept: false,
  },
  {
    name: 'own vars do not disable a role',
    root: 'vars: { on: "true" }\n',
    own: 'vars: { on: "false" }',
    kept: true,
  },
  {
    name: 'own defaults do not enable a role',
    root: 'defaults: { on: "false" }\n',
    own: 'defaults: { on: "true" }',
    kept: false,
  },
  {
    name: 'parent vars decide',
    root: 'defaults: { on: "false" }\nvars: { on: "true" }\n',
    own: 'vars: {}',
    kept: true,
  },
];

for (const c of ENABLED_CASES) {
  test(`enabled: ${c.name}`, async () => {
    const roles = `  - name: keep
    task: { load: probe }
  - name: r
    enabled: "{{ on == 'true' }}"
    ${c.own}
    task: { load: probe }
`;
    const p = await okPlan(c.root, roles);
    assert.equal(
      p.tasks.some((t) => t.path === 'wf.r'),
      c.kept,
    );
  });
}

test('enabled: a user var on the environment is visible', async () => {
  const roles = `  - name: keep
    task: { load: probe }
  - name: r
    enabled: "{{ on == 'true' }}"
    task: { load: probe }
`;
  const on = await okPlan('vars: { on: "false" }\n', roles, { on: 'true' });
  assert.deepEqual(
    on.tasks.map((t) => t.path),
    ['wf.keep', 'wf.r'],
  );
});

test('enabled: truthy texts keep a role, anything else prunes it', async () => {
  const values = ['true', ' TRUE ', '1', 'false', '0', 'yes', '', 'on'];
  const roles = values
    .map((v, i) => `  - name: r${i}\n    enabled: ${JSON.stringify(v)}\n    task: { load: probe }\n`)
    .join('');
  const p = await okPlan('', roles);
  assert.deepEqual(
    p.tasks.map((t) => t.name),
    ['r0', 'r1', 'r2'],
  );
});

const VALUE_CASES = [
  {
    name: 'defaults do not see own vars',
    root: '',
    own: 'defaults: { out: "{{ v ?? \'none\' }}" }\n    vars: { v: own }',
    expect: 'none',
  },
  {
    name: 'defaults see the parent vars',
    root: 'vars: { v: parent }\n',
    own: 'defaults: { out: "{{ v }}" }\n    vars: { v: own }',
    expect: 'parent',
  },
  {
    name: 'vars see own defaults',
    root: '',
    own: 'defaults: { d: mine }\n    vars: { out: "{{ d }}-v" }',
    expect: 'mine-v',
  },
  {
    name: 'a role var is not seen by its sibling',
    root: '',
    own: 'vars: { v: mine }\n    task: { load: probe }\n  - name: sibling\n    vars: { out: "{{ v ?? \'none\' }}" }',
    expect: 'none',
  },
];

for (const c of VALUE_CASES) {
  test(`stages: ${c.name}`, async () => {
    const p = await okPlan(c.root, `  - name: r\n    ${c.own}\n    task: { load: probe }\n`);
    assert.equal(p.tasks.at(-1)?.command.arguments[0], c.expect);
  });
}

test('stages: name sees own defaults, vars, user vars and iterator locals', async () => {
  const roles = `  - name: "n-{{ d }}-{{ v }}-{{ u }}-{{ it }}"
    for: { range: '["a"]', var: it }
    defaults: { d: D }
    vars: { v: V }
    task: { load: probe }
`;
  const p = await okPlan('', roles, { u: 'U' });
  assert.deepEqual(
    p.tasks.map((t) => t.path),
    ['wf.n-D-V-U-a'],
  );
});

test('stages: enabled sees the iterator variable', async () => {
  const roles = `  - name: "h-{{ it }}"
    for: { range: '["a","b","c"]', var: it }
    enabled: "{{ it != 'b' }}"
    task: { load: probe }
`;
  const p = await okPlan('', roles);
  assert.deepEqual(
    p.tasks.map((t) => t.name),
    ['h-a', 'h-c'],
  );
});

test('stages: iterator locals stay on top while the role is processed, above a same-named user var', async () => {
  const roles = `  - name: "h-{{ it }}"
    for: { range: '["a","b"]', var: it }
    vars: { out: "{{ it }}" }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    task: { load: probe }
`;
  const p = await okPlan('', roles, { it: 'U' });
  assert.deepEqual(
    p.tasks.map((t) => [t.path, t.command.arguments[0], t.constraints[0]?.value]),
    [
      ['wf.h-a', 'a', 'a'],
      ['wf.h-b', 'b', 'b'],
    ],
  );
});

test('tree objects: Parent().Path, Up(2).Path and This().Name', async () => {
  const roles = `  - name: a
    roles:
      - name: b
        roles:
          - name: t
            vars:
              out: "{{ Parent().Path }}|{{ Up(1).Path }}|{{ Up(2).Path }}"
            constraints:
              - attribute: self
                value: "{{ This().Name }}@{{ This().Path }}"
            task: { load: probe }
`;
  const p = await okPlan('', roles);
  const t = p.tasks[0];
  assert.equal(t?.path, 'wf.a.b.t');
  assert.equal(t?.command.arguments[0], 'wf.a.b|wf.a.b|wf.a');
  assert.deepEqual(t?.constraints, [{ attribute: 'self', operator: '=', value: 't@wf.a.b.t' }]);
});

test('tree objects: the name can use Parent()', async () => {
  const roles = `  - name: a
    roles:
      - name: "in-{{ Parent().Name }}"
        task: { load: probe }
`;
  const p = await okPlan('', roles);
  assert.deepEqual(
    p.tasks.map((t) => t.path),
    ['wf.a.in-a'],
  );
});

test('pruning: a disabled child is removed from the plan', async () => {
  const roles = `  - name: g
    roles:
      - name: on
        task: { load: probe }
      - name: off
        enabled: "false"
        roles:
          - name: deep
            task: { load: probe }
`;
  const p = await okPlan('', roles);
  assert.deepEqual(paths(p.root), ['wf', 'wf.g', 'wf.g.on']);
  assert.deepEqual(
    p.tasks.map((t) => t.path),
    ['wf.g.on'],
  );
});

test('pruning: an aggregator whose children are all disabled disappears', async () => {
  const roles = `  - name: keep
    task: { load: probe }
  - name: empty
    roles:
      - name: x
        enabled: "false"
        task: { load: probe }
      - name: y
        enabled: "{{ 1 > 2 }}"
        call: { func: test.Noop(), trigger: before_START_ACTIVITY }
`;
  const p = await okPlan('', roles);
  assert.deepEqual(paths(p.root), ['wf', 'wf.keep']);
  assert.deepEqual(p.calls, []);
});

test('pruning: a workflow with nothing enabled is an error, not a crash', async () => {
  const r = await plan('', `  - name: x\n    enabled: "false"\n    task: { load: probe }\n`);
  assert.equal(r.ok, false);
  assert.ok(r.issues.some((i) => i.severity === 'error' && i.code === 'invalid_value'));
});

test('pruning: an entirely disabled workflow is reported against its file', async () => {
  const r = await plan('', `  - name: x\n    enabled: "false"\n    task: { load: probe }\n`);
  const i = r.issues.find((x) => x.code === 'invalid_value');
  assert.equal(i?.file, 'workflows/wf.yaml');
  assert.ok((i?.line ?? 0) >= 1);
});

test('duplicate enabled sibling names give duplicate_role', async () => {
  const r = await plan(
    '',
    `  - name: same
    task: { load: probe }
  - name: same
    task: { load: probe }
`,
  );
  assert.equal(r.ok, false);
  const dup = r.issues.find((i) => i.code === 'duplicate_role');
  assert.ok(dup !== undefined, r.issues.map(formatIssue).join('\n'));
  assert.match(dup.message, /same/);
  assert.equal(dup.file, 'workflows/wf.yaml');
  assert.ok((dup.line ?? 0) >= 1);
});

test('duplicate names produced by an iterator give duplicate_role', async () => {
  const r = await plan(
    '',
    `  - name: "h-{{ it }}"
    for: { range: '["a","a"]', var: it }
    task: { load: probe }
`,
  );
  assert.equal(r.ok, false);
  assert.ok(r.issues.some((i) => i.code === 'duplicate_role'));
});

test('two same-named siblings where only one is enabled are fine', async () => {
  const p = await okPlan(
    'vars: { mode: b }\n',
    `  - name: same
    enabled: "{{ mode == 'a' }}"
    vars: { out: A }
    task: { load: probe }
  - name: same
    enabled: "{{ mode == 'b' }}"
    vars: { out: B }
    task: { load: probe }
`,
  );
  assert.equal(p.tasks.length, 1);
  assert.equal(p.tasks[0]?.path, 'wf.same');
  assert.equal(p.tasks[0]?.command.arguments[0], 'B');
});
