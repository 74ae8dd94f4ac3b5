import { test } from 'node:test';
import assert from 'node:assert/strict';
import { placeTasks } from './simple-placement.ts';

const hosts = [
  { host: 'flp001', attributes: { detector: 'TPC,ITS' }, load: 0 },
  { host: 'flp002', attributes: { detector: 'TPC' }, load: 2 },
  { host: 'qc01', attributes: { machine_type: 'qcserver' }, load: 0 },
];

test('machine_id pins, other attributes match list values, least loaded wins, deterministic', () => {
  const r = placeTasks(
    [
      {
        taskId: 'a',
        path: 'wf.a',
        constraints: [{ attribute: 'machine_id', operator: '=', value: 'flp002' }],
      },
      { taskId: 'b', path: 'wf.b', constraints: [{ attribute: 'detector', operator: '=', value: 'TPC' }] },
      { taskId: 'c', path: 'wf.c', constraints: [{ attribute: 'detector', operator: '=', value: 'ITS' }] },
      { taskId: 'd', path: 'wf.d', constraints: [] },
      {
        taskId: 'e',
        path: 'wf.e',
        constraints: [{ attribute: 'machine_type', operator: '=', value: 'qcserver' }],
      },
    ],
    hosts,
  );
  assert.deepEqual(
    [...r.values()].map((p) => (p.ok ? p.host : p.reason)),
    ['flp002', 'flp001', 'flp001', 'qc01', 'qc01'],
  );
});

test('unsatisfiable constraints are explained per candidate host', () => {
  const r = placeTasks(
    [
      {
        taskId: 'x',
        path: 'wf.x',
        constraints: [{ attribute: 'machine_id', operator: '=', value: 'flp999' }],
      },
      { taskId: 'y', path: 'wf.y', constraints: [{ attribute: 'detector', operator: '=', value: 'MCH' }] },
    ],
    hosts,
  );
  const x = r.get('x');
  const y = r.get('y');
  assert.ok(x !== undefined && !x.ok && /no connected host is named flp999/.test(x.reason));
  assert.ok(
    y !== undefined &&
      !y.ok &&
      /flp001: detector is TPC,ITS, wanted MCH/.test(y.reason) &&
      /qc01: detector is not set/.test(y.reason),
  );
  const none = placeTasks([{ taskId: 'z', path: 'wf.z', constraints: [] }], []).get('z');
  assert.ok(none !== undefined && !none.ok && /no host is connected/.test(none.reason));
});
