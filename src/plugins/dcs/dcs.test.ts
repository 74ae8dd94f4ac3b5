import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeScale } from '../../common/testing/time-scale.ts';
import { pluginSettings } from '../settings.ts';
import { startDcsStandIn } from '../testing/dcs-stand-in.ts';
import type { DcsStandIn } from '../testing/dcs-stand-in.ts';
import { pluginRig, serviceEvents } from '../testing/plugin-rig.ts';
import type { PluginRig } from '../testing/plugin-rig.ts';
import type { StandIn } from '../testing/stand-in.ts';

/** The DCS calls where ControlWorkflows' readout-dataflow places them. */
const WF = `name: wf
defaults:
  dcs_detectors: '["TPC","ITS"]'
  dcs_sor_parameters: '{"a":"1","b":"2"}'
  tpc_dcs_sor_parameters: '{"b":"tpc"}'
  dcs_eor_parameters: '{"e":"1"}'
  dcs_sor_grace_period: 0s
  dcs_pfr_grace_period: 0s
  dcs_sor_timeout: 5s
  run_type: PHYSICS
roles:
  - name: w
    task: { load: worker }
  - name: dcs
    roles:
      - name: pfr
        call: { func: dcs.PrepareForRun(), trigger: before_CONFIGURE, await: after_CONFIGURE-1, critical: false }
      - name: sor
        call: { func: dcs.StartOfRun(), trigger: before_START_ACTIVITY+100, timeout: "{{ dcs_sor_timeout }}" }
      - name: eor
        call: { func: dcs.EndOfRun(), trigger: after_STOP_ACTIVITY-50 }
      - name: error-cleanup
        call: { func: dcs.Cleanup(), trigger: after_GO_ERROR-1, critical: false }
      - name: destroy-cleanup
        call: { func: dcs.Cleanup(), trigger: DESTROY, critical: false }
`;
const FILES = {
  'workflows/wf.yaml': WF,
  'tasks/worker.yaml': 'name: worker\ncommand: { value: /bin/worker }\n',
};

async function rig(
  t: Parameters<typeof pluginRig>[0],
  endpoint?: string,
): Promise<PluginRig & { dcs: DcsStandIn }> {
  const dcs = await startDcsStandIn();
  const r = await pluginRig(
    t,
    pluginSettings(['dcs'], { dcsServiceEndpoint: endpoint ?? dcs.standIn.endpoint }),
    FILES,
  );
  t.after(() => dcs.standIn.stop());
  return { ...r, dcs };
}

/** Waits until the plugin's data (its detector matrix) contains `text`. */
async function seen(r: PluginRig, text: string): Promise<void> {
  const deadline = Date.now() + 5_000 * timeScale();
  for (;;) {
    const data = r.integrations.services().find((s) => s.id === 'dcs')?.data ?? '';
    if (data.includes(text)) return;
    assert.ok(Date.now() < deadline, `waiting for the DCS matrix to show ${text}; it is ${data}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

const ops = (s: StandIn): string[] => s.methods().filter((m) => m !== 'Subscribe');
const request = (s: StandIn, method: string): unknown => s.requests.find((r) => r.method === method)?.request;

test('dcs: PFR at CONFIGURE, SOR at START with the run number and per-detector parameters, EOR at STOP', async (t) => {
  const r = await rig(t);
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  assert.deepEqual(ops(r.dcs.standIn), ['PrepareForRun']);
  assert.deepEqual(request(r.dcs.standIn, 'PrepareForRun'), {
    detectors: [
      { detector: 'TPC', extraParameters: { a: '1', b: 'tpc' } },
      { detector: 'ITS', extraParameters: { a: '1', b: '2' } },
    ],
    runType: 'PHYSICS',
    partitionId: env.id,
  });
  await r.manager.control(env.id, 'START_ACTIVITY');
  assert.equal(env.state, 'RUNNING');
  assert.deepEqual(request(r.dcs.standIn, 'StartOfRun'), {
    detectors: [
      { detector: 'TPC', extraParameters: { a: '1', b: 'tpc' } },
      { detector: 'ITS', extraParameters: { a: '1', b: '2' } },
    ],
    runType: 'PHYSICS',
    runNumber: 501,
    partitionId: env.id,
  });
  assert.deepEqual(JSON.parse(r.integrations.environmentData(env.id)['dcs'] ?? '{}'), {
    eorPendingForRun: 501,
  });
  await r.manager.control(env.id, 'STOP_ACTIVITY');
  assert.deepEqual(request(r.dcs.standIn, 'EndOfRun'), {
    detectors: [
      { detector: 'TPC', extraParameters: { e: '1' } },
      { detector: 'ITS', extraParameters: { e: '1' } },
    ],
    runNumber: 501,
    partitionId: env.id,
  });
  await r.manager.destroy(env.id);
  assert.deepEqual(ops(r.dcs.standIn), ['PrepareForRun', 'StartOfRun', 'EndOfRun'], 'no EOR owed at DESTROY');
  const svc = r.integrations.services().find((s) => s.id === 'dcs');
  assert.equal(svc?.connectionState, 'READY');
  assert.equal(
    (JSON.parse(svc?.data ?? '{}') as { detectors: Record<string, { sorAvailability: string }> }).detectors[
      'TPC'
    ]?.sorAvailability,
    'SOR_AVAILABLE',
  );
  const sor = serviceEvents(r.events).filter((e) => e.operationName === 'dcs.StartOfRun()');
  assert.deepEqual(
    sor.map((e) => e.operationStatus),
    ['STARTED', 'DONE_OK'],
  );
});

test('dcs: a SOR failure reported by DCS sends the environment to ERROR with the detector; the owed EOR is sent at GO_ERROR', async (t) => {
  const r = await rig(t);
  r.dcs.operationOutcome('TPC', 'SOR_FAILURE');
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  await assert.rejects(
    r.manager.control(env.id, 'START_ACTIVITY'),
    /DCS StartOfRun call failed: TPC SOR_FAILURE reported by DCS/,
  );
  assert.equal(env.state, 'ERROR');
  assert.match(env.lastError, /dcs\.StartOfRun\(\).*TPC SOR_FAILURE reported by DCS/);
  assert.deepEqual(ops(r.dcs.standIn), ['PrepareForRun', 'StartOfRun', 'EndOfRun']);
  assert.equal((request(r.dcs.standIn, 'EndOfRun') as { runNumber: number }).runNumber, 501);
  await r.manager.destroy(env.id);
  assert.equal(ops(r.dcs.standIn).length, 3, 'the EOR is sent once');
});

test('dcs: SOR waits its grace period for SOR availability, and fails naming the detectors that stay unavailable', async (t) => {
  const r = await rig(t);
  r.dcs.setDetector('TPC', 'PFR_AVAILABLE', 'SOR_UNAVAILABLE');
  await seen(r, '"sorAvailability":"SOR_UNAVAILABLE"');
  const env = await r.manager.create({ workflow: 'wf', vars: { dcs_sor_grace_period: '300ms' } });
  await assert.rejects(
    r.manager.control(env.id, 'START_ACTIVITY'),
    /DCS StartOfRun call failed: not available for SOR: TPC \(SOR_UNAVAILABLE\)/,
  );
  assert.ok(!ops(r.dcs.standIn).includes('StartOfRun'), 'no SOR is sent');
  const env2 = await r.manager.create({ workflow: 'wf', vars: { dcs_sor_grace_period: '10s' } });
  setTimeout(() => r.dcs.setDetector('TPC', 'PFR_AVAILABLE', 'SOR_AVAILABLE'), 200);
  const t0 = Date.now();
  await r.manager.control(env2.id, 'START_ACTIVITY');
  assert.equal(env2.state, 'RUNNING');
  assert.ok(
    Date.now() - t0 < 5_000 * timeScale(),
    'the SOR went ahead when TPC became available (Subscribe update)',
  );
});

test('dcs: PFR prepares only the detectors available for PFR and does not fail the CONFIGURE', async (t) => {
  const r = await rig(t);
  r.dcs.setDetector('ITS', 'PFR_UNAVAILABLE', 'SOR_AVAILABLE');
  await seen(r, '"ITS":{"state":"READY","pfrAvailability":"PFR_UNAVAILABLE"');
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  assert.equal(env.state, 'CONFIGURED');
  assert.deepEqual(
    (request(r.dcs.standIn, 'PrepareForRun') as { detectors: { detector: string }[] }).detectors.map(
      (d) => d.detector,
    ),
    ['TPC'],
  );
});

test('dcs: a SOR that hangs past its timeout fails the start; the owed EOR is still sent', async (t) => {
  const r = await rig(t);
  r.dcs.standIn.behave('StartOfRun', { hang: true });
  const env = await r.manager.create({ workflow: 'wf', vars: { dcs_sor_timeout: '300ms' } });
  await assert.rejects(
    r.manager.control(env.id, 'START_ACTIVITY'),
    /dcs\.StartOfRun\(\) timed out after 300 ms/,
  );
  assert.equal(env.state, 'ERROR');
  assert.deepEqual(ops(r.dcs.standIn), ['PrepareForRun', 'StartOfRun', 'EndOfRun']);
});

test('dcs: an endpoint that is down is reported, and SOR fails saying why', async (t) => {
  const gone = await startDcsStandIn();
  await gone.standIn.stop();
  const r = await rig(t, gone.standIn.endpoint);
  const svc = r.integrations.services().find((s) => s.id === 'dcs');
  assert.equal(svc?.connectionState, 'TRANSIENT_FAILURE');
  assert.match(svc?.reason ?? '', /DCS service at \/\/127\.0\.0\.1:\d+ unavailable: .*ECONNREFUSED/);
  const env = await r.manager.create({ workflow: 'wf', vars: {} });
  assert.equal(env.state, 'CONFIGURED', 'PFR is not critical');
  await assert.rejects(
    r.manager.control(env.id, 'START_ACTIVITY'),
    /DCS StartOfRun call failed: not available for SOR: TPC \(NULL_STATE\), ITS \(NULL_STATE\), \(DCS service at .* unavailable/,
  );
});
