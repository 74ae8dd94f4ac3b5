import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { removeDir, tempDir } from './git-fixture.ts';
import { RepoManager } from './repo-manager.ts';
import { makeSnapshot } from './snapshot.ts';
import type { RepoSnapshot } from './snapshot.ts';
import { listWorkflowTemplates } from './template-list.ts';

function snapshotOf(files: Record<string, string>): RepoSnapshot {
  const meta = { repoId: 'example.org/wf', revision: 'master', commit: 'local' };
  return makeSnapshot(meta, new Map(Object.entries(files)), () => Promise.resolve());
}

const READOUT = `name: !public readout
description: !public "Data taking"
defaults:
  dcs_enabled: !public
    value: "false"
    type: bool
    label: DCS
    widget: checkBox
    panel: General
    index: -3
  plain: "x"
  run_type: !public
    value: PHYSICS
    type: string
    widget: comboBox
    values: [PHYSICS, COSMICS]
    visibleif: $$dcs_enabled === "true"
roles:
  - name: flp
    vars:
      hosts: !public
        value: "[]"
        type: list
        widget: editBox
        rows: 4
        enabledif: "true"
    defaults:
      odd: !public
        value: 1
        type: colour
        widget: detectorSelector
        index: many
`;

test('public templates with their var specs; globals override defaults specs only', () => {
  const snap = snapshotOf({
    'workflows/readout.yaml': READOUT,
    'workflows/private.yaml': 'name: private\ndescription: hidden\n',
    'workflows/notes.txt': 'not a template',
  });
  const list = listWorkflowTemplates(snap, { globalVars: { dcs_enabled: 'true', hosts: '["flp1"]' } });
  assert.deepEqual(
    list.map((t) => [t.name, t.public, t.description]),
    [['readout', true, 'Data taking']],
  );
  const t = list[0];
  assert.ok(t !== undefined);
  assert.deepEqual(Object.keys(t.varSpecs), ['dcs_enabled', 'run_type', 'hosts', 'odd']);
  assert.deepEqual(t.varSpecs['dcs_enabled'], {
    source: 'defaults',
    value: 'true',
    type: 'bool',
    label: 'DCS',
    description: '',
    widget: 'checkBox',
    panel: 'General',
    values: [],
    index: -3,
    rows: 0,
    visibleIf: '',
    enabledIf: '',
  });
  assert.deepEqual(t.varSpecs['run_type']?.values, ['PHYSICS', 'COSMICS']);
  assert.equal(t.varSpecs['run_type']?.visibleIf, '$$dcs_enabled === "true"');
  const hosts = t.varSpecs['hosts'];
  assert.deepEqual(
    [hosts?.source, hosts?.value, hosts?.type, hosts?.rows, hosts?.enabledIf],
    ['vars', '[]', 'list', 4, 'true'],
  );
  const odd = t.varSpecs['odd'];
  assert.deepEqual([odd?.value, odd?.type, odd?.widget, odd?.index], ['1', 'string', 'editBox', 0]);
  assert.deepEqual(
    t.issues.map((i) => [i.code, i.severity, i.line]),
    [
      ['invalid_value', 'warning', 30],
      ['invalid_value', 'warning', 31],
      ['invalid_value', 'warning', 32],
    ],
  );
});

test('allWorkflows lists private templates too', () => {
  const snap = snapshotOf({ 'workflows/readout.yaml': READOUT, 'workflows/private.yaml': 'name: private\n' });
  const all = listWorkflowTemplates(snap, { allWorkflows: true });
  assert.deepEqual(
    all.map((t) => [t.name, t.public, Object.keys(t.varSpecs).length]),
    [
      ['private', false, 0],
      ['readout', true, 4],
    ],
  );
});

test('a public name declared twice invalidates that template’s specs with an error issue', () => {
  const dup = `name: !public dup
defaults:
  a: !public { value: "1" }
roles:
  - name: r
    vars:
      a: !public { value: "2" }
`;
  const [t] = listWorkflowTemplates(snapshotOf({ 'workflows/dup.yaml': dup }));
  assert.deepEqual(t?.varSpecs, {});
  assert.deepEqual(
    t?.issues.map((i) => [i.code, i.severity, i.file, i.line]),
    [['duplicate_public_var', 'error', 'workflows/dup.yaml', 7]],
  );
});

test('broken YAML is reported with file and line, never thrown, and listed even when not known to be public', () => {
  const snap = snapshotOf({
    'workflows/bad.yaml': 'name: !public bad\nroles: [a, b\n',
    'workflows/list.yaml': '- a\n',
  });
  const list = listWorkflowTemplates(snap);
  assert.deepEqual(
    list.map((t) => t.name),
    ['bad'],
  );
  const issue = list[0]?.issues[0];
  assert.deepEqual(
    [issue?.code, issue?.severity, issue?.file],
    ['yaml_syntax', 'error', 'workflows/bad.yaml'],
  );
  assert.ok((issue?.line ?? 0) >= 2);
  const all = listWorkflowTemplates(snap, { allWorkflows: true });
  assert.deepEqual(
    all.map((t) => [t.name, t.issues[0]?.code]),
    [
      ['bad', 'yaml_syntax'],
      ['list', 'invalid_value'],
    ],
  );
});

const MIRROR = '/work/.mirror/AliceO2Group+ControlWorkflows/repo';

test(
  'ControlWorkflows: readout-dataflow is public with more than 50 var specs',
  { skip: !existsSync(MIRROR) },
  async () => {
    const stateDir = await tempDir('axle-cw-');
    try {
      const repos = await RepoManager.open({ stateDir });
      await repos.add(MIRROR);
      const snap = await repos.snapshot(0, '25da17f8');
      assert.equal(snap.commit, '25da17f8e6f5287b0ba002189419c88cbc230aaf');
      const list = listWorkflowTemplates(snap);
      const rd = list.find((t) => t.name === 'readout-dataflow');
      assert.ok(rd !== undefined);
      assert.equal(rd.public, true);
      assert.ok(Object.keys(rd.varSpecs).length > 50, `${Object.keys(rd.varSpecs).length} specs`);
      assert.ok(rd.issues.every((i) => i.severity !== 'error'));
      assert.equal(rd.varSpecs['dcs_enabled']?.type, 'bool');
      assert.ok(list.every((t) => t.public));
      assert.ok(snap.listFiles('tasks').includes('readout.yaml'));
    } finally {
      await removeDir(stateDir);
    }
  },
);
