/**
 * Bad templates give located issues (file, line ≥ 1, YAML path) with the right code; planning never throws and
 * collects independent problems instead of stopping at the first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../common/issue.ts';
import type { Issue, IssueCode } from '../common/issue.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

const GOOD_TASK = `name: worker
control: { mode: direct }
wants: { cpu: 1, memory: 10, ports: "9000-9001" }
command: { value: /bin/worker }
`;

/** A workflow whose single task role is `role` (YAML lines indented by 4 under `- `). */
const wfWith = (role: string): string => `name: wf
roles:
  - name: r
${role}`;

interface Case {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  readonly userVars?: Readonly<Record<string, string>>;
  readonly code: IssueCode;
  readonly file: string;
  readonly line: number;
  /** Expected YAML path of the issue, when it is worth pinning; null: none (the document did not parse). */
  readonly path?: string | null;
}

const CASES: readonly Case[] = [
  {
    name: 'malformed YAML',
    files: { 'workflows/wf.yaml': 'name: wf\nroles:\n  - name: a: b\n    task: { load: worker }\n' },
    code: 'yaml_syntax',
    file: 'workflows/wf.yaml',
    line: 3,
    path: null,
  },
  {
    name: 'unknown key in a role',
    files: { 'workflows/wf.yaml': wfWith('    colour: red\n    task: { load: worker }\n') },
    code: 'unknown_key',
    file: 'workflows/wf.yaml',
    line: 4,
    path: 'roles[0].colour',
  },
  {
    name: 'a role with none of roles/task/call/include',
    files: { 'workflows/wf.yaml': wfWith('    vars: { a: b }\n') },
    code: 'role_kind',
    file: 'workflows/wf.yaml',
    line: 3,
    path: 'roles[0]',
  },
  {
    name: 'a role with two of roles/task/call/include',
    files: { 'workflows/wf.yaml': wfWith('    task: { load: worker }\n    include: other\n') },
    code: 'role_kind',
    file: 'workflows/wf.yaml',
    line: 3,
    path: 'roles[0]',
  },
  {
    name: 'workflow name mismatch',
    files: { 'workflows/wf.yaml': 'name: other\nroles:\n  - name: r\n    task: { load: worker }\n' },
    code: 'name_mismatch',
    file: 'workflows/wf.yaml',
    line: 1,
    path: 'name',
  },
  {
    name: 'task template name mismatch',
    files: {
      'workflows/wf.yaml': wfWith('    task: { load: worker }\n'),
      'tasks/worker.yaml': GOOD_TASK.replace('name: worker', 'name: wrker'),
    },
    code: 'name_mismatch',
    file: 'tasks/worker.yaml',
    line: 1,
    path: 'name',
  },
  {
    name: 'syntax error in an expression',
    files: { 'workflows/wf.yaml': wfWith('    vars: { a: "{{ 1 + }}" }\n    task: { load: worker }\n') },
    code: 'expression_syntax',
    file: 'workflows/wf.yaml',
    line: 4,
    path: 'roles[0].vars.a',
  },
  {
    name: 'unclosed expression',
    files: { 'workflows/wf.yaml': wfWith('    vars: { a: "{{ x " }\n    task: { load: worker }\n') },
    code: 'expression_syntax',
    file: 'workflows/wf.yaml',
    line: 4,
  },
  {
    name: 'unknown function',
    files: {
      'workflows/wf.yaml': wfWith(
        '    vars:\n      a: "{{ strings.Nope(x) }}"\n    task: { load: worker }\n',
      ),
    },
    code: 'unknown_function',
    file: 'workflows/wf.yaml',
    line: 5,
    path: 'roles[0].vars.a',
  },
  {
    name: 'for.range that is not a list',
    files: {
      'workflows/wf.yaml': `name: wf
roles:
  - name: "h-{{ it }}"
    for:
      range: "{{ hosts }}"
      var: it
    task: { load: worker }
`,
    },
    userVars: { hosts: 'flp001,flp002' },
    code: 'range_not_list',
    file: 'workflows/wf.yaml',
    line: 5,
  },
  {
    name: 'for.range that is a list of objects',
    files: {
      'workflows/wf.yaml': `name: wf
roles:
  - name: "h-{{ it }}"
    for: { range: '[{"a":1}]', var: it }
    task: { load: worker }
`,
    },
    code: 'range_not_list',
    file: 'workflows/wf.yaml',
    line: 4,
  },
  {
    name: 'type error',
    files: {
      'workflows/wf.yaml': wfWith('    vars: { a: "{{ 1 - \'a\' }}" }\n    task: { load: worker }\n'),
    },
    code: 'type_error',
    file: 'workflows/wf.yaml',
    line: 4,
    path: 'roles[0].vars.a',
  },
  {
    name: 'bad duration in a hook timeout',
    files: {
      'workflows/wf.yaml': wfWith(
        '    task:\n      load: worker\n      trigger: before_CONFIGURE\n      timeout: 5 minutes\n',
      ),
    },
    code: 'invalid_value',
    file: 'workflows/wf.yaml',
    line: 7,
    path: 'roles[0].task.timeout',
  },
  {
    name: 'bad duration in a call timeout',
    files: {
      'workflows/wf.yaml': wfWith(
        '    call:\n      func: test.Noop()\n      trigger: before_CONFIGURE\n      timeout: "{{ \'30\' }}"\n',
      ),
    },
    code: 'invalid_value',
    file: 'workflows/wf.yaml',
    line: 7,
  },
  {
    name: 'bad trigger moment',
    files: { 'workflows/wf.yaml': wfWith('    task:\n      load: worker\n      trigger: before START\n') },
    code: 'invalid_value',
    file: 'workflows/wf.yaml',
    line: 6,
    path: 'roles[0].task.trigger',
  },
  {
    name: 'bad call await moment',
    files: {
      'workflows/wf.yaml': wfWith(
        '    call:\n      func: test.Noop()\n      trigger: before_CONFIGURE\n      await: after_CONFIGURE+x\n',
      ),
    },
    code: 'invalid_value',
    file: 'workflows/wf.yaml',
    line: 7,
  },
  {
    name: 'bad port range',
    files: {
      'workflows/wf.yaml': wfWith('    task: { load: worker }\n'),
      'tasks/worker.yaml': GOOD_TASK.replace('9000-9001', '9005-9000'),
    },
    code: 'invalid_value',
    file: 'tasks/worker.yaml',
    line: 3,
  },
  {
    name: 'port out of range',
    files: {
      'workflows/wf.yaml': wfWith('    task: { load: worker }\n'),
      'tasks/worker.yaml': GOOD_TASK.replace('9000-9001', '70000'),
    },
    code: 'invalid_value',
    file: 'tasks/worker.yaml',
    line: 3,
  },
  {
    name: 'bad control mode',
    files: {
      'workflows/wf.yaml': wfWith('    task: { load: worker }\n'),
      'tasks/worker.yaml': GOOD_TASK.replace('mode: direct', 'mode: turbo'),
    },
    code: 'invalid_value',
    file: 'tasks/worker.yaml',
    line: 2,
  },
  {
    name: 'bad critical flag',
    files: { 'workflows/wf.yaml': wfWith('    task: { load: worker, critical: maybe }\n') },
    code: 'invalid_value',
    file: 'workflows/wf.yaml',
    line: 4,
  },
  {
    name: 'non-numeric cpu',
    files: {
      'workflows/wf.yaml': wfWith('    task: { load: worker }\n'),
      'tasks/worker.yaml': GOOD_TASK.replace('cpu: 1', 'cpu: lots'),
    },
    code: 'invalid_value',
    file: 'tasks/worker.yaml',
    line: 3,
  },
];

let revisions = 0;

for (const c of CASES) {
  test(`bad input: ${c.name} → ${c.code}`, async () => {
    const files = memoryFiles({ 'tasks/worker.yaml': GOOD_TASK, ...c.files }, 'memory', `b${++revisions}`);
    const r = await planWorkflow({
      workflow: 'wf',
      files,
      userVars: c.userVars ?? {},
      environmentId: 'env-1',
    });
    const all = r.issues.map(formatIssue).join('\n');
    assert.equal(r.ok, false, all);
    const i = r.issues.find((x) => x.code === c.code && x.severity === 'error');
    assert.ok(i !== undefined, `no ${c.code} in:\n${all}`);
    assert.equal(i.file, c.file, all);
    assert.equal(i.line, c.line, all);
    assert.ok(i.message.length > 0);
    if (c.path === null) return;
    assert.equal(typeof i.path, 'string', all);
    if (c.path !== undefined) assert.equal(i.path, c.path, all);
  });
}

test('every error of a file with three independent problems is reported', async () => {
  const wf = `name: wf
roles:
  - name: a
    shape: round
    task: { load: worker }
  - name: b
    vars: { x: "{{ 1 + }}" }
    task: { load: worker }
  - name: c
    task: { load: worker, trigger: sometime }
`;
  const files = memoryFiles(
    { 'workflows/wf.yaml': wf, 'tasks/worker.yaml': GOOD_TASK },
    'memory',
    `b${++revisions}`,
  );
  const r = await planWorkflow({ workflow: 'wf', files, environmentId: 'env-1' });
  assert.equal(r.ok, false);
  const errors = r.issues.filter((i) => i.severity === 'error');
  const found = (code: IssueCode, line: number): Issue | undefined =>
    errors.find((i) => i.code === code && i.line === line);
  assert.ok(found('unknown_key', 4), errors.map(formatIssue).join('\n'));
  assert.ok(found('expression_syntax', 7), errors.map(formatIssue).join('\n'));
  assert.ok(found('invalid_value', 10), errors.map(formatIssue).join('\n'));
});

test('problems in several task templates are all reported', async () => {
  const wf = `name: wf
roles:
  - name: a
    task: { load: one }
  - name: b
    task: { load: two }
`;
  const files = memoryFiles(
    {
      'workflows/wf.yaml': wf,
      'tasks/one.yaml': 'name: one\ncontrol: { mode: bogus }\ncommand: { value: x }\n',
      'tasks/two.yaml': 'name: two\nwants: { ports: "a-b" }\ncommand: { value: x }\n',
    },
    'memory',
    `b${++revisions}`,
  );
  const r = await planWorkflow({ workflow: 'wf', files, environmentId: 'env-1' });
  assert.equal(r.ok, false);
  const files2 = new Set(r.issues.filter((i) => i.severity === 'error').map((i) => i.file));
  assert.deepEqual([...files2].sort(), ['tasks/one.yaml', 'tasks/two.yaml']);
});
