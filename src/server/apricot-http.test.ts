/** The read-only HTTP routes of the Apricot service against a running startApricot. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MemoryConfigStore } from '../config/memory-store.ts';
import type { RunningApricot } from './apricot-server.ts';
import { fixtureStore, startTestApricot } from './apricot-test-util.ts';

describe('Apricot HTTP routes', () => {
  let store: MemoryConfigStore;
  let server: RunningApricot;
  const get = async (path: string, method = 'GET') => {
    const r = await fetch(`http://127.0.0.1:${server.httpPort}${path}`, { method });
    return { status: r.status, body: await r.text(), type: r.headers.get('content-type') ?? '' };
  };
  before(async () => {
    store = await fixtureStore();
    server = await startTestApricot(store);
  });
  after(async () => {
    await server.stop();
    await store.close();
  });

  test('component lists in text and JSON', async () => {
    assert.equal((await get('/components')).body, 'qc\nreadout\nreadoutcard\n');
    assert.deepEqual(JSON.parse((await get('/components?format=json')).body), [
      'qc',
      'readout',
      'readoutcard',
    ]);
    const entries = (await get('/components/readout')).body.split('\n');
    assert.ok(entries.includes('PHYSICS/any/readout-cfg'));
    assert.equal((await get('/components/readout/PHYSICS')).body, 'PHYSICS/any/readout-cfg\n');
    assert.equal((await get('/components/readout/ANY/flp001')).body, 'ANY/flp001/readout-cfg\n');
  });

  test('payloads raw and processed with query variables; resolve', async () => {
    const raw = await get('/components/readout/ANY/any/readout-cfg');
    assert.equal(raw.status, 200);
    assert.match(raw.body, /\{\{ readout_rate \}\}/);
    const processed = await get(
      '/components/readout/ANY/any/readout-cfg?process=true&readout_rate=7&detector=its',
    );
    assert.equal(processed.body, '[readout]\nrate=7\n[equipment-ITS]\nenabled=1\n');
    assert.equal(
      (await get('/components/readout/COSMICS/flp009/readout-cfg/resolve')).body,
      'readout/ANY/any/readout-cfg\n',
    );
  });

  test('inventory in text and JSON', async () => {
    assert.equal((await get('/inventory/flps')).body, 'flp001\nflp002\nflp003\n');
    assert.deepEqual(JSON.parse((await get('/inventory/flps/json')).body), ['flp001', 'flp002', 'flp003']);
    assert.equal((await get('/inventory/detectors/text')).body, 'ITS\nTPC\nTRG\n');
    const inv = JSON.parse((await get('/inventory/detectors/json')).body) as Record<string, string[]>;
    assert.deepEqual(inv['TPC'], ['flp001', 'flp002']);
    assert.equal((await get('/inventory/detectors/TPC/flps')).body, 'flp001\nflp002\n');
    assert.deepEqual(JSON.parse((await get('/inventory/detectors/ITS/flps/json')).body), ['flp003']);
  });

  test('errors: bad path 400, missing 404, bad format 400, writes 405, template error names the entry', async () => {
    const bad = await get('/components/readout/BOGUS/any/x');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /unknown run type "BOGUS"/);
    assert.equal((await get('/components/qc/ANY/any/none')).status, 404);
    assert.equal((await get('/inventory/flps/xml')).status, 400);
    assert.equal((await get('/components', 'DELETE')).status, 405);
    assert.equal((await get('/nothing')).status, 404);
    const broken = await get('/components/readout/ANY/any/broken?process=true');
    assert.equal(broken.status, 422);
    assert.match(broken.body, /readout\/ANY\/any\/broken line 2/);
  });

  test('POST /components/_invalidate_cache drops compiled templates', async () => {
    const path = '/components/readout/ANY/any/cross?process=true&detector=d';
    assert.equal((await get(path)).body, 'stfb for d');
    await store.put('o2/components/qc/ANY/any/stfb', 'changed');
    assert.equal((await get('/components/_invalidate_cache')).status, 405);
    assert.equal((await get('/components/_invalidate_cache', 'POST')).status, 200);
    assert.equal((await get(path)).body, 'changed');
  });
});
