import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../common/config-source.ts';
import { MemoryConfigStore } from './memory-store.ts';
import { remoteConfigSource, storeConfigSource } from './store-config-source.ts';
import { ConfigStoreError } from './store.ts';

const initial = {
  'o2/hardware/detectors/TPC/flps/flp001': '',
  'o2/hardware/detectors/TPC/flps/flp001/aliases': '{}',
  'o2/hardware/detectors/ITS/flps/flp002': '',
  'o2/runtime/aliecs/defaults/rate': ' 10 ',
  'o2/runtime/aliecs/vars/v': 'x',
  'o2/components/qc/ANY/any/cfg': 'detector={{ detector }}',
};

test('a store source answers synchronously from the snapshot and follows writes', async () => {
  const store = new MemoryConfigStore(initial, 'etcd://127.0.0.1:2379');
  const source = storeConfigSource(store, { hostname: 'h' });
  await source.ready;
  assert.equal(source.detectorForHost('flp001'), 'TPC');
  assert.deepEqual(source.detectorsForHosts(['flp002', 'flp001']), ['ITS', 'TPC']);
  assert.equal(source.getDefaults()['rate'], '10');
  assert.equal(source.getDefaults()['consul_endpoint'], '127.0.0.1:2379');
  assert.deepEqual(source.getVars(), { v: 'x' });
  assert.equal(source.getComponentConfiguration('qc/ANY/any/cfg', true, { detector: 'TPC' }), 'detector=TPC');
  assert.equal(source.resolveComponentQuery('qc', 'PHYSICS', 'flp001', 'cfg'), 'qc/ANY/any/cfg');

  await store.put('o2/hardware/detectors/MCH/flps/flp009', '');
  await sleep(20);
  assert.equal(source.detectorForHost('flp009'), 'MCH');

  source.setRuntimeEntry('aliecs', 'k', 'v1');
  assert.equal(source.getRuntimeEntry('aliecs', 'k'), 'v1');
  await sleep(20);
  assert.equal(await store.get('o2/runtime/aliecs/k'), 'v1');
  assert.equal(source.stale, false);
  assert.throws(() => source.detectorForHost('nohost'), ConfigError);
  source.close();
});

test('an unreachable backend keeps the cached tree and says so', async () => {
  let up = true;
  const tree = { o2: { hardware: { detectors: { TPC: { flps: { flp001: '' } } } } } };
  const source = remoteConfigSource(
    {
      uri: 'apricot://127.0.0.1:1',
      rawGetRecursive: () =>
        up
          ? Promise.resolve(JSON.stringify(tree.o2))
          : Promise.reject(new ConfigStoreError('unavailable', 'connection refused')),
      setRuntimeEntry: () => Promise.reject(new Error('connection refused')),
    },
    60_000,
  );
  await source.ready;
  assert.equal(source.detectorForHost('flp001'), 'TPC');
  up = false;
  await assert.rejects(source.refresh(), /connection refused/);
  assert.equal(source.stale, true);
  assert.match(
    source.staleMessage ?? '',
    /apricot:\/\/127\.0\.0\.1:1 unreachable, serving the cached tree: connection refused/,
  );
  assert.equal(source.detectorForHost('flp001'), 'TPC');
  up = true;
  await source.refresh();
  assert.equal(source.stale, false);
  source.setRuntimeEntry('c', 'k', 'v');
  await sleep(10);
  assert.match(source.staleMessage ?? '', /runtime entry c\/k not saved/);
  source.close();
});
