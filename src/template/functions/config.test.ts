import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../common/config-source.ts';
import type { ConfigSource } from '../../common/config-source.ts';
import { DeferredSignal, ExprError } from '../expr/value.ts';
import type { Value } from '../expr/value.ts';
import { splitComponentPath } from './config.ts';
import { evalWith } from './test-support.ts';

interface Recorded {
  readonly calls: string[];
  readonly runtime: Map<string, string>;
}

function fakeSource(rec: Recorded): ConfigSource {
  const unknownHost = (h: string): never => {
    throw new ConfigError(`host ${h} not in inventory`, h);
  };
  return {
    uri: 'fake://',
    getDefaults: () => ({}),
    getVars: () => ({}),
    getComponentConfiguration: (path, process, stack) => {
      rec.calls.push(`get ${path} ${process} ${JSON.stringify(stack)}`);
      if (path.startsWith('missing/')) throw new ConfigError(`no entry ${path}`, path);
      return process ? `processed:${stack['det'] ?? ''}` : 'raw {{ det }}-{{ strings.ToUpper(det) }}';
    },
    resolveComponentQuery: (c, r, role, e) => {
      rec.calls.push(`resolve ${c} ${r} ${role} ${e}`);
      return `${c}/${r === 'TECHNICAL' ? r : 'ANY'}/any/${e}`;
    },
    detectorForHost: (h) => (h === 'flp1' ? 'TPC' : unknownHost(h)),
    detectorsForHosts: (hs) =>
      [...new Set(hs.map((h) => (h === 'flp1' ? 'TPC' : h === 'flp2' ? 'ITS' : unknownHost(h))))].sort(),
    cruCardsForHost: (h) => (h === 'flp1' ? ['0228', '0229'] : unknownHost(h)),
    endpointsForCruCard: (h, s) => (h === 'flp1' && s === '0228' ? ['0', '1'] : unknownHost(h)),
    getRuntimeEntry: (c, k) => rec.runtime.get(`${c}/${k}`) ?? '',
    setRuntimeEntry: (c, k, v) => void rec.runtime.set(`${c}/${k}`, v),
  };
}

function setup(errors: 'throw' | 'inline' = 'throw'): { rec: Recorded; ev: (src: string) => Value } {
  const rec: Recorded = { calls: [], runtime: new Map([['trg/ctp/load', 'ctp-params']]) };
  const deps = { config: fakeSource(rec), configErrors: errors };
  return { rec, ev: (src) => evalWith(src, { det: 'tpc', hosts: '["flp2","flp1"]', key: 'load' }, deps) };
}

test('config.Get processes with the flattened variables; GetLegacy renders the raw payload here', () => {
  const { rec, ev } = setup();
  assert.equal(ev("config.Get('readout/PHYSICS/any/cfg')"), 'processed:tpc');
  assert.equal(ev("config.GetLegacy('readout/PHYSICS/any/cfg')"), 'raw tpc-TPC');
  assert.equal(ev("GetConfig('readout/PHYSICS/any/cfg')"), 'processed:tpc');
  assert.equal(ev("GetConfigLegacy('readout/PHYSICS/any/cfg')"), 'raw tpc-TPC');
  assert.match(rec.calls[0]!, /^get readout\/PHYSICS\/any\/cfg true \{.*"det":"tpc".*\}$/);
  assert.match(rec.calls[1]!, /^get readout\/PHYSICS\/any\/cfg false /);
});

test('config.Resolve and ResolvePath apply the source fallback', () => {
  const { rec, ev } = setup();
  assert.equal(
    ev("config.Resolve('readout', 'PHYSICS', 'flp', 'readout-stfb-' + 'flp1')"),
    'readout/ANY/any/readout-stfb-flp1',
  );
  assert.equal(ev("config.ResolvePath('qc/TECHNICAL/role/dir/entry')"), 'qc/TECHNICAL/any/dir/entry');
  assert.equal(ev("ResolveConfigPath('qc/TECHNICAL/role/e')"), 'qc/TECHNICAL/any/e');
  assert.deepEqual(rec.calls, [
    'resolve readout PHYSICS flp readout-stfb-flp1',
    'resolve qc TECHNICAL role dir/entry',
    'resolve qc TECHNICAL role e',
  ]);
  assert.deepEqual(splitComponentPath(' a/B_1/c-d/e/f '), ['a', 'B_1', 'c-d', 'e/f']);
  assert.throws(() => splitComponentPath('a/b/c'), /bad component configuration key format/);
});

test('inventory.* and runtime.*', () => {
  const { rec, ev } = setup();
  const cases: [string, Value][] = [
    ["inventory.DetectorForHost('flp1')", 'TPC'],
    ['inventory.DetectorsForHosts(hosts)', '["ITS","TPC"]'],
    ["inventory.CRUCardsForHost('flp1')", '["0228","0229"]'],
    ["json.Unmarshal(CRUCardsForHost('flp1'))[1]", '0229'],
    ["inventory.EndpointsForCRUCard('flp1', '0228')", '0 1'],
    ["DetectorForHost('flp1')", 'TPC'],
    ["EndpointsForCRUCard('flp1', '0228')", '0 1'],
    ["runtime.Get('trg/ctp', key)", 'ctp-params'],
    ["GetRuntimeConfig('trg/ctp', 'load')", 'ctp-params'],
    ["runtime.Set('trg/ctp', 'x', 'y')", 'y'],
  ];
  for (const [src, expected] of cases) assert.deepEqual(ev(src), expected, src);
  assert.equal(rec.runtime.get('trg/ctp/x'), 'y');
});

test("source failures: 'throw' names the function, 'inline' returns AliECS error text", () => {
  const strict = setup('throw');
  const failing: [string, RegExp][] = [
    ["inventory.DetectorForHost('nope')", /^inventory\.DetectorForHost: host nope not in inventory$/],
    ["config.Get('missing/ANY/any/x')", /^config\.Get: no entry missing/],
    ["config.ResolvePath('not a path')", /^config\.ResolvePath: bad component configuration key format/],
    [
      "inventory.DetectorsForHosts('flp1')",
      /^inventory\.DetectorsForHosts: expected a JSON list of host names/,
    ],
    ["inventory.CRUCardsForHost('nope')", /^inventory\.CRUCardsForHost: host nope/],
  ];
  for (const [src, message] of failing) {
    assert.throws(
      () => strict.ev(src),
      (e: unknown) => e instanceof ExprError && e.code === 'evaluation_error' && message.test(e.message),
      src,
    );
  }
  const lenient = setup('inline');
  assert.equal(lenient.ev("inventory.DetectorForHost('nope')"), '{"error":"host nope not in inventory"}');
  assert.equal(lenient.ev("inventory.CRUCardsForHost('nope')"), '["error: host nope not in inventory"]');
  assert.match(lenient.ev("config.Get('missing/ANY/any/x')") as string, /^\{"error":"no entry missing/);
});

test('without a configuration source every config function is an evaluation error', () => {
  const srcs = [
    "config.Get('a/B/c/d')",
    "config.GetLegacy('a/B/c/d')",
    "config.Resolve('a', 'B', 'c', 'd')",
    "config.ResolvePath('a/B/c/d')",
    "inventory.DetectorForHost('h')",
    "inventory.DetectorsForHosts('[]')",
    "inventory.CRUCardsForHost('h')",
    "inventory.EndpointsForCRUCard('h', 's')",
    "runtime.Get('c', 'k')",
    "runtime.Set('c', 'k', 'v')",
  ];
  for (const src of srcs) {
    assert.throws(
      () => evalWith(src),
      (e: unknown) =>
        e instanceof ExprError &&
        e.code === 'evaluation_error' &&
        /: no configuration source$/.test(e.message),
      src,
    );
  }
});

test('DeferredSignal from a source passes through in both modes', () => {
  const signal = new DeferredSignal();
  const rec: Recorded = { calls: [], runtime: new Map() };
  const source: ConfigSource = {
    ...fakeSource(rec),
    detectorForHost: () => {
      throw signal;
    },
  };
  for (const configErrors of ['throw', 'inline'] as const) {
    assert.throws(
      () => evalWith("inventory.DetectorForHost('h')", {}, { config: source, configErrors }),
      (e: unknown) => e === signal,
    );
  }
});
