import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostIndex, satisfies } from './placement-match.ts';
import type { HostOffer, PlacementConstraint, PlacementOperator } from './placement-types.ts';

const host = (name: string, attributes: Record<string, string>): HostOffer => ({
  host: name,
  cpu: 8,
  memoryMb: 1000,
  ports: [],
  attributes,
});
const flp = host('flp001', { detector: 'TPC, ITS', cards: '2', role: 'flp' });

test('each operator, list-valued attributes, name attributes, missing attributes', () => {
  const cases: [string, string, PlacementOperator, string, boolean][] = [
    ['= element of list', 'detector', '=', 'TPC', true],
    ['= second element (trimmed)', 'detector', '=', 'ITS', true],
    ['= not an element', 'detector', '=', 'TRD', false],
    ['= whole list text is not an element', 'detector', '=', 'TPC, ITS', false],
    ['= scalar', 'cards', '=', '2', true],
    ['= missing attribute', 'rack', '=', 'A', false],
    ['!= element', 'detector', '!=', 'TPC', false],
    ['!= non element', 'detector', '!=', 'TRD', true],
    ['!= missing attribute holds', 'rack', '!=', 'A', true],
    ['in overlapping set', 'detector', 'in', 'TRD,ITS', true],
    ['in disjoint set', 'detector', 'in', 'TRD,TOF', false],
    ['in missing attribute', 'rack', 'in', 'A,B', false],
    ['machine_id is the name', 'machine_id', '=', 'flp001', true],
    ['hostname is the name', 'hostname', '=', 'flp001', true],
    ['machine_id other host', 'machine_id', '=', 'flp002', false],
    ['machine_id in set', 'machine_id', 'in', 'flp002,flp001', true],
    ['machine_id !=', 'machine_id', '!=', 'flp001', false],
  ];
  for (const [name, attribute, operator, value, want] of cases)
    assert.equal(satisfies(flp, { attribute, operator, value }), want, name);
});

test('the index finds exactly the hosts a full scan finds, sorted by name', () => {
  const hosts = [
    host('flp003', { detector: 'TPC', cards: '2' }),
    host('flp001', { detector: 'TPC,ITS', cards: '1' }),
    host('epn01', { role: 'epn' }),
    host('flp002', { detector: 'ITS', cards: '2' }),
  ];
  const index = new HostIndex(hosts);
  assert.deepEqual(
    index.hosts.map((h) => h.host),
    ['epn01', 'flp001', 'flp002', 'flp003'],
  );
  const sets: PlacementConstraint[][] = [
    [],
    [{ attribute: 'detector', operator: '=', value: 'TPC' }],
    [
      { attribute: 'detector', operator: 'in', value: 'TPC,ITS' },
      { attribute: 'cards', operator: '=', value: '2' },
    ],
    [{ attribute: 'detector', operator: '!=', value: 'TPC' }],
    [
      { attribute: 'detector', operator: 'in', value: 'ITS' },
      { attribute: 'machine_id', operator: '!=', value: 'flp002' },
    ],
    [{ attribute: 'hostname', operator: '=', value: 'epn01' }],
    [{ attribute: 'nothing', operator: '=', value: 'x' }],
  ];
  for (const cs of sets) {
    const scan = index.hosts.flatMap((h, i) => (cs.every((c) => satisfies(h, c)) ? [i] : []));
    assert.deepEqual(index.candidates(cs), scan, JSON.stringify(cs));
    assert.equal(index.candidates(cs), index.candidates(cs), 'cached');
  }
});
