import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EtcdConfigStore } from './etcd-store.ts';
import { startEtcd } from './etcd-store-server.ts';

/** Runs `body` with AXLE_TEST_ETCD set to `value` (or unset), restoring the variable afterwards. */
async function withShared<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env.AXLE_TEST_ETCD;
  if (value === undefined) delete process.env.AXLE_TEST_ETCD;
  else process.env.AXLE_TEST_ETCD = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.AXLE_TEST_ETCD;
    else process.env.AXLE_TEST_ETCD = saved;
  }
}

test('with AXLE_TEST_ETCD set, startEtcd uses that etcd and its stop leaves it running', async () => {
  const own = await withShared(undefined, () => startEtcd());
  try {
    const endpoint = own.uri.replace('etcd://', '');
    const shared = await withShared(endpoint, () => startEtcd());
    if (shared.uri !== own.uri) {
      await shared.stop(); // an etcd of its own: no orphan left behind
      assert.fail(`startEtcd started ${shared.uri} instead of using ${own.uri}`);
    }
    await shared.stop();
    process.kill(own.pid, 0); // throws if the shared etcd was stopped
    const store = new EtcdConfigStore(own.uri);
    try {
      await store.put('etcd-server-test/alive', 'yes');
      assert.equal(await store.get('etcd-server-test/alive'), 'yes');
    } finally {
      await store.close();
    }
  } finally {
    await own.stop();
  }
});

test('with AXLE_TEST_ETCD set, startEtcd({ own: true }) starts an etcd of its own', async () => {
  const shared = await withShared(undefined, () => startEtcd());
  try {
    const own = await withShared(shared.uri.replace('etcd://', ''), () => startEtcd({ own: true }));
    try {
      assert.notEqual(own.uri, shared.uri);
      assert.notEqual(own.pid, shared.pid);
    } finally {
      await own.stop();
    }
  } finally {
    await shared.stop();
  }
});

test('AXLE_TEST_ETCD other than 127.0.0.1:<port> is refused, naming the value', async () => {
  await withShared('10.0.0.1:2379', () =>
    assert.rejects(startEtcd(), /AXLE_TEST_ETCD must be 127\.0\.0\.1:<port>, not '10\.0\.0\.1:2379'/),
  );
});
