import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Control } from '../gen/protos/o2control_pb.ts';
import { pluginSettings } from '../plugins/settings.ts';
import { timeScale } from '../common/testing/time-scale.ts';
import { startCtpdStandIn } from '../plugins/testing/ctpd-stand-in.ts';
import { startDcsStandIn } from '../plugins/testing/dcs-stand-in.ts';
import { startCore } from './core.ts';

test('GetIntegratedServices lists every registered plugin; enabled ones with endpoint, state and data', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'axle-plugins-'));
  const ctpd = await startCtpdStandIn();
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    plugins: pluginSettings(['trg'], { trgServiceEndpoint: ctpd.endpoint }),
  });
  t.after(async () => {
    await core.stop();
    await ctpd.stop();
    rmSync(root, { recursive: true, force: true });
  });
  const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
  const r = await c.getIntegratedServices({});
  const ids = Object.keys(r.services).sort();
  assert.deepEqual(ids, [
    'bookkeeping',
    'ccdb',
    'dcs',
    'ddsched',
    'kafka',
    'lhc',
    'odc',
    'testplugin',
    'trg',
  ]);
  const trg = r.services['trg'];
  assert.equal(trg?.name, 'Trigger System');
  assert.equal(trg?.enabled, true);
  assert.equal(trg?.endpoint, ctpd.endpoint);
  assert.equal(trg?.connectionState, 'READY', 'the first RunList poll at start reached the daemon');
  assert.deepEqual(JSON.parse(trg?.data ?? ''), { runCount: 0, lines: [], structured: [], errors: [] });
  assert.equal(r.services['dcs']?.enabled, false);
  assert.equal(r.services['dcs']?.connectionState, '');
  assert.ok(ctpd.methods().includes('RunList'));
});

test('a plugin whose endpoint is down: TRANSIENT_FAILURE and the reason in its data', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'axle-plugins-'));
  const gone = await startCtpdStandIn();
  await gone.stop();
  const core = await startCore({
    stateDir: join(root, 'state'),
    port: 0,
    plugins: pluginSettings(['trg'], { trgServiceEndpoint: gone.endpoint }),
  });
  t.after(async () => {
    await core.stop();
    rmSync(root, { recursive: true, force: true });
  });
  const c = createClient(Control, createGrpcTransport({ baseUrl: core.url }));
  const trg = (await c.getIntegratedServices({})).services['trg'];
  assert.equal(trg?.connectionState, 'TRANSIENT_FAILURE');
  const data = JSON.parse(trg?.data ?? '{}') as { connectionError?: string };
  assert.match(data.connectionError ?? '', /TRG service at \/\/127\.0\.0\.1:\d+ unavailable: .*ECONNREFUSED/);
});

test('an unknown or unavailable plugin, or a malformed endpoint, stops the start with the setting named', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-plugins-'));
  try {
    const start = (ids: string[], values: Record<string, string> = {}) =>
      startCore({ stateDir: join(root, 'state'), port: 0, plugins: pluginSettings(ids, values) });
    await assert.rejects(start(['trgg']), /integrationPlugins: unknown plugin "trgg" \(known: .*trg/);
    await assert.rejects(
      start(['odc']),
      /integrationPlugins: plugin "odc" is not available in this version of Axle/,
    );
    await assert.rejects(
      start(['trg'], { trgServiceEndpoint: 'nowhere' }),
      /trgServiceEndpoint: "nowhere" is not an endpoint \(expected \/\/host:port or host:port\)/,
    );
    await assert.rejects(
      start(['trg'], { trgServiceEndpoint: '//127.0.0.1:1', trgPollingInterval: 'often' }),
      /trgPollingInterval: "often" is not a positive duration/,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a start that fails after the plugins started destroys them (no subscription outlives it)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'axle-plugins-'));
  const dcs = await startDcsStandIn();
  try {
    await assert.rejects(
      startCore({
        stateDir: join(root, 'state'),
        port: 0,
        config: 'nonsense://nowhere',
        plugins: pluginSettings(['dcs'], { dcsServiceEndpoint: dcs.standIn.endpoint }),
      }),
    );
    assert.ok(dcs.standIn.methods().includes('Subscribe'), 'the plugin had subscribed');
    const deadline = Date.now() + 5_000 * timeScale();
    while (dcs.subscribers() > 0) {
      assert.ok(Date.now() < deadline, 'waiting for the DCS subscription of the failed start to close');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await dcs.standIn.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
