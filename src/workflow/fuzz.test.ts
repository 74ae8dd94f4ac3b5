/**
 * Deterministic fuzz of the planner: thousands of broken workflow (and task template) files made by mutating valid
 * ones — lines deleted, duplicated, swapped or re-indented, expression token soup, random keys and tags. Planning
 * must never throw or hang, and every problem must come back as a located issue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIssue } from '../common/issue.ts';
import type { Issue } from '../common/issue.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';
import { scaled } from '../common/testing/wait.ts';

const SAMPLES = 3200;
const SEED = 0x5eed_a11e;
const PER_PLAN_MS = scaled(5_000);

const WF = `name: wf
description: !public "fuzz base"
defaults:
  rate: "5"
  flag: !public
    value: "true"
    type: bool
vars:
  sev: warn
roles:
  - name: "host-{{ it }}"
    for:
      range: "{{ hosts }}"
      var: it
    constraints:
      - attribute: machine_id
        value: "{{ it }}"
    roles:
      - name: w
        vars: { rate: "{{ it == 'a' ? '1' : '2' }}" }
        bind:
          - name: out
            type: push
            global: "g-{{ it }}"
        task: { load: worker }
      - name: s
        connect:
          - name: in
            type: pull
            target: "{{ Parent().Path }}.w:out"
        task:
          load: sink
          critical: false
      - name: "n-{{ i }}"
        for: { begin: "1", end: "2", var: i }
        enabled: "{{ flag == 'true' }}"
        task: { load: sink }
  - name: q
    include: sub
  - name: hook
    task: { load: worker, trigger: before_START_ACTIVITY+10, timeout: 5s }
  - name: sor
    call: { func: test.Noop(), trigger: before_START_ACTIVITY+100, await: after_START_ACTIVITY-10, return: res }
`;
const SUB = `name: sub
roles:
  - name: x
    connect: [ { name: in, type: pull, target: "::g-a" } ]
    task: { load: sink }
`;
const WORKER = `name: worker
control: { mode: fairmq }
defaults: { rate: "10" }
wants: { cpu: 0.5, memory: 128, ports: "9100-9101" }
command:
  env: [ "RATE={{ rate }}" ]
  value: "/bin/worker"
  arguments: [ "--rate={{ rate }}", "--host={{ task_hostname }}" ]
properties:
  severity: "{{ sev ?? 'info' }}"
`;
const SINK = `name: sink
bind:
  - name: in
    type: pull
command: { value: "/bin/sink", shell: "false", stdout: all }
`;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const int = (r: Rand, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)] as T;

// token lists as space-separated words (kept compact)
const TOKENS =
  `it hosts rate flag sev x 1 0 -1 2.5 'a' "b" '' nil true false + - * / % == != < >= && || ! ? : ?? ..
  , . | ( ) [ ] { } len( Parent() Parent().Path Up(2) This().Name uid.New() strings.ToUpper( strings.Atoi(
  json.Unmarshal( json.Marshal( util.PrefixedOverride( config.Get( inventory.DetectorForHost( dpl.Generate(
  strings.Nope( {{ }} in not matches "\u00e9" 99999999999999999999 1e308 [1,2] {'k':'v'}`.split(/\s+/);
const KEYS =
  `name roles task call include for vars defaults enabled bind connect load trigger await timeout critical
  range var begin end zzz control mode command wants ports constraints attribute value type global target`.split(
    /\s+/,
  );
const TAGS = '!public !!str !!map !!seq !!int !weird &anchor *anchor !!binary !!null'.split(' ');
const VALUES = [
  '',
  '"x"',
  '[]',
  '{}',
  '- a',
  'null',
  '~',
  '1e999',
  '"{{ it }}"',
  '|',
  '>',
  "'",
  '"',
  '::g-a',
];
const SAFE_VALUES = [
  '""',
  "'x'",
  "'[]'",
  '\'["a","a"]\'',
  "'0s'",
  "'-1s'",
  "'before_X'",
  "'enter_RUNNING+1'",
  "'pair'",
  "'9000-8000'",
  "'true'",
  "'false'",
  "'::nowhere'",
  "'w:out'",
  "'wf.host-a.w:out'",
  "'ghost'",
  "'sub'",
];

function soup(r: Rand): string {
  const n = 1 + int(r, 7);
  return `{{ ${Array.from({ length: n }, () => pick(r, TOKENS)).join(' ')} }}`;
}

/** One mutation of a file's lines. */
function mutate(r: Rand, lines: string[]): void {
  const i = int(r, lines.length);
  const line = lines[i] ?? '';
  switch (int(r, 8)) {
    case 0:
      lines.splice(i, 1);
      return;
    case 1:
      lines.splice(i, 0, line);
      return;
    case 2: {
      const j = int(r, lines.length);
      lines[i] = lines[j] ?? '';
      lines[j] = line;
      return;
    }
    case 3: {
      const d = 1 + int(r, 4);
      lines[i] = r() < 0.5 ? ' '.repeat(d) + line : line.replace(new RegExp(`^ {0,${d}}`), '');
      return;
    }
    case 4: {
      const at = int(r, line.length + 1);
      lines[i] = line.slice(0, at) + soup(r) + line.slice(at);
      return;
    }
    case 5: {
      const indent = ' '.repeat(2 * int(r, 5));
      lines.splice(i, 0, `${indent}${pick(r, KEYS)}: ${pick(r, VALUES)}`);
      return;
    }
    case 6: {
      const colon = line.indexOf(': ');
      lines[i] =
        colon < 0
          ? `${line} ${pick(r, TAGS)}`
          : `${line.slice(0, colon + 2)}${pick(r, TAGS)} ${line.slice(colon + 2)}`;
      return;
    }
    default: {
      const colon = line.indexOf(': ');
      if (colon >= 0) lines[i] = `${line.slice(0, colon + 2)}${r() < 0.5 ? soup(r) : pick(r, VALUES)}`;
    }
  }
}

/** A single-quoted YAML scalar: keeps the document parseable whatever the text. */
const quoted = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A mutation that keeps the YAML well-formed: values replaced, keys added beside existing ones. */
function mutateGently(r: Rand, lines: string[]): void {
  const i = int(r, lines.length);
  const line = lines[i] ?? '';
  const m = /^(\s*(?:- )?)([A-Za-z_]+): (.*)$/.exec(line);
  if (m === null) return;
  const [, lead = '', key = ''] = m;
  const value = r() < 0.6 ? quoted(soup(r)) : pick(r, SAFE_VALUES);
  if (r() < 0.7) lines[i] = `${lead}${key}: ${value}`;
  else lines.splice(i + 1, 0, `${' '.repeat(lead.length)}${pick(r, KEYS)}: ${value}`);
}

function mutated(r: Rand, text: string): string {
  const lines = text.split('\n');
  const gentle = r() < 0.6;
  const n = 1 + int(r, 4);
  for (let k = 0; k < n; k++) (gentle ? mutateGently : mutate)(r, lines);
  return lines.join('\n');
}

/** What must hold of every issue list; returns the violations. */
function violations(ok: boolean, issues: readonly Issue[]): string[] {
  const out: string[] = [];
  for (const i of issues) {
    if (i.line !== undefined && !(Number.isInteger(i.line) && i.line >= 1))
      out.push(`bad line: ${formatIssue(i)}`);
    if (ok || i.severity !== 'error') continue;
    if (typeof i.message !== 'string' || i.message.trim() === '') out.push(`no message: ${formatIssue(i)}`);
    if (typeof i.file !== 'string' || i.file === '') out.push(`no file: ${formatIssue(i)}`);
  }
  if (!ok && !issues.some((i) => i.severity === 'error')) out.push('failed without an error issue');
  return out;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

test(
  `fuzz: ${SAMPLES} mutated templates plan without throwing and report located issues`,
  { timeout: scaled(120_000) },
  async () => {
    const r = prng(SEED);
    const bad: string[] = [];
    let failures = 0;
    for (let n = 0; n < SAMPLES; n++) {
      const target =
        r() < 0.7
          ? 'workflows/wf.yaml'
          : pick(r, ['workflows/sub.yaml', 'tasks/worker.yaml', 'tasks/sink.yaml']);
      const base: Record<string, string> = {
        'workflows/wf.yaml': WF,
        'workflows/sub.yaml': SUB,
        'tasks/worker.yaml': WORKER,
        'tasks/sink.yaml': SINK,
      };
      base[target] = mutated(r, base[target] ?? '');
      // a fresh revision per sample: parsed templates are cached by repository, commit and path
      const files = memoryFiles(base, 'fuzz', `f${n}`);
      let result: Awaited<ReturnType<typeof planWorkflow>> | 'timeout';
      try {
        result = await withTimeout(
          planWorkflow({ workflow: 'wf', files, userVars: { hosts: '["a","b"]' }, environmentId: 'env-1' }),
          PER_PLAN_MS,
        );
      } catch (e: unknown) {
        bad.push(`#${n} threw ${e instanceof Error ? e.stack : String(e)}\n${base[target]}`);
        continue;
      }
      if (result === 'timeout') {
        bad.push(`#${n} did not resolve within ${PER_PLAN_MS} ms\n${base[target]}`);
        continue;
      }
      if (!result.ok) failures++;
      for (const v of violations(result.ok, result.issues)) bad.push(`#${n} (${target}): ${v}`);
    }
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} violations`);
    // the mutations must actually break things, and not everything
    assert.ok(failures > SAMPLES / 4, `only ${failures} samples failed`);
    assert.ok(failures < SAMPLES, 'no sample planned');
  },
);

test('fuzz: the unmutated templates plan cleanly', async () => {
  const files = memoryFiles(
    {
      'workflows/wf.yaml': WF,
      'workflows/sub.yaml': SUB,
      'tasks/worker.yaml': WORKER,
      'tasks/sink.yaml': SINK,
    },
    'fuzz',
    'base',
  );
  const r = await planWorkflow({
    workflow: 'wf',
    files,
    userVars: { hosts: '["a","b"]' },
    environmentId: 'env-1',
  });
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  assert.equal(r.value.tasks.length, 10);
  assert.equal(r.value.calls.length, 1);
});

test('fuzz: the generator is deterministic', () => {
  const a = prng(42);
  const b = prng(42);
  assert.equal(mutated(a, WF), mutated(b, WF));
});
