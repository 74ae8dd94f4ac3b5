/**
 * Offline lint of a revision: YAML and expression syntax, literal references to missing task templates and
 * workflows, literal include cycles; a clean revision and the example repository give no errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIssue } from '../common/issue.ts';
import type { Issue, IssueCode } from '../common/issue.ts';
import { lintRevision } from './lint.ts';
import { memoryFiles } from './memory-files.ts';

const TASK = `name: worker
command: { value: /bin/worker, arguments: [ "{{ rate ?? '1' }}" ] }
`;
const CLEAN = {
  'workflows/main.yaml': `name: main
defaults: { rate: "2" }
roles:
  - name: "h-{{ it }}"
    for: { range: "{{ hosts }}", var: it }
    task: { load: worker }
  - name: dyn
    task: { load: "{{ which_task }}" }
  - name: sub
    include: part
  - name: elsewhere
    include: other.org/repo/workflows/far@v1
`,
  'workflows/part.yaml': 'name: part\nroles:\n  - name: w\n    task: { load: worker }\n',
  'tasks/worker.yaml': TASK,
};

function errors(issues: readonly Issue[]): Issue[] {
  return issues.filter((i) => i.severity === 'error');
}

function explain(issues: readonly Issue[]): string {
  return issues.map(formatIssue).join('\n');
}

test('a clean revision gives no errors (templated and other-repository references are not checked)', async () => {
  const issues = await lintRevision(memoryFiles(CLEAN));
  assert.deepEqual(errors(issues), [], explain(issues));
});

interface Case {
  readonly name: string;
  readonly files: Readonly<Record<string, string>>;
  readonly code: IssueCode;
  /** The expected file, or the files any of which may carry the issue (a cycle is reported on one of its edges). */
  readonly file: string | readonly string[];
  readonly line: number;
}

const CASES: readonly Case[] = [
  {
    name: 'YAML error in a workflow',
    files: { 'workflows/main.yaml': 'name: main\nroles:\n  - name: a: b\n' },
    code: 'yaml_syntax',
    file: 'workflows/main.yaml',
    line: 3,
  },
  {
    name: 'YAML error in a task template',
    files: { 'tasks/worker.yaml': 'name: worker\ncommand: { value: x\n' },
    code: 'yaml_syntax',
    file: 'tasks/worker.yaml',
    line: 3,
  },
  {
    name: 'expression syntax error in a workflow',
    files: {
      'workflows/part.yaml':
        'name: part\nroles:\n  - name: w\n    vars: { a: "{{ 1 + }}" }\n    task: { load: worker }\n',
    },
    code: 'expression_syntax',
    file: 'workflows/part.yaml',
    line: 4,
  },
  {
    name: 'expression syntax error in a task template',
    files: { 'tasks/worker.yaml': 'name: worker\ncommand:\n  value: "{{ (x }}"\n' },
    code: 'expression_syntax',
    file: 'tasks/worker.yaml',
    line: 3,
  },
  {
    name: 'missing task template referenced literally',
    files: { 'workflows/part.yaml': 'name: part\nroles:\n  - name: w\n    task:\n      load: ghost\n' },
    code: 'missing_task_template',
    file: 'workflows/part.yaml',
    line: 5,
  },
  {
    name: 'missing literal include',
    files: { 'workflows/part.yaml': 'name: part\nroles:\n  - name: w\n    include: nowhere\n' },
    code: 'include_not_found',
    file: 'workflows/part.yaml',
    line: 4,
  },
  {
    name: 'literal include cycle',
    files: {
      'workflows/part.yaml': 'name: part\nroles:\n  - name: w\n    include: loop\n',
      'workflows/loop.yaml': 'name: loop\nroles:\n  - name: back\n    include: part\n',
    },
    code: 'include_cycle',
    file: ['workflows/loop.yaml', 'workflows/part.yaml'],
    line: 4,
  },
  {
    name: 'unknown key',
    files: {
      'workflows/part.yaml': 'name: part\nroles:\n  - name: w\n    colour: red\n    task: { load: worker }\n',
    },
    code: 'unknown_key',
    file: 'workflows/part.yaml',
    line: 4,
  },
  {
    name: 'task template name mismatch',
    files: { 'tasks/worker.yaml': TASK.replace('name: worker', 'name: other') },
    code: 'name_mismatch',
    file: 'tasks/worker.yaml',
    line: 1,
  },
];

for (const c of CASES) {
  test(`lint: ${c.name} → ${c.code}`, async () => {
    const issues = await lintRevision(memoryFiles({ ...CLEAN, ...c.files }));
    const i = errors(issues).find((x) => x.code === c.code);
    assert.ok(i !== undefined, `no ${c.code} in:\n${explain(issues)}`);
    const files: readonly string[] = typeof c.file === 'string' ? [c.file] : c.file;
    assert.ok(files.includes(i.file ?? ''), explain(issues));
    assert.equal(i.line, c.line, explain(issues));
    assert.ok(i.message.length > 0);
  });
}

test('lint: expression syntax error in a call func', async () => {
  const wf =
    'name: part\nroles:\n  - name: c\n    call:\n      func: "{{ (x }}"\n      trigger: before_CONFIGURE\n';
  const issues = await lintRevision(memoryFiles({ ...CLEAN, 'workflows/part.yaml': wf }));
  const i = errors(issues).find((x) => x.code === 'expression_syntax');
  assert.deepEqual([i?.file, i?.line], ['workflows/part.yaml', 5], explain(issues));
});

test('lint reports an include cycle once', async () => {
  const issues = await lintRevision(
    memoryFiles({
      'workflows/a.yaml': 'name: a\nroles:\n  - name: x\n    include: b\n',
      'workflows/b.yaml': 'name: b\nroles:\n  - name: y\n    include: a\n',
    }),
  );
  assert.equal(issues.filter((i) => i.code === 'include_cycle').length, 1, explain(issues));
});

test('lint collects problems of several files', async () => {
  const issues = await lintRevision(
    memoryFiles({
      ...CLEAN,
      'workflows/part.yaml': 'name: part\nroles:\n  - name: w\n    task: { load: ghost }\n',
      'tasks/worker.yaml': 'name: worker\ncommand:\n  value: "{{ (x }}"\n',
      'workflows/broken.yaml': 'name: broken\nroles: [\n',
    }),
  );
  assert.deepEqual([...new Set(errors(issues).map((i) => i.file))].sort(), [
    'tasks/worker.yaml',
    'workflows/broken.yaml',
    'workflows/part.yaml',
  ]);
});

test('the plan option adds the issues of a trial plan of each workflow no other workflow includes', async () => {
  const seen: string[] = [];
  const issues = await lintRevision(memoryFiles(CLEAN), {
    plan: (name) => {
      seen.push(name);
      return Promise.resolve([
        {
          code: 'evaluation_error',
          severity: 'error',
          message: `trial ${name}`,
          file: `workflows/${name}.yaml`,
        },
      ]);
    },
  });
  assert.deepEqual(seen, ['main'], 'part is included by main: planned there, not alone');
  assert.deepEqual(
    errors(issues).map((i) => i.message),
    ['trial main'],
  );
});

/** The example repository read from disk. */
function exampleFiles(): Record<string, string> {
  const root = join(import.meta.dirname, '..', '..', 'examples', 'templates');
  const out: Record<string, string> = {};
  for (const dir of ['workflows', 'tasks', 'jit'])
    for (const f of readdirSync(join(root, dir)))
      out[`${dir}/${f}`] = readFileSync(join(root, dir, f), 'utf8');
  return out;
}

test('the example repository lints without errors', async () => {
  const files = exampleFiles();
  assert.ok(Object.keys(files).length >= 9);
  const issues = await lintRevision(memoryFiles(files, 'examples', 'master'));
  assert.deepEqual(errors(issues), [], explain(issues));
});

test('lint reports unknown functions statically, and bad call funcs', async () => {
  const files = memoryFiles({
    'workflows/wf.yaml': `name: wf
roles:
  - name: a
    vars:
      x: "{{ strings.Nope(y) }}"
      z: "{{ Frobnicate(1) }}"
      p: "{{ odc.GenerateEPNWorkflowScript() }}"
      ok: "{{ strings.ToUpper(len(y) > 0 ? y : 'n') + json.Marshal([1]) + Parent().Path }}"
    task: { load: t }
  - name: c
    call: { func: "dcs.StartOfRun(", trigger: before_CONFIGURE }
`,
    'tasks/t.yaml': 'name: t\ncommand: { value: "/bin/true" }\n',
  });
  const issues = await lintRevision(files);
  const found = issues.map((i) => [i.code, i.severity, i.line]);
  assert.deepEqual(found, [
    ['unknown_function', 'error', 5],
    ['unknown_function', 'error', 6],
    ['unknown_function', 'warning', 7],
    ['expression_syntax', 'error', 11],
  ]);
  assert.match(issues[0]?.message ?? '', /strings\.Nope/);
});
