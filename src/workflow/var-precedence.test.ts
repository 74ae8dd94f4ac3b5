/**
 * Variable precedence as a task sees it (reference §7): configuration defaults < workflow defaults (root, then
 * deeper) < configuration vars < workflow vars (root, then deeper) < user vars; iterator variables are vars of the
 * generated role; task-template defaults/vars sit below the role stack; special task variables sit on top.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigSource } from '../common/config-source.ts';
import { formatIssue } from '../common/issue.ts';
import { explainVariables } from './explain.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

type Vars = Readonly<Record<string, string>>;

let revisions = 0;
/** In-memory files at a fresh revision: parsed templates are cached by repository, commit and path. */
function files(map: Vars): ReturnType<typeof memoryFiles> {
  return memoryFiles(map, 'memory', `r${++revisions}`);
}

/** A configuration source that only knows global defaults and vars. */
function fakeConfig(defaults: Vars = {}, vars: Vars = {}): ConfigSource {
  const no = (): never => {
    throw new Error('not available in this test');
  };
  return {
    uri: 'fake://config',
    getDefaults: () => ({ ...defaults }),
    getVars: () => ({ ...vars }),
    getComponentConfiguration: no,
    resolveComponentQuery: no,
    detectorForHost: no,
    detectorsForHosts: no,
    cruCardsForHost: no,
    endpointsForCruCard: no,
    getRuntimeEntry: no,
    setRuntimeEntry: no,
  };
}

/** `defaults:`/`vars:` lines of a role at `indent`, or nothing. */
function varBlock(indent: string, key: 'defaults' | 'vars', vars: Vars | undefined): string {
  if (vars === undefined) return '';
  const items = Object.entries(vars).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return `${indent}${key}: { ${items.join(', ')} }\n`;
}

interface Layers {
  readonly rootDefaults?: Vars;
  readonly rootVars?: Vars;
  readonly midDefaults?: Vars;
  readonly midVars?: Vars;
  readonly leafDefaults?: Vars;
  readonly leafVars?: Vars;
}

/** Root `wf` → aggregator `mid` → task role `t` loading `probe`. */
function workflow(l: Layers): string {
  return [
    'name: wf\n',
    varBlock('', 'defaults', l.rootDefaults),
    varBlock('', 'vars', l.rootVars),
    'roles:\n  - name: mid\n',
    varBlock('    ', 'defaults', l.midDefaults),
    varBlock('    ', 'vars', l.midVars),
    '    roles:\n      - name: t\n',
    varBlock('        ', 'defaults', l.leafDefaults),
    varBlock('        ', 'vars', l.leafVars),
    '        task: { load: probe }\n',
  ].join('');
}

const PROBE = `name: probe
command:
  value: /bin/probe
  arguments: [ "{{ x ?? 'unset' }}" ]
`;

interface Case extends Layers {
  readonly name: string;
  readonly configDefaults?: Vars;
  readonly configVars?: Vars;
  readonly user?: Vars;
  readonly expect: string;
}

const CASES: readonly Case[] = [
  { name: 'nothing defines x', expect: 'unset' },
  { name: 'configuration default alone', configDefaults: { x: 'cd' }, expect: 'cd' },
  {
    name: 'root default beats configuration default',
    configDefaults: { x: 'cd' },
    rootDefaults: { x: 'rd' },
    expect: 'rd',
  },
  {
    name: 'deeper default beats root default',
    rootDefaults: { x: 'rd' },
    midDefaults: { x: 'md' },
    expect: 'md',
  },
  {
    name: 'leaf default is deepest',
    rootDefaults: { x: 'rd' },
    midDefaults: { x: 'md' },
    leafDefaults: { x: 'ld' },
    expect: 'ld',
  },
  {
    name: 'configuration var beats every workflow default',
    configVars: { x: 'cv' },
    rootDefaults: { x: 'rd' },
    leafDefaults: { x: 'ld' },
    expect: 'cv',
  },
  {
    name: 'configuration var beats configuration default',
    configDefaults: { x: 'cd' },
    configVars: { x: 'cv' },
    expect: 'cv',
  },
  { name: 'root var beats configuration var', configVars: { x: 'cv' }, rootVars: { x: 'rv' }, expect: 'rv' },
  { name: 'deeper var wins', rootVars: { x: 'rv' }, midVars: { x: 'mv' }, expect: 'mv' },
  {
    name: 'leaf var is deepest',
    rootVars: { x: 'rv' },
    midVars: { x: 'mv' },
    leafVars: { x: 'lv' },
    expect: 'lv',
  },
  {
    name: 'a shallow var beats a deep default',
    rootVars: { x: 'rv' },
    leafDefaults: { x: 'ld' },
    expect: 'rv',
  },
  {
    name: 'user var beats everything',
    configVars: { x: 'cv' },
    rootVars: { x: 'rv' },
    leafVars: { x: 'lv' },
    user: { x: 'u' },
    expect: 'u',
  },
  { name: 'an empty string overrides', configVars: { x: 'cv' }, rootVars: { x: '' }, expect: '' },
  {
    name: 'defaults see lower layers',
    configDefaults: { y: 'c' },
    rootDefaults: { x: '{{ y }}-r' },
    expect: 'c-r',
  },
  {
    name: 'vars see the merged stack',
    configVars: { y: 'c' },
    midDefaults: { z: 'm' },
    leafVars: { x: '{{ y }}{{ z }}' },
    expect: 'cm',
  },
];

async function argumentOf(c: Case, tasks: string = PROBE, extra: Vars = {}): Promise<string | undefined> {
  const r = await planWorkflow({
    workflow: 'wf',
    files: files({ 'workflows/wf.yaml': workflow(c), 'tasks/probe.yaml': tasks }),
    config: fakeConfig(c.configDefaults, c.configVars),
    userVars: { ...c.user, ...extra },
    environmentId: 'env-1',
  });
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  return r.value.tasks[0]?.command.arguments[0];
}

for (const c of CASES) {
  test(`precedence: ${c.name}`, async () => {
    assert.equal(await argumentOf(c), c.expect);
  });
}

const ITERATOR = (inner: string): string => `name: wf
defaults: { x: rd }
vars: { x: rv }
roles:
  - name: "it-{{ x }}"
    for: { range: '["a"]', var: x }
    roles:
      - name: t
${inner}        task: { load: probe }
`;

const ITERATOR_CASES = [
  { name: 'iterator variable beats root vars and defaults', inner: '', user: {}, expect: 'a' },
  {
    name: 'a deeper role var beats the iterator variable',
    inner: '        vars: { x: child }\n',
    user: {},
    expect: 'child',
  },
  { name: 'a user var beats the iterator variable in the task', inner: '', user: { x: 'u' }, expect: 'u' },
];

for (const c of ITERATOR_CASES) {
  test(`precedence: ${c.name}`, async () => {
    const r = await planWorkflow({
      workflow: 'wf',
      files: files({ 'workflows/wf.yaml': ITERATOR(c.inner), 'tasks/probe.yaml': PROBE }),
      userVars: c.user,
      environmentId: 'env-1',
    });
    assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
    assert.equal(r.value.tasks.length, 1);
    assert.equal(r.value.tasks[0]?.command.arguments[0], c.expect);
  });
}

/** A probe whose own defaults/vars also define x (and whose properties show both). */
const TT_LAYERS = (defaults: string, vars: string): string => `name: probe
${defaults === '' ? '' : `defaults: { x: ${defaults}, dx: "{{ x }}" }\n`}${vars === '' ? '' : `vars: { x: ${vars} }\n`}properties: { px: "{{ x ?? 'unset' }}" }
command:
  value: /bin/probe
  arguments: [ "{{ x ?? 'unset' }}" ]
`;

interface TtCase extends Layers {
  readonly name: string;
  readonly configDefaults?: Vars;
  readonly user?: Vars;
  readonly td: string;
  readonly tv: string;
  /** Expected command argument; undefined where AliECS and Axle differ (command: TT vars < TT defaults). */
  readonly arg: string | undefined;
  readonly prop: string;
}

const TT_CASES: readonly TtCase[] = [
  {
    name: 'task-template default applies when the role stack has none',
    td: 'td',
    tv: '',
    arg: 'td',
    prop: 'td',
  },
  { name: 'task-template var applies when the role stack has none', td: '', tv: 'tv', arg: 'tv', prop: 'tv' },
  {
    name: 'task-template var beats its default in properties',
    td: 'td',
    tv: 'tv',
    arg: undefined,
    prop: 'tv',
  },
  {
    name: 'a configuration default beats task-template layers',
    configDefaults: { x: 'cd' },
    td: 'td',
    tv: 'tv',
    arg: 'cd',
    prop: 'cd',
  },
  {
    name: 'a workflow default beats task-template layers',
    leafDefaults: { x: 'ld' },
    td: 'td',
    tv: 'tv',
    arg: 'ld',
    prop: 'ld',
  },
  { name: 'a user var beats task-template layers', user: { x: 'u' }, td: 'td', tv: '', arg: 'u', prop: 'u' },
];

for (const c of TT_CASES) {
  test(`task template: ${c.name}`, async () => {
    const r = await planWorkflow({
      workflow: 'wf',
      files: files({ 'workflows/wf.yaml': workflow(c), 'tasks/probe.yaml': TT_LAYERS(c.td, c.tv) }),
      config: fakeConfig(c.configDefaults),
      userVars: c.user ?? {},
      environmentId: 'env-1',
    });
    assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
    if (c.arg !== undefined) assert.equal(r.value.tasks[0]?.command.arguments[0], c.arg);
    assert.equal(r.value.tasks[0]?.properties['px'], c.prop);
  });
}

test('task-template defaults are templated against the role stack', async () => {
  const tt = `name: probe
defaults: { x: "{{ base }}-tt" }
command: { value: /bin/probe, arguments: [ "{{ x }}" ] }
`;
  const arg = await argumentOf({ name: '', rootVars: { base: 'role' }, expect: '' }, tt);
  assert.equal(arg, 'role-tt');
});

test('special task variables sit on top of every layer', async () => {
  const tt = `name: probe
defaults: { task_parent_role: tt, environment_id: tt }
command:
  value: /bin/probe
  arguments: [ "{{ task_parent_role }}", "{{ environment_id }}", "{{ task_class_name }}" ]
`;
  const c: Case = {
    name: '',
    rootVars: { task_parent_role: 'wft', environment_id: 'wft', task_class_name: 'wft' },
    leafDefaults: { task_parent_role: 'wft' },
    expect: '',
  };
  const r = await planWorkflow({
    workflow: 'wf',
    files: files({ 'workflows/wf.yaml': workflow(c), 'tasks/probe.yaml': tt }),
    userVars: { task_parent_role: 'user', environment_id: 'user' },
    environmentId: 'env-1',
  });
  assert.ok(r.ok, r.issues.map(formatIssue).join('\n'));
  assert.deepEqual(r.value.tasks[0]?.command.arguments, [
    'wf.mid.t',
    'env-1',
    `memory/tasks/probe@${r.value.workflow.commit}`,
  ]);
});

test('explainVariables lists the winner and every overridden layer in order', async () => {
  const c: Case = {
    name: '',
    rootDefaults: { x: 'rd' },
    rootVars: { x: 'rv' },
    midDefaults: { x: 'md' },
    midVars: { x: 'mv' },
    leafDefaults: { x: 'ld' },
    leafVars: { x: 'lv' },
    expect: '',
  };
  const r = await explainVariables(
    {
      workflow: 'wf',
      files: files({ 'workflows/wf.yaml': workflow(c), 'tasks/probe.yaml': PROBE }),
      config: fakeConfig({ x: 'cd' }, { x: 'cv' }),
      userVars: { x: 'u' },
      environmentId: 'env-1',
    },
    'wf.mid.t',
    ['x', 'undefined_var'],
  );
  assert.ok(r.ok, r.ok ? '' : r.message);
  const [x, none] = r.explanations;
  assert.deepEqual(
    x?.contributions.map((k) => [k.source.kind, k.value]),
    [
      ['user-vars', 'u'],
      ['vars', 'lv'],
      ['vars', 'mv'],
      ['vars', 'rv'],
      ['global-vars', 'cv'],
      ['defaults', 'ld'],
      ['defaults', 'md'],
      ['defaults', 'rd'],
      ['global-defaults', 'cd'],
    ],
  );
  const wft = x?.contributions.filter((k) => k.source.kind === 'vars' || k.source.kind === 'defaults');
  assert.ok(wft?.every((k) => k.source.file === 'workflows/wf.yaml' && (k.line ?? 0) >= 1));
  assert.equal(x?.contributions.find((k) => k.source.kind === 'global-vars')?.source.file, 'fake://config');
  assert.deepEqual(none?.contributions, []);
});

test('explainVariables names each workflow layer by its role path', async () => {
  const c: Case = { name: '', rootVars: { x: 'rv' }, leafVars: { x: 'lv' }, expect: '' };
  const r = await explainVariables(
    {
      workflow: 'wf',
      files: files({ 'workflows/wf.yaml': workflow(c), 'tasks/probe.yaml': PROBE }),
      environmentId: 'env-1',
    },
    'wf.mid.t',
    ['x'],
  );
  assert.ok(r.ok);
  assert.deepEqual(
    r.explanations[0]?.contributions.map((k) => k.source.role),
    ['wf.mid.t', 'wf'],
  );
});

test('explainVariables reports an unknown role path with the known ones', async () => {
  const r = await explainVariables(
    {
      workflow: 'wf',
      files: files({ 'workflows/wf.yaml': workflow({}), 'tasks/probe.yaml': PROBE }),
      environmentId: 'env-1',
    },
    'wf.nope',
    ['x'],
  );
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.knownPaths.includes('wf.mid.t'));
});
