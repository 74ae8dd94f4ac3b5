import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../common/config-source.ts';
import type { ConfigSource } from '../common/config-source.ts';
import { memoryFiles } from './memory-files.ts';
import { planWorkflow } from './planner.ts';

/** A source over a fixed inventory that counts every call by method and arguments. */
function countingConfig(): { source: ConfigSource; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const count = (key: string): void => void calls.set(key, (calls.get(key) ?? 0) + 1);
  const no = (): never => {
    throw new Error('not used in this test');
  };
  const source: ConfigSource = {
    uri: 'counting://config',
    getDefaults: () => ({}),
    getVars: () => ({}),
    getComponentConfiguration: no,
    resolveComponentQuery: (c, rt, role, entry) => {
      count(`resolve ${c}/${rt}/${role}/${entry}`);
      throw new ConfigError(`no entry ${c}/${rt}/${role}/${entry}`, c);
    },
    detectorForHost: (h) => {
      count(`detector ${h}`);
      return h === 'flp1' ? 'TPC' : 'ITS';
    },
    detectorsForHosts: (hs) => {
      count(`detectors ${hs.join(',')}`);
      return [...new Set(hs.map((h) => (h === 'flp1' ? 'TPC' : 'ITS')))].sort();
    },
    cruCardsForHost: no,
    endpointsForCruCard: no,
    getRuntimeEntry: no,
    setRuntimeEntry: no,
  };
  return { source, calls };
}

const WORKFLOW = `name: wf
roles:
  - name: host-{{ it }}
    for: { range: "{{ hosts }}", var: it }
    roles:
      - name: a
        task: { load: probe }
      - name: b
        task: { load: probe }
`;

const PROBE = `name: probe
command:
  value: /bin/probe
  arguments:
    - "{{ inventory.DetectorForHost(it) }}"
    - "{{ config.Resolve('readout', 'ANY', 'any', 'missing') }}"
`;

test('configuration look-ups are made once per plan: repeated questions and repeated failures alike', async () => {
  const { source, calls } = countingConfig();
  const r = await planWorkflow({
    workflow: 'wf',
    files: memoryFiles(
      { 'workflows/wf.yaml': WORKFLOW, 'tasks/probe.yaml': PROBE },
      'memory',
      'cached-config',
    ),
    config: source,
    userVars: { hosts: '["flp1","flp2","flp3"]' },
  });
  assert.ok(r.ok, JSON.stringify(r.issues));
  const args = r.value.tasks.map((t) => t.command.arguments);
  const failed = JSON.stringify({ error: 'no entry readout/ANY/any/missing' });
  assert.deepEqual(args, [
    ['TPC', failed],
    ['TPC', failed],
    ['ITS', failed],
    ['ITS', failed],
    ['ITS', failed],
    ['ITS', failed],
  ]);
  assert.deepEqual(Object.fromEntries(calls), {
    'detector flp1': 1,
    'detector flp2': 1,
    'detector flp3': 1,
    'detectors flp1,flp2,flp3': 1,
    'resolve readout/ANY/any/missing': 1,
  });
});
