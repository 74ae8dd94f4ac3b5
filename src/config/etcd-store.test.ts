import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EtcdConfigStore, etcdEndpoints } from './etcd-store.ts';
import { freePorts, startEtcd } from './etcd-store-server.ts';
import { storeContract } from './store-contract.ts';
import { ConfigStoreError } from './store.ts';
import { scaled } from '../common/testing/wait.ts';

const MODULE = new URL('./etcd-store.ts', import.meta.url).href;

storeContract('etcd', async () => {
  const server = await startEtcd();
  return {
    open: () => new EtcdConfigStore(server.uri),
    child: { module: MODULE, exportName: 'EtcdConfigStore', arg: server.uri },
    dispose: () => server.stop(),
  };
});

describe('EtcdConfigStore', () => {
  it('parses etcd:// URIs and refuses others', () => {
    assert.deepEqual(etcdEndpoints('etcd://127.0.0.1:2379'), ['http://127.0.0.1:2379']);
    assert.deepEqual(etcdEndpoints('etcd://a:1,b:2/'), ['http://a:1', 'http://b:2']);
    for (const bad of ['consul://x:1', 'etcd://', 'etcd://host', 'etcd://h:1/path']) {
      assert.throws(
        () => etcdEndpoints(bad),
        (e) => e instanceof ConfigStoreError && e.code === 'invalid',
        bad,
      );
    }
  });

  it('reports an unreachable etcd as unavailable, naming the endpoint, after bounded retries', async () => {
    const [port] = await freePorts(1);
    const uri = `etcd://127.0.0.1:${port}`;
    const store = new EtcdConfigStore(uri, { attempts: 3, backoffMs: 20, callTimeoutMs: 1000 });
    const unavailable = (e: unknown): boolean =>
      e instanceof ConfigStoreError && e.code === 'unavailable' && e.message.includes(`127.0.0.1:${port}`);
    const started = Date.now();
    await assert.rejects(store.get('o2/x'), unavailable);
    await assert.rejects(store.putMany({ 'o2/a': '1', 'o2/b': '2' }), unavailable);
    await assert.rejects(store.compareAndSwap('o2/a', undefined, '1'), unavailable);
    assert.ok(Date.now() - started < scaled(10_000), 'retries are bounded');
    await store.close();
  });
});
