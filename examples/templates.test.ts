/**
 * Consistency checks of the example template repository and configuration: every file parses, names match file
 * names, every task and workflow reference resolves, public variable specs are complete and unique.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';

const HERE = import.meta.dirname;
const REPO = join(HERE, 'templates');
const PUBLIC_TAGS = [
  { tag: '!public', collection: 'map' as const, resolve: <T>(v: T): T => v },
  { tag: '!public', resolve: (v: string): string => v },
];

type Doc = Record<string, unknown>;

function load(path: string): Doc {
  const doc = parseDocument(readFileSync(path, 'utf8'), { customTags: PUBLIC_TAGS });
  assert.deepEqual([...doc.errors, ...doc.warnings], [], `${path} parses cleanly`);
  const value: unknown = doc.toJS();
  assert.ok(isMap(value), `${path} is a mapping`);
  return value;
}

function isMap(v: unknown): v is Doc {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(join(REPO, dir)).filter((f) => f.endsWith('.yaml'));
}

function names(dir: string): Set<string> {
  return new Set(yamlFiles(dir).map((f) => basename(f, '.yaml')));
}

/** Every role of a workflow, depth first. */
function roles(node: Doc): Doc[] {
  const children = Array.isArray(node['roles']) ? (node['roles'] as unknown[]).filter(isMap) : [];
  return children.flatMap((r) => [r, ...roles(r)]);
}

/** Names of the `!public` specs of a file, found by their text (the tag is gone after toJS). */
function publicSpecNames(text: string): string[] {
  return [...text.matchAll(/^\s+([A-Za-z0-9_]+): !public\s*$/gm)].map((m) => m[1] ?? '');
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(strings);
  return isMap(v) ? Object.values(v).flatMap(strings) : [];
}

test('every template file parses and is named after its file', () => {
  for (const dir of ['workflows', 'tasks']) {
    for (const file of yamlFiles(dir)) {
      const doc = load(join(REPO, dir, file));
      assert.equal(doc['name'], basename(file, '.yaml'), `${dir}/${file} root name`);
    }
  }
  assert.deepEqual([...names('workflows')].sort(), ['datataking', 'minimal', 'qc-local']);
});

test('every role has exactly one kind and every reference resolves', () => {
  const tasks = names('tasks');
  const workflows = names('workflows');
  for (const file of yamlFiles('workflows')) {
    for (const role of roles(load(join(REPO, 'workflows', file)))) {
      const kinds = ['roles', 'task', 'call', 'include'].filter((k) => k in role);
      assert.equal(
        kinds.length,
        1,
        `${file}: role ${String(role['name'])} has one kind, got ${kinds.join(',')}`,
      );
      const task = role['task'];
      if (isMap(task))
        assert.ok(tasks.has(String(task['load'])), `${file}: task ${String(task['load'])} exists`);
      const include = role['include'];
      if (typeof include === 'string' && !include.includes('{{')) {
        assert.ok(workflows.has(include), `${file}: include ${include} exists`);
      }
    }
  }
});

test('template tags are balanced in every string', () => {
  for (const dir of ['workflows', 'tasks']) {
    for (const file of yamlFiles(dir)) {
      for (const s of strings(load(join(REPO, dir, file)))) {
        assert.equal(s.split('{{').length, s.split('}}').length, `${dir}/${file}: ${s}`);
      }
    }
  }
});

test('task templates declare a control mode, resources and a command', () => {
  for (const file of yamlFiles('tasks')) {
    const tt = load(join(REPO, 'tasks', file));
    const control = tt['control'];
    assert.ok(isMap(control) && ['direct', 'fairmq', 'basic'].includes(String(control['mode'])), file);
    const wants = tt['wants'];
    assert.ok(isMap(wants) && typeof wants['cpu'] === 'number' && typeof wants['memory'] === 'number', file);
    const command = tt['command'];
    assert.ok(isMap(command), file);
    assert.match(String(command['value']), /\{\{ (axle_task_bin|shell_command) \}\}/, file);
    assert.equal(command['user'], '{{ user }}', file);
  }
});

test('datataking has unique, complete public variable specs for the GUI', () => {
  const path = join(REPO, 'workflows', 'datataking.yaml');
  const specNames = publicSpecNames(readFileSync(path, 'utf8'));
  assert.ok(specNames.length >= 6, `got ${specNames.join(',')}`);
  assert.equal(new Set(specNames).size, specNames.length, 'no duplicate public names');
  const defaults = load(path)['defaults'];
  assert.ok(isMap(defaults));
  const dpl = defaults['dpl_workflow'];
  assert.ok(isMap(dpl));
  assert.deepEqual(dpl['values'], ['none', 'jit-demo']);
  const jit = readdirSync(join(REPO, 'jit'));
  assert.ok(jit.includes('jit-demo'), 'every JIT choice has a jit/ file');
  for (const name of ['qc_enabled', 'dcs_enabled', 'run_type', 'readout_rate', 'n_builders']) {
    const spec = defaults[name];
    assert.ok(isMap(spec) && typeof spec['value'] === 'string' && 'widget' in spec && 'panel' in spec, name);
  }
});

test('datataking calls are timed and weighted like AliECS call roles', () => {
  const calls = roles(load(join(REPO, 'workflows', 'datataking.yaml')))
    .map((r) => r['call'])
    .filter(isMap);
  assert.deepEqual(
    calls.map((c) => c['trigger']),
    ['before_CONFIGURE', 'before_START_ACTIVITY+100', 'after_STOP_ACTIVITY-50'],
  );
  assert.ok(calls.some((c) => c['return'] === 'dcs_result'));
  assert.ok(calls.some((c) => typeof c['await'] === 'string'));
  for (const c of calls) assert.match(String(c['func']), /^testplugin\.(Noop|Test)\(\)$/);
});

test('config.yaml has the inventory, cards and global defaults the templates use', () => {
  const o2 = load(join(HERE, 'config.yaml'))['o2'];
  assert.ok(isMap(o2));
  const hardware = o2['hardware'] as Doc;
  const detectors = hardware['detectors'] as Record<string, { flps: Doc }>;
  assert.deepEqual(Object.keys(detectors['TST']?.flps ?? {}), ['flp001', 'flp002', 'localhost']);
  assert.deepEqual(Object.keys(detectors['TPC']?.flps ?? {}), ['flp003', 'flp004']);
  const flps = hardware['flps'] as Record<string, { cards: string }>;
  const cards = JSON.parse(flps['flp001']?.cards ?? '') as Record<string, { serial: string }>;
  assert.deepEqual([...new Set(Object.values(cards).map((c) => c.serial))], ['1041', '1042']);
  const aliecs = (o2['runtime'] as Doc)['aliecs'] as { defaults: Doc; vars: Doc };
  for (const key of ['axle_task_bin', 'readout_rate', 'jit_env_vars']) assert.ok(key in aliecs.defaults, key);
  assert.equal(aliecs.vars['builder_max_buffered'], '32');
});
