import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../common/issue.ts';
import { parseLimits, planLimits, truncateText } from '../common/plan-limits.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

const TASK = `name: t
command: { value: "/bin/true" }
`;

/** Nested roles, each doubling the variable `s` it inherits: 16 × 2^times characters if nothing stopped it. */
function doubling(times: number): string {
  let role: object = { name: `l${times}`, vars: { s: '{{ s + s }}' }, task: { load: 't' } };
  for (let i = times - 1; i >= 1; i--) role = { name: `l${i}`, vars: { s: '{{ s + s }}' }, roles: [role] };
  const wf = { name: 'dbl', defaults: { s: 'xxxxxxxxxxxxxxxx' }, roles: [role] };
  return JSON.stringify(wf, null, 1);
}

const ECHO = `name: t
command: { value: "/bin/echo", arguments: ["{{ s }}"] }
`;

async function planned(files: Record<string, string>, name: string, userVars: Record<string, string> = {}) {
  const t0 = Date.now();
  const r = await planWorkflow({ workflow: name, files: memoryFiles(files), userVars });
  return { r, ms: Date.now() - t0, text: r.issues.map(formatIssue).join('\n') };
}

test('a for over 100,000,000 values fails at once, naming the iterator, the limit and where', async () => {
  const wf = `name: big
defaults: { n: "1" }
roles:
  - name: "b-{{ i }}"
    for: { begin: "1", end: "{{ n }}", var: i }
    task: { load: t }
`;
  const { r, ms, text } = await planned({ 'workflows/big.yaml': wf, 'tasks/t.yaml': TASK }, 'big', {
    n: '100000000',
  });
  assert.equal(r.ok, false);
  assert.match(
    text,
    /workflows\/big\.yaml:5: error: roles\[0\]\.for\.end: iterator "i" would produce 100000000 values; the limit is 10000/,
  );
  assert.ok(ms < 2_000 * timeScale(), `planning took ${ms} ms, expected a quick refusal`);
});

test('a range list longer than the limit is refused; a smaller limit applies when given', async () => {
  const wf = `name: lst
roles:
  - name: "b-{{ i }}"
    for: { range: "{{ hosts }}", var: i }
    task: { load: t }
`;
  const files = memoryFiles({ 'workflows/lst.yaml': wf, 'tasks/t.yaml': TASK });
  const hosts = JSON.stringify(Array.from({ length: 6 }, (_, i) => `h${i}`));
  const r = await planWorkflow({
    workflow: 'lst',
    files,
    userVars: { hosts },
    limits: planLimits({ maxIteratorValues: 5 }),
  });
  assert.equal(r.ok, false);
  assert.match(
    r.issues.map(formatIssue).join('\n'),
    /roles\[0\]\.for\.range: iterator "i" would produce 6 values; the limit is 5/,
  );
  const ok = await planWorkflow({
    workflow: 'lst',
    files,
    userVars: { hosts },
    limits: planLimits({ maxIteratorValues: 6 }),
  });
  assert.equal(ok.ok, true, ok.issues.map(formatIssue).join('\n'));
});

test('more tasks than maxTasks is one located error', async () => {
  const wf = `name: many
roles:
  - name: "b-{{ i }}"
    for: { begin: "1", end: "50", var: i }
    task: { load: t }
`;
  const files = memoryFiles({ 'workflows/many.yaml': wf, 'tasks/t.yaml': TASK });
  const r = await planWorkflow({ workflow: 'many', files, limits: planLimits({ maxTasks: 20 }) });
  assert.equal(r.ok, false);
  const errors = r.issues.filter((i) => i.code === 'limit_exceeded');
  assert.equal(errors.length, 1, r.issues.map(formatIssue).join('\n'));
  assert.match(
    formatIssue(errors[0]!),
    /workflows\/many\.yaml:5: error: roles\[0\]\.task\.load: the environment would have more than 20 tasks/,
  );
});

test('a template doubling a string 36 times fails quickly, naming the limit', async () => {
  const { r, ms, text } = await planned({ 'workflows/dbl.yaml': doubling(36), 'tasks/t.yaml': ECHO }, 'dbl');
  assert.equal(r.ok, false);
  assert.match(
    text,
    /workflows\/dbl\.yaml:\d+: error: (roles\[0\]\.)+vars\.s: string of \d+ characters exceeds the limit of 1048576 characters per rendered value \(maxTextLength\)/,
  );
  assert.ok(ms < 3_000 * timeScale(), `planning took ${ms} ms, expected a quick refusal`);
  const small = await planned({ 'workflows/dbl.yaml': doubling(10), 'tasks/t.yaml': ECHO }, 'dbl');
  assert.equal(small.r.ok, true, small.text);
  assert.equal(small.r.ok && small.r.value.tasks[0]?.command.arguments[0]?.length, 16 * 1024);
});

test('interpolation that concatenates past the limit is refused', async () => {
  const wf = `name: cat
defaults:
  a: ""
roles:
  - name: r
    vars: { out: "{{ a }}{{ a }}" }
    task: { load: t }
`;
  const { r, text } = await planned({ 'workflows/cat.yaml': wf, 'tasks/t.yaml': TASK }, 'cat', {
    a: 'y'.repeat(700_000),
  });
  assert.equal(r.ok, false);
  assert.match(text, /roles\[0\]\.vars\.out: rendered text of 1400000 characters exceeds the limit/);
});

test('an oversized user variable is refused before planning, naming it and the limit, without its value', async () => {
  const { r, text } = await planned({ 'workflows/cat.yaml': 'name: cat\nroles: []\n' }, 'cat', {
    big: 'z'.repeat(2 * 1024 * 1024),
  });
  assert.equal(r.ok, false);
  assert.match(
    text,
    /variable "big" is 2097152 characters long; the limit is 1048576 per variable \(maxVariableLength\)/,
  );
  assert.ok(text.length < 1000, 'the value itself is not in the message');
});

test('a 10,000-deep workflow file gives a located too_deeply_nested error', async () => {
  const deep = `name: deep\nroles:\n${'- '.repeat(10_000)}x\n`;
  const { r, text } = await planned({ 'workflows/deep.yaml': deep }, 'deep');
  assert.equal(r.ok, false);
  assert.match(
    text,
    /^workflows\/deep\.yaml:3: error: roles(\[0\])+: YAML is nested more than 256 levels deep \[too_deeply_nested\]$/,
  );
});

test('limit overrides parse from name=value and bad ones are named', () => {
  assert.deepEqual(parseLimits(['maxTasks=5000', 'planTimeoutMs=30000']), {
    maxTasks: 5000,
    planTimeoutMs: 30000,
  });
  assert.throws(() => parseLimits(['maxTask=1']), /unknown limit "maxTask"/);
  assert.throws(() => parseLimits(['maxTasks=-1']), /limit maxTasks: "-1" is not a positive integer/);
  assert.equal(planLimits({ maxTasks: 7 }).maxIteratorValues, 10_000);
  assert.equal(truncateText('abcdef', 3), 'abc…(3 bytes more)');
  assert.equal(truncateText('abc', 3), 'abc');
});
