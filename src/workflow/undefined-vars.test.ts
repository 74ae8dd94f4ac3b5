/**
 * Undefined variables: every one a plan evaluates is a located warning (file, line, YAML path, name); definedness
 * tests, short-circuited operands, called names and defined-but-empty variables are not reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import { lintRevision } from './lint.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

const FILES = {
  'workflows/top.yaml': `name: top
defaults: { qc_enabled: "false", extra: "" }
roles:
  - name: "h-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    constraints: [ { attribute: machine_id, value: "{{ it }}" } ]
    roles:
      - name: qc
        enabled: "{{ qc_enabled == 'true' && qc_mode == 'x' }}"
        task: { load: t }
      - name: inc
        enabled: "{{ sub_enabled == 'true' }}"
        include: sub
      - name: r
        vars: { sub_enabled: "true", label: "{{ missing_label }}" }
        task: { load: t }
`,
  'workflows/sub.yaml': 'name: sub\nroles:\n  - name: a\n    task: { load: t }\n',
  'tasks/t.yaml': `name: t
control: { mode: basic }
command:
  value: "/bin/echo"
  arguments:
    - "{{ modulepath }} {{ extra }} {{ it }}"
    - "{{ sev ?? 'x' }} {{ foo == nil ? 'a' : foo }} {{ nil != bar ? bar : '' }}"
`,
};

const undefinedOnes = (issues: readonly Issue[]): string[] =>
  issues.filter((i) => i.code === 'undefined_variable').map(formatIssue);

test('plan: each undefined variable a string uses is a located warning, once per string', async () => {
  const r = await planWorkflow({
    workflow: 'top',
    files: memoryFiles(FILES),
    userVars: { hosts: '["h1","h2"]' },
  });
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  assert.deepEqual(undefinedOnes(r.issues).sort(), [
    'tasks/t.yaml:6: warning: command.arguments[0]: undefined variable "modulepath" (evaluates to nil, renders as empty text) [undefined_variable]',
    'workflows/top.yaml:12: warning: roles[0].roles[1].enabled: undefined variable "sub_enabled" (evaluates to nil, renders as empty text) [undefined_variable]',
    'workflows/top.yaml:15: warning: roles[0].roles[2].vars.label: undefined variable "missing_label" (evaluates to nil, renders as empty text) [undefined_variable]',
  ]);
});

test('lint --plan reports them too', async () => {
  const issues = await lintRevision(
    memoryFiles({
      ...FILES,
      'workflows/sub.yaml': 'name: sub\nroles:\n  - name: a\n    task: { load: t }\n',
    }),
    {
      plan: async (workflow) =>
        (await planWorkflow({ workflow, files: memoryFiles(FILES), userVars: { hosts: '["h1"]' } })).issues,
    },
  );
  assert.equal(undefinedOnes(issues).length, 3, issues.map(formatIssue).join('\n'));
});
