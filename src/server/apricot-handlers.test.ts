/** Every Apricot RPC through a real Connect gRPC client against startApricot over a memory store. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, ConnectError } from '@connectrpc/connect';
import type { Client } from '@connectrpc/connect';
import type { Apricot } from '../gen/apricot/apricot_pb.ts';
import { RunType } from '../gen/apricot/apricot_pb.ts';
import type { MemoryConfigStore } from '../config/memory-store.ts';
import { apricotClient } from './apricot-client.ts';
import type { RunningApricot } from './apricot-server.ts';
import { fixtureStore, startTestApricot } from './apricot-test-util.ts';

async function failure(p: Promise<unknown>): Promise<ConnectError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ConnectError, String(e));
    return e;
  }
  assert.fail('expected the call to fail');
}

describe('apricot.Apricot over gRPC', () => {
  let store: MemoryConfigStore;
  let server: RunningApricot;
  let c: Client<typeof Apricot>;
  before(async () => {
    store = await fixtureStore(undefined, 'etcd://10.0.0.5:2379');
    server = await startTestApricot(store);
    c = apricotClient(`apricot://127.0.0.1:${server.port}`);
  });
  after(async () => {
    await server.stop();
    await store.close();
  });

  test('NewRunNumber counts up from 1, gap-free under concurrency', async () => {
    const got = await Promise.all(Array.from({ length: 50 }, () => c.newRunNumber({})));
    const numbers = got.map((r) => r.runNumber).sort((a, b) => a - b);
    assert.deepEqual(
      numbers,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  test('GetDefaults trims values and adds the computed entries; GetVars', async () => {
    const d = (await c.getDefaults({})).stringMap;
    assert.equal(d['readout_rate'], '100');
    assert.equal(d['consul_base_uri'], 'etcd://10.0.0.5:2379');
    assert.equal(d['consul_hostname'], '10.0.0.5');
    assert.equal(d['consul_port'], '2379');
    assert.equal(d['consul_endpoint'], '10.0.0.5:2379');
    assert.equal(d['framework_id'], 'fid-1');
    assert.equal(d['core_hostname'], 'core-host');
    assert.deepEqual((await c.getVars({})).stringMap, { builder_max_buffered: '32' });
  });

  test('RawGetRecursive returns the subtree as JSON', async () => {
    const json = JSON.parse((await c.rawGetRecursive({ rawPath: 'o2/runtime' })).payload) as Record<
      string,
      unknown
    >;
    assert.deepEqual(json['qc'], { last: 'x' });
    const e = await failure(c.rawGetRecursive({ rawPath: 'o2/nothing' }));
    assert.equal(e.code, Code.NotFound);
    assert.match(e.message, /RawGetRecursive: rawPath: nothing at configuration key o2\/nothing/);
  });

  test('inventory RPCs', async () => {
    assert.deepEqual((await c.listDetectors({})).detectors, ['ITS', 'TPC']);
    assert.deepEqual((await c.listDetectors({ getAll: true })).detectors, ['ITS', 'TPC', 'TRG']);
    assert.deepEqual((await c.getHostInventory({ detector: 'TPC' })).hosts, ['flp001', 'flp002']);
    assert.deepEqual((await c.getHostInventory({ detector: '' })).hosts, ['flp001', 'flp002', 'flp003']);
    const inv = (await c.getDetectorsInventory({})).detectorEntries;
    assert.deepEqual(inv['TPC']?.flps, ['flp001', 'flp002']);
    assert.deepEqual(inv['TRG']?.flps, ['flp100']);
    assert.equal((await c.getDetectorForHost({ hostname: 'flp003' })).payload, 'ITS');
    assert.deepEqual((await c.getDetectorsForHosts({ hosts: ['flp003', 'flp001', 'flp002'] })).detectors, [
      'ITS',
      'TPC',
    ]);
    const unknown = await failure(c.getDetectorsForHosts({ hosts: ['flp001', 'nohost'] }));
    assert.equal(unknown.code, Code.NotFound);
    assert.match(unknown.message, /GetDetectorsForHosts: hosts: detector not found for host nohost/);
    assert.deepEqual(JSON.parse((await c.getCRUCardsForHost({ hostname: 'flp001' })).cards), [
      '1041',
      '1042',
    ]);
    assert.equal(
      (await c.getEndpointsForCRUCard({ hostname: 'flp001', cardSerial: '1041' })).endpoints,
      '0 1',
    );
    const bad = await failure(c.getDetectorForHost({ hostname: 'a b' }));
    assert.equal(bad.code, Code.InvalidArgument);
    assert.match(bad.message, /GetDetectorForHost: hostname: invalid name "a b"/);
  });

  test('link ids and aliased link ids', async () => {
    const req = { hostname: 'flp001', cardSerial: '1041', endpoint: '0' };
    assert.deepEqual((await c.getLinkIDsForCRUEndpoint(req)).linkIDs, ['0', '1', '10']);
    assert.deepEqual((await c.getLinkIDsForCRUEndpoint({ ...req, onlyEnabled: true })).linkIDs, ['0', '10']);
    const missing = await failure(c.getLinkIDsForCRUEndpoint({ ...req, endpoint: '7' }));
    assert.equal(missing.code, Code.NotFound);
    assert.deepEqual((await c.getAliasedLinkIDsForDetector({ detector: 'TPC' })).aliasedLinkIDs, [
      'TPC_L0',
      'TPC_L1',
    ]);
    const enabled = await c.getAliasedLinkIDsForDetector({ detector: 'TPC', onlyEnabled: true });
    assert.deepEqual(enabled.aliasedLinkIDs, ['TPC_L0']);
    assert.equal((await failure(c.getAliasedLinkIDsForDetector({ detector: 'XYZ' }))).code, Code.NotFound);
  });

  test('runtime entries', async () => {
    await c.setRuntimeEntry({ component: 'qc', key: 'mode', value: 'fast' });
    assert.equal((await c.getRuntimeEntry({ component: 'qc', key: 'mode' })).payload, 'fast');
    assert.deepEqual((await c.getRuntimeEntries({ component: 'qc' })).stringMap, { last: 'x', mode: 'fast' });
    assert.deepEqual((await c.listRuntimeEntries({ component: 'qc' })).payload, ['last', 'mode']);
    assert.equal((await failure(c.getRuntimeEntry({ component: 'qc', key: 'none' }))).code, Code.NotFound);
    const bad = await failure(c.setRuntimeEntry({ component: '', key: 'k', value: 'v' }));
    assert.equal(bad.code, Code.InvalidArgument);
    assert.match(bad.message, /component: invalid name/);
  });

  test('ListComponents and ListComponentEntries by path and query', async () => {
    assert.deepEqual((await c.listComponents({})).payload, ['qc', 'readout', 'readoutcard']);
    const all = (await c.listComponentEntries({ queryPath: { case: 'path', value: 'readout' } })).payload;
    assert.ok(all.includes('ANY/any/readout-cfg') && all.includes('PHYSICS/any/readout-cfg'));
    assert.deepEqual([...all].sort(), all);
    const q = { component: 'readout', runType: RunType.PHYSICS, machineRole: 'any' };
    const byQuery = await c.listComponentEntries({ queryPath: { case: 'query', value: q } });
    assert.deepEqual(byQuery.payload, ['PHYSICS/any/readout-cfg']);
    const byPath = await c.listComponentEntries({ queryPath: { case: 'path', value: 'readout/ANY/flp001' } });
    assert.deepEqual(byPath.payload, ['ANY/flp001/readout-cfg']);
    const bad = await failure(
      c.listComponentEntries({ queryPath: { case: 'path', value: 'readout/BOGUS/any' } }),
    );
    assert.equal(bad.code, Code.InvalidArgument);
    assert.match(bad.message, /ListComponentEntries: path: unknown run type "BOGUS"/);
  });

  test('GetComponentConfiguration raw, processed, with last index; bad paths', async () => {
    const path = { case: 'path' as const, value: 'readout/ANY/any/readout-cfg' };
    assert.match(
      (await c.getComponentConfiguration({ queryPath: path })).payload,
      /rate=\{\{ readout_rate \}\}/,
    );
    const processed = await c.getComponentConfiguration({
      queryPath: path,
      processTemplate: true,
      varStack: { readout_rate: '42', detector: 'tpc' },
    });
    assert.equal(processed.payload, '[readout]\nrate=42\n[equipment-TPC]\nenabled=1\n');
    const withIndex = await c.getComponentConfigurationWithLastIndex({ queryPath: path });
    assert.ok(withIndex.lastIndex > 0n);
    const q = {
      component: 'readout',
      runType: RunType.TECHNICAL,
      machineRole: 'flp001',
      entry: 'readout-cfg',
    };
    const viaQuery = await c.getComponentConfiguration({ queryPath: { case: 'query', value: q } });
    assert.equal(viaQuery.payload, 'ANY/flp001');
    for (const [value, why] of [
      ['readout/ANY/any', /expected component\/RUNTYPE\/role\/entry/],
      ['readout/physics/any/x', /invalid run type "physics"/],
      ['readout/BOGUS/any/x', /unknown run type "BOGUS"/],
      ['readout/ANY/any/myresolve', /may not end with "resolve"/],
      ['read out/ANY/any/x', /invalid component name/],
    ] as const) {
      const e = await failure(c.getComponentConfiguration({ queryPath: { case: 'path', value } }));
      assert.equal(e.code, Code.InvalidArgument, value);
      assert.match(e.message, /^\[invalid_argument\] GetComponentConfiguration: path: /);
      assert.match(e.message, why);
    }
    const none = await failure(
      c.getComponentConfiguration({ queryPath: { case: 'path', value: 'qc/ANY/any/x' } }),
    );
    assert.equal(none.code, Code.NotFound);
    const empty = await failure(c.getComponentConfiguration({}));
    assert.match(empty.message, /queryPath: a path or a query is required/);
    const badEnum = await failure(
      c.getComponentConfiguration({ queryPath: { case: 'query', value: { ...q, runType: 55 as RunType } } }),
    );
    assert.match(badEnum.message, /query.runType: unknown run type 55/);
  });

  test('template errors name the entry and line', async () => {
    const e = await failure(
      c.getComponentConfiguration({
        queryPath: { case: 'path', value: 'readout/ANY/any/broken' },
        processTemplate: true,
      }),
    );
    assert.equal(e.code, Code.FailedPrecondition);
    assert.match(e.message, /readout\/ANY\/any\/broken line 2/);
  });

  test('ResolveComponentQuery applies the ANY/any fallback', async () => {
    const q = (runType: RunType, machineRole: string) => ({
      component: 'readout',
      runType,
      machineRole,
      entry: 'readout-cfg',
    });
    const r0 = await c.resolveComponentQuery(q(RunType.PHYSICS, 'flp001'));
    assert.deepEqual([r0.runType, r0.machineRole], [RunType.ANY, 'flp001']);
    const r1 = await c.resolveComponentQuery(q(RunType.PHYSICS, 'flp009'));
    assert.deepEqual([r1.runType, r1.machineRole], [RunType.PHYSICS, 'any']);
    const r2 = await c.resolveComponentQuery(q(RunType.COSMICS, 'flp001'));
    assert.deepEqual([r2.runType, r2.machineRole], [RunType.ANY, 'flp001']);
    const r3 = await c.resolveComponentQuery(q(RunType.COSMICS, 'flp009'));
    assert.deepEqual([r3.runType, r3.machineRole, r3.entry], [RunType.ANY, 'any', 'readout-cfg']);
    const e = await failure(c.resolveComponentQuery({ ...q(RunType.ANY, 'any'), entry: 'nothing' }));
    assert.equal(e.code, Code.NotFound);
  });

  test('ImportComponentConfiguration: new and existing components and entries, cache invalidated', async () => {
    const query = { component: 'qc', runType: RunType.ANY, machineRole: 'any', entry: 'stfb' };
    const path = { case: 'path' as const, value: 'readout/ANY/any/cross' };
    const before = await c.getComponentConfiguration({
      queryPath: path,
      processTemplate: true,
      varStack: { detector: 'd' },
    });
    assert.equal(before.payload, 'stfb for d');
    const updated = await c.importComponentConfiguration({ query, payload: 'new stfb {{ detector }}' });
    assert.deepEqual([updated.existingComponentUpdated, updated.existingEntryUpdated], [true, true]);
    const after = await c.getComponentConfiguration({
      queryPath: path,
      processTemplate: true,
      varStack: { detector: 'd' },
    });
    assert.equal(after.payload, 'new stfb d');
    const unknown = await failure(
      c.importComponentConfiguration({ query: { ...query, component: 'brandnew' }, payload: 'x' }),
    );
    assert.equal(unknown.code, Code.InvalidArgument);
    assert.match(unknown.message, /query.component: component brandnew does not exist/);
    const created = await c.importComponentConfiguration({
      query: { ...query, component: 'brandnew' },
      payload: 'x',
      newComponent: true,
    });
    assert.deepEqual([created.existingComponentUpdated, created.existingEntryUpdated], [false, false]);
    const again = await failure(c.importComponentConfiguration({ query, payload: 'x', newComponent: true }));
    assert.match(again.message, /newComponent: component qc already exists/);
    const resolveEntry = await failure(
      c.importComponentConfiguration({ query: { ...query, entry: 'xresolve' }, payload: 'x' }),
    );
    assert.equal(resolveEntry.code, Code.InvalidArgument);
    assert.equal(
      (await failure(c.importComponentConfiguration({ payload: 'x' }))).code,
      Code.InvalidArgument,
    );
  });

  test('InvalidateComponentTemplateCache picks up writes made behind the service', async () => {
    const path = { case: 'path' as const, value: 'readout/ANY/any/cross' };
    await c.getComponentConfiguration({ queryPath: path, processTemplate: true });
    await store.put('o2/components/qc/ANY/any/stfb', 'direct write');
    await c.invalidateComponentTemplateCache({});
    const got = await c.getComponentConfiguration({ queryPath: path, processTemplate: true });
    assert.equal(got.payload, 'direct write');
  });
});

test('a grpc-js client built from our apricot.proto at run time (as other AliECS clients) gets the same answers', async () => {
  const grpc = await import('@grpc/grpc-js');
  const loader = await import('@grpc/proto-loader');
  const store = await fixtureStore();
  const server = await startTestApricot(store);
  const def = loader.loadSync('apricot/apricot.proto', {
    keepCase: true,
    includeDirs: ['proto'],
    defaults: true,
    enums: String,
  });
  const pkg = grpc.loadPackageDefinition(def)['apricot'] as Record<string, unknown>;
  type Unary = (req: object, cb: (e: Error | null, r?: Record<string, unknown>) => void) => void;
  const Ctor = pkg['Apricot'] as new (a: string, c: unknown) => Record<string, Unary> & { close(): void };
  const client = new Ctor(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  const call = (m: string, req: object) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      client[m]?.(req, (e, r) => (e ? reject(e) : resolve(r ?? {})));
    });
  try {
    assert.deepEqual((await call('ListDetectors', { getAll: true }))['detectors'], ['ITS', 'TPC', 'TRG']);
    const q = { component: 'readout', runType: 'COSMICS', machineRole: 'flp001', entry: 'readout-cfg' };
    const resolved = await call('ResolveComponentQuery', q);
    assert.deepEqual([resolved['runType'], resolved['machineRole']], ['ANY', 'flp001']);
    const got = await call('GetComponentConfiguration', {
      path: 'qc/ANY/any/stfb',
      processTemplate: true,
      varStack: { detector: 'z' },
    });
    assert.equal(got['payload'], 'stfb for z');
    await assert.rejects(call('GetComponentConfiguration', { path: 'x' }), /INVALID_ARGUMENT|3 /);
  } finally {
    client.close();
    await server.stop();
    await store.close();
  }
});
